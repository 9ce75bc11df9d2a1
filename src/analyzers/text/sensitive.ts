import { loadJsonData } from '../../core/data.js';
import type { Severity } from '../../core/types.js';

interface SensitiveEntry {
  pattern: string;
  kind: string;
  severity: Severity;
}

export interface SensitiveMatch {
  kind: string;
  severity: Severity;
  match: string;
}

let compiled: Array<{ re: RegExp; kind: string; severity: Severity }> | undefined;
/** All patterns in one alternation: one regex run rejects the vast majority of strings. */
let any: RegExp | undefined;

function patterns() {
  if (!compiled) {
    const entries = loadJsonData<{ paths: SensitiveEntry[] }>('sensitive-paths.json').paths;
    compiled = entries.map((p) => ({ re: new RegExp(p.pattern, 'i'), kind: p.kind, severity: p.severity }));
    any = new RegExp(entries.map((p) => `(?:${p.pattern})`).join('|'), 'i');
  }
  return compiled;
}

/** Which secret stores a string value names (credential files, browser profiles, wallets...). */
export function matchSensitivePaths(value: string): SensitiveMatch[] {
  if (value.length > 4096 || value.length < 4) return [];
  const list = patterns();
  if (!any!.test(value)) return [];
  const out: SensitiveMatch[] = [];
  for (const p of list) {
    const m = p.re.exec(value);
    if (m) out.push({ kind: p.kind, severity: p.severity, match: m[0] });
  }
  return out;
}
