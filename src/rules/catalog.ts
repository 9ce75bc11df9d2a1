import { ANALYZER_RULES } from '../analyzers/index.js';
import { SUSPICIOUS_ENDPOINT } from '../analyzers/text/iocs.js';
import { ARCHIVE_RULES } from '../artifact/rules.js';
import type { RuleMeta } from '../core/types.js';
import { INTEGRITY_MISMATCH } from '../ecosystems/npm/plugin.js';
import { INTEL_RULES } from '../intel/rules.js';

/** The one catalogue of every rule Beagle can report, by stable id. */
export function allRules(): RuleMeta[] {
  const byId = new Map<string, RuleMeta>();
  for (const r of [
    ...ARCHIVE_RULES,
    INTEGRITY_MISMATCH,
    SUSPICIOUS_ENDPOINT,
    ...ANALYZER_RULES,
    ...INTEL_RULES,
  ]) {
    if (!byId.has(r.id)) byId.set(r.id, r);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/** Finds a rule by id (`JS-001`, case-insensitive) or slug (`process-execution`). */
export function findRule(idOrName: string): RuleMeta | undefined {
  const key = idOrName.toLowerCase();
  return allRules().find((r) => r.id.toLowerCase() === key || r.name === key);
}
