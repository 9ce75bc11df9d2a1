import type { Ecosystem } from '../core/types.js';
import { ecosystemFromOsv, normalizeName } from './normalize.js';
import { type OsvRange, rangeCoversAll } from './versions.js';

/** The parts of an OSV record (https://ossf.github.io/osv-schema/) Beagle uses. */
export interface OsvRecord {
  id: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  affected?: {
    package?: { ecosystem?: string; name?: string; purl?: string };
    ranges?: OsvRange[];
    versions?: string[];
    database_specific?: Record<string, unknown>;
  }[];
  references?: { type?: string; url?: string }[];
  credits?: { name?: string }[];
  database_specific?: Record<string, unknown>;
}

/** One affected package of a malicious-package advisory, ready for the store. */
export interface AffectedRow {
  ecosystem: Ecosystem;
  name: string;
  norm: string;
  allVersions: boolean;
  versions: string[];
  ranges: OsvRange[];
}

export interface Advisory {
  id: string;
  modified: string;
  published?: string;
  summary: string;
  details: string;
  aliases: string[];
  /** Who reported it: `malicious-packages-origins` sources, credits. */
  sources: string[];
  references: string[];
  iocs: string[];
  affected: AffectedRow[];
  /** Set when the record was withdrawn: importing it removes the advisory. */
  withdrawn?: string;
}

/** Malicious-package records: `MAL-` ids, a `MAL-` alias, or OpenSSF origins metadata. */
export function isMaliciousRecord(r: OsvRecord): boolean {
  return (
    r.id.startsWith('MAL-') ||
    (r.aliases ?? []).some((a) => a.startsWith('MAL-')) ||
    Array.isArray(r.database_specific?.['malicious-packages-origins'])
  );
}

function collectIocs(value: unknown, out: Set<string>, inIocs = false): void {
  if (typeof value === 'string') {
    if (inIocs) out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectIocs(v, out, inIocs);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectIocs(v, out, inIocs || k === 'iocs');
  }
}

/** Validates and reduces a parsed OSV JSON document; returns undefined for records Beagle does not keep. */
export function toAdvisory(raw: unknown): Advisory | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as OsvRecord;
  if (typeof r.id !== 'string' || !isMaliciousRecord(r)) return undefined;
  const affected: AffectedRow[] = [];
  for (const a of r.affected ?? []) {
    const eco = ecosystemFromOsv(a.package?.ecosystem ?? '');
    const name = a.package?.name;
    if (!eco || typeof name !== 'string' || !name) continue;
    const ranges = (a.ranges ?? []).filter((x) => x && Array.isArray(x.events));
    const versions = (a.versions ?? []).map(String);
    affected.push({
      ecosystem: eco,
      name,
      norm: normalizeName(eco, name),
      // no ranges and no versions: OSV says every version is affected
      allVersions: ranges.some(rangeCoversAll) || (ranges.length === 0 && versions.length === 0),
      versions,
      ranges,
    });
  }
  if (affected.length === 0) return undefined;
  const sources = new Set<string>();
  const origins = r.database_specific?.['malicious-packages-origins'];
  if (Array.isArray(origins))
    for (const o of origins) if (typeof o?.source === 'string') sources.add(o.source);
  for (const c of r.credits ?? []) if (c?.name) sources.add(c.name);
  const iocs = new Set<string>();
  collectIocs(r.database_specific, iocs);
  for (const a of r.affected ?? []) collectIocs(a.database_specific, iocs);
  return {
    id: r.id,
    modified: r.modified ?? '',
    published: r.published,
    summary: r.summary ?? (r.details ?? '').split('\n')[0]!.slice(0, 200),
    details: r.details ?? '',
    aliases: r.aliases ?? [],
    sources: [...sources],
    references: (r.references ?? []).map((x) => x.url).filter((u): u is string => typeof u === 'string'),
    iocs: [...iocs],
    affected,
    ...(r.withdrawn ? { withdrawn: r.withdrawn } : {}),
  };
}
