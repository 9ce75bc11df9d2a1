import pc from 'picocolors';
import type { Finding, ScanReport, Severity } from '../core/types.js';
import { summarize } from './json.js';

type Colors = ReturnType<typeof pc.createColors>;

const ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface TextOptions {
  color: boolean;
  /** Hide findings below this severity (default `low`: info findings are capabilities only). */
  minSeverity?: Severity;
}

function severityColor(c: Colors, s: Severity): (t: string) => string {
  switch (s) {
    case 'critical':
      return (t) => c.bold(c.red(t));
    case 'high':
      return c.red;
    case 'medium':
      return c.yellow;
    case 'low':
      return c.cyan;
    default:
      return c.dim;
  }
}

function verdictLabel(c: Colors, r: ScanReport): string {
  switch (r.verdict) {
    case 'malicious':
      return c.bold(c.bgRed(c.white(' MALICIOUS ')));
    case 'suspicious':
      return c.bold(c.bgYellow(c.black(' SUSPICIOUS ')));
    case 'clean':
      return c.bold(c.bgGreen(c.black(' CLEAN ')));
    default:
      return c.bold(c.bgMagenta(c.white(' ERROR ')));
  }
}

function renderFinding(c: Colors, f: Finding): string[] {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}` : '';
  const lines = [
    `  ${severityColor(c, f.severity)(f.severity.toUpperCase().padEnd(8))} ${c.bold(f.ruleId)} ${f.message}`,
    `           ${c.dim(`${where}${where ? '  ' : ''}[${f.category}, ${f.context}, ${f.confidence} confidence]`)}`,
  ];
  if (f.snippet) lines.push(`           ${c.gray('│')} ${f.snippet}`);
  if (f.suppressed) lines.push(`           ${c.dim(`suppressed: ${f.suppressed.reason}`)}`);
  return lines;
}

/** Human-readable report: verdict, reasons, then findings grouped by severity with snippets. */
export function renderText(reports: ScanReport[], options: TextOptions): string {
  const c = pc.createColors(options.color);
  const min = ORDER.indexOf(options.minSeverity ?? 'low');
  const out: string[] = [];
  for (const r of reports) {
    const name = r.package ? `${r.package.ecosystem}:${r.package.name}@${r.package.version}` : r.target;
    out.push(
      `${verdictLabel(c, r)} ${c.bold(name)}  score ${r.score}/100${r.categories.length ? `  ${c.dim(r.categories.join(', '))}` : ''}`,
    );
    for (const e of r.errors) out.push(`  ${c.magenta('error')} ${e.message}`);
    for (const reason of r.reasons) out.push(`  ${c.dim('•')} ${reason}`);
    const shown = r.findings.filter((f) => ORDER.indexOf(f.severity) <= min);
    for (const sev of ORDER) {
      const group = shown.filter((f) => f.severity === sev);
      if (group.length === 0) continue;
      out.push('');
      for (const f of group) out.push(...renderFinding(c, f));
    }
    const hidden = r.findings.length - shown.length;
    out.push(
      c.dim(
        `  ${r.stats.files} files, ${r.stats.bytes} bytes, ${r.findings.length} findings${hidden ? ` (${hidden} informational hidden; --min-severity info shows them)` : ''}, ${r.stats.durationMs} ms`,
      ),
    );
    for (const w of r.warnings) out.push(c.dim(`  warning: ${w}`));
    out.push('');
  }
  if (reports.length > 1) {
    const s = summarize(reports);
    out.push(
      `${s.targets} targets: ${s.malicious} malicious, ${s.suspicious} suspicious, ${s.clean} clean, ${s.errors} with errors`,
    );
  }
  return `${out.join('\n')}\n`;
}
