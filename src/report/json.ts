import type { ScanReport } from '../core/types.js';

/** Summary of a multi-target run. */
export interface RunSummary {
  targets: number;
  malicious: number;
  suspicious: number;
  clean: number;
  errors: number;
}

export function summarize(reports: ScanReport[]): RunSummary {
  return {
    targets: reports.length,
    malicious: reports.filter((r) => r.verdict === 'malicious').length,
    suspicious: reports.filter((r) => r.verdict === 'suspicious').length,
    clean: reports.filter((r) => r.verdict === 'clean').length,
    errors: reports.filter((r) => r.verdict === 'error' || r.errors.length > 0).length,
  };
}

/**
 * JSON output (schema in docs/json-schema.md): one target prints its report object; several
 * print `{ schemaVersion, summary, reports: [...] }`.
 */
export function renderJson(reports: ScanReport[]): string {
  if (reports.length === 1) return `${JSON.stringify(reports[0], null, 2)}\n`;
  return `${JSON.stringify({ schemaVersion: 1, summary: summarize(reports), reports }, null, 2)}\n`;
}
