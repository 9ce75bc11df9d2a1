import type { JavaRule } from '../engine.js';
import { knownString } from '../interpret.js';
import { java, renderCall, taintOf } from './helpers.js';

/** Flags classes defined from bytes or loaded from remote URLs at run time. */
export const dynamicClassLoading: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-003',
    name: 'java-dynamic-class-loading',
    category: 'execution',
    severity: 'low',
    confidence: 'low',
    description:
      'Bytecode defines classes from a byte array (ClassLoader/Lookup/Unsafe.defineClass) or loads classes from URLs (URLClassLoader).',
    rationale:
      'Loaders of second stages keep the payload out of the jar: they decode or download class bytes and define them in memory, where no scanner of the published artifact sees them.',
    falsePositives:
      'Bytecode generators and proxies (cglib, Byte Buddy, Groovy, Javassist), plugin systems and application servers. Only bytes that were decoded, decrypted or downloaded raise the severity.',
    example: 'defineClass(null, Base64.getDecoder().decode(PAYLOAD), 0, n)',
    references: ['https://attack.mitre.org/techniques/T1620/'],
  },
  create(ctx) {
    return {
      call(call, m) {
        const { owner, name } = call.ref;
        const define =
          name === 'defineClass' || name === 'defineHiddenClass' || name === 'defineAnonymousClass';
        const urlLoader =
          owner === 'java/net/URLClassLoader' && (name === '<init>' || name === 'newInstance');
        if (!define && !urlLoader) return;
        if (define) {
          const bytes = call.args.find((a) => a.t === '[B' || a.arr?.elem === 'B');
          const taint = taintOf(bytes);
          const bad = taint.has('decoded') || taint.has('decrypted') || taint.has('network');
          ctx.report({
            at: m,
            pc: call.pc,
            code: renderCall(call),
            category: bad ? 'dropper' : 'execution',
            severity: bad ? 'high' : 'low',
            confidence: bad ? 'high' : 'low',
            message: bad
              ? `Defines a class from bytes that were ${[...taint].filter((t) => t !== 'computed').join('/')} at run time (in-memory second stage).`
              : 'Defines a class from a byte array at run time.',
            evidence: { taint: [...taint] },
          });
          return;
        }
        const urls =
          call.args[0]?.arr?.items.map((i) => knownString(i)).filter((s): s is string => !!s) ?? [];
        const remote = urls.filter((u) => /^(https?|ftp):/i.test(u));
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          category: remote.length ? 'dropper' : 'execution',
          severity: remote.length ? 'high' : 'low',
          confidence: remote.length ? 'medium' : 'low',
          message: remote.length
            ? `Loads classes from a remote URL (${remote[0]!.slice(0, 100)}).`
            : 'Creates a URLClassLoader to load classes at run time.',
          iocs: remote,
        });
      },
    };
  },
};
