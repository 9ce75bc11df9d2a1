import type { JavaRule } from '../engine.js';
import { knownString } from '../interpret.js';
import { isFileWrite, isNetworkRead, java, renderCall, taintOf } from './helpers.js';

/** Flags System.load/loadLibrary: native code that runs with the JVM's privileges. */
export const nativeLoad: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-008',
    name: 'java-native-library-load',
    category: 'execution',
    severity: 'low',
    confidence: 'low',
    description: 'Bytecode loads a native library (System.load / System.loadLibrary / Runtime.load).',
    rationale:
      'Native code escapes every JVM-level review; droppers bundle or download a shared library and load it from a temporary path.',
    falsePositives:
      'JNI bindings that extract their bundled library to a temp folder (sqlite-jdbc, netty-tcnative, JNA, jansi). Only downloaded or decoded libraries are rated high.',
    example: 'System.load(tmp.getAbsolutePath())',
    references: ['https://docs.oracle.com/en/java/javase/17/docs/specs/jni/invocation.html'],
  },
  create(ctx) {
    return {
      call(call, m) {
        const { owner, name } = call.ref;
        if (
          (owner !== 'java/lang/System' && owner !== 'java/lang/Runtime') ||
          (name !== 'load' && name !== 'loadLibrary')
        )
          return;
        const taint = taintOf(call.args[0]);
        // A library written from a download in the same method is as bad as one decoded from bytes.
        const dropped = m.summary.calls.some(isNetworkRead) && m.summary.calls.some(isFileWrite);
        const bad = dropped || taint.has('network') || taint.has('decoded') || taint.has('decrypted');
        const lib = knownString(call.args[0]);
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          category: bad ? 'dropper' : 'execution',
          severity: bad ? 'high' : name === 'load' ? 'low' : 'info',
          message: `Loads native code${lib ? ` (${lib.slice(0, 80)})` : name === 'load' ? ' from a path computed at run time' : ''}${bad ? ' that was downloaded or decoded' : ''}.`,
          evidence: { library: lib, taint: [...taint] },
        });
      },
    };
  },
};
