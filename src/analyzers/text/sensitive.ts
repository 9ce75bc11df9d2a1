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

function patterns() {
  compiled ??= loadJsonData<{ paths: SensitiveEntry[] }>('sensitive-paths.json').paths.map((p) => ({
    re: new RegExp(p.pattern, 'i'),
    kind: p.kind,
    severity: p.severity,
  }));
  return compiled;
}

/** Which secret stores a string value names (credential files, browser profiles, wallets...). */
export function matchSensitivePaths(value: string): SensitiveMatch[] {
  if (value.length > 4096 || value.length < 4) return [];
  const out: SensitiveMatch[] = [];
  for (const p of patterns()) {
    const m = p.re.exec(value);
    if (m) out.push({ kind: p.kind, severity: p.severity, match: m[0] });
  }
  return out;
}
