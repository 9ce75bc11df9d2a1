import type { JavaRule } from '../engine.js';
import { knownString } from '../interpret.js';
import { java, renderCall, taintOf } from './helpers.js';

/** Classes and members that malware reaches through reflection to hide what it calls. */
/** Members whose reflective use hides process, class-loading or JNDI calls. */
const DANGEROUS_MEMBER =
  /(^|\.)(exec|getRuntime|defineClass|defineAnonymousClass|defineHiddenClass|loadLibrary)$|ProcessBuilder\.start$|InitialContext\.lookup$|ScriptEngine\.eval$/;
/** Classes worth reporting when their name is assembled at run time (literal names are common compatibility code). */
const DANGEROUS_CLASS =
  /^(java\.lang\.(Runtime|ProcessBuilder)|java\.net\.URLClassLoader|javax\.naming\.InitialContext|javax\.script\.ScriptEngineManager)$/;

/** Flags reflection whose class or member name is decoded/decrypted or resolves to a dangerous API. */
export const reflectiveComputedName: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-004',
    name: 'java-reflection-computed-name',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'medium',
    description:
      'Class.forName / getMethod / loadClass with a name that is decoded, decrypted or assembled at run time, or that resolves to a process/network/class-loading API.',
    rationale:
      'Reflection with hidden names keeps `Runtime.exec` and friends out of the constant pool, so string scanners miss them; spelling out java.lang.Runtime through reflection has no benign purpose in a library.',
    falsePositives:
      'Dependency-injection containers and plugin loaders resolve class names from configuration files (those names are not decoded from constants and are not reported). Groovy and Kotlin reflection helpers use constant names.',
    example: 'Class.forName(new String(Base64.getDecoder().decode("amF2YS5sYW5nLlJ1bnRpbWU=")))',
    references: ['https://attack.mitre.org/techniques/T1027/'],
  },
  create(ctx) {
    return {
      call(call, m) {
        const { owner, name } = call.ref;
        const isForName =
          (owner === 'java/lang/Class' && name === 'forName') ||
          (owner === 'java/lang/ClassLoader' && name === 'loadClass');
        const isMember = owner === 'java/lang/Class' && /^get(Declared)?(Method|Field)$/.test(name);
        // MethodHandles.Lookup.findStatic(Runtime.class, "exec", …): the invokedynamic-era reflection.
        const isHandle =
          owner === 'java/lang/invoke/MethodHandles$Lookup' && /^find(Static|Virtual|Special)$/.test(name);
        if (!isForName && !isMember && !isHandle) return;
        const arg = isHandle ? call.args[1] : call.args[0];
        const resolved = isForName
          ? knownString(arg)
          : isHandle
            ? `${call.args[0]?.cls ?? '?'}.${knownString(arg) ?? '?'}`
            : call.result?.member;
        const taint = taintOf(arg);
        const hidden = taint.has('decoded') || taint.has('decrypted');
        const literal = arg?.s !== undefined && !arg.src?.length;
        const dangerous =
          resolved !== undefined &&
          (DANGEROUS_MEMBER.test(resolved) || (isForName && !literal && DANGEROUS_CLASS.test(resolved)));
        if (!hidden && !dangerous) return;
        // `Class.forName("java.lang.Runtime")` spelled as a literal is suspicious but not hidden.
        const severity = hidden ? 'high' : literal ? 'medium' : 'high';
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          severity,
          category: hidden || !literal ? 'obfuscation' : 'evasion',
          message: `Reflection ${hidden ? 'with a decoded/decrypted name ' : literal ? '' : 'with a name assembled at run time '}${resolved ? `resolves ${resolved}` : 'hides the called API'}.`,
          evidence: { resolved, taint: [...taint] },
        });
      },
    };
  },
};
