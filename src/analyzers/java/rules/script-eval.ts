import type { JavaRule } from '../engine.js';
import { knownString } from '../interpret.js';
import { CONTEXT_PHRASE, isEarly, java, renderCall, taintOf } from './helpers.js';

/** Script engines and Groovy entry points that evaluate a string as code. */
function isEval(owner: string, name: string): boolean {
  return (
    ((owner === 'javax/script/ScriptEngine' || owner === 'javax/script/AbstractScriptEngine') &&
      name === 'eval') ||
    (owner === 'groovy/lang/GroovyShell' && (name === 'evaluate' || name === 'parse' || name === 'run')) ||
    (owner === 'groovy/util/Eval' && /^(me|x|xy|xyz)$/.test(name)) ||
    (owner === 'org/mozilla/javascript/Context' && (name === 'evaluateString' || name === 'compileString'))
  );
}

/** Flags script evaluation (JSR-223, Groovy, Rhino), rated by where the script comes from. */
export const scriptEval: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-022',
    name: 'java-script-evaluation',
    category: 'execution',
    severity: 'medium',
    confidence: 'medium',
    description:
      'Bytecode evaluates a string as code through a script engine (ScriptEngine.eval, GroovyShell.evaluate, Eval.me, Rhino); high when the script was decoded, decrypted or downloaded.',
    rationale:
      "Evaluating a script keeps the payload out of the class files: loaders ship it Base64-encoded or fetch it, then hand it to the JVM's JavaScript or Groovy engine.",
    falsePositives:
      'Template engines, rule engines and build tools that evaluate user-provided scripts by design (their scripts come from configuration, not from decoded constants).',
    example:
      'new ScriptEngineManager().getEngineByName("js").eval(new String(Base64.getDecoder().decode(P)))',
    references: [
      'https://attack.mitre.org/techniques/T1059/007/',
      'https://docs.oracle.com/en/java/javase/17/docs/api/java.scripting/javax/script/ScriptEngine.html',
    ],
  },
  create(ctx) {
    return {
      call(call, m) {
        if (!isEval(call.ref.owner, call.ref.name)) return;
        const script = call.args[0];
        const taint = taintOf(script);
        const hidden = taint.has('decoded') || taint.has('decrypted') || taint.has('network');
        const text = knownString(script);
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          category: hidden ? 'dropper' : 'execution',
          severity: hidden ? 'high' : text !== undefined || isEarly(m.context) ? 'medium' : 'low',
          confidence: hidden ? 'high' : 'medium',
          message:
            `Evaluates ${hidden ? 'a decoded/downloaded ' : text !== undefined ? 'an embedded ' : 'a '}script${text ? ` (\`${text.slice(0, 80)}\`)` : ''} ${CONTEXT_PHRASE[m.context]}.`.replace(
              /\s+\.$/,
              '.',
            ),
          evidence: { taint: [...taint], script: text?.slice(0, 200) },
        });
      },
    };
  },
};
