import type { ExecutionContext, Finding } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';
import { analyzeCommand } from '../shell/command.js';
import { preview, severityRank } from './rules/helpers.js';
import { processExec } from './rules/process.js';

/**
 * A process call with a string literal command on one line: `os.system("...")`,
 * `__import__("os").popen('...')`, `subprocess.call(["..."])`. Greedy to the last quote of the same
 * kind, since the lines that break the parser are often exactly those with unescaped inner quotes.
 */
const PROCESS_LINE =
  /\b(?:system|popen|Popen|call|run|check_output|check_call|getoutput|getstatusoutput|spawn)\s*\(\s*\[?\s*[rbuf]?(['"])(.+)\1/;

/**
 * Text-level command check for Python that does not parse: the shell analyzer reads the command
 * strings of process calls on the lines the parser gave up on, so a reverse shell or
 * download-and-run placed on a deliberately broken line is still seen (PY-004).
 */
export function fallbackCommands(
  path: string,
  source: string,
  context: ExecutionContext,
  fromLine = 1,
): Finding[] {
  const out: Finding[] = [];
  const lines = source.split('\n');
  for (let i = Math.max(0, fromLine - 1); i < lines.length && out.length < 20; i++) {
    const line = lines[i]!;
    if (line.length > 4000) continue;
    const m = PROCESS_LINE.exec(line);
    if (!m?.[2]) continue;
    const command = m[2];
    const techniques = analyzeCommand(command);
    const worst = [...techniques].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
    if (!worst || severityRank(worst.severity) < severityRank('high')) continue;
    out.push(
      makeFinding(processExec.meta, {
        file: path,
        line: i + 1,
        snippet: line,
        context,
        severity: worst.severity,
        category: worst.category,
        confidence: 'medium',
        message: `Runs \`${preview(command)}\`, which ${worst.description} (on a line that does not parse as Python; read as text).`,
        evidence: { command, techniques: techniques.map((t) => t.id), textFallback: true },
      }),
    );
  }
  return out;
}
