import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { Ecosystem, Finding, ScanError, ScanReport } from '../core/types.js';
import { intelFinding, nameFindings } from '../intel/heuristics.js';
import { popularIndex } from '../intel/names.js';
import { defaultDbPath } from '../intel/paths.js';
import { IntelStore, type StoreStatus } from '../intel/store.js';
import { computeVerdict } from '../verdict/score.js';
import { applySuppressions, contentHash, type ProjectConfig } from './config.js';
import { type DeepOptions, deepScan } from './deep.js';
import { discover, type ExtractFailure, extractPath } from './extract.js';
import { ExtractError } from './extractors/util.js';
import type { Dependency, Extraction } from './types.js';

export interface AuditOptions {
  /** Lockfiles, manifests, node_modules folders or project folders. */
  paths: string[];
  recursive?: boolean;
  config: ProjectConfig;
  /** Intel database file; `false` skips known-malware lookups. */
  db?: string | false;
  /** Leave dev-only dependencies out. */
  production?: boolean;
  /** Download and scan every pinned artifact. */
  deep?: DeepOptions | false;
  /** Base for relative paths in reports (default: cwd). */
  cwd?: string;
  now?: Date;
}

export interface AuditedFile {
  file: string;
  format: string;
  ecosystem: Ecosystem;
  dependencies: number;
  warnings: string[];
}

export interface AuditResult {
  schemaVersion: 1;
  kind: 'audit';
  files: AuditedFile[];
  /** One report per package with findings (and per deep-scanned package), plus one per unreadable file. */
  reports: ScanReport[];
  dependencies: Dependency[];
  intel?: Pick<StoreStatus, 'path' | 'advisories' | 'lastUpdate'> & { ageHours?: number };
  warnings: string[];
  stats: { packages: number; unique: number; checked: number; durationMs: number };
}

/** `file:line` lockfile location of a package, used by SARIF. */
export interface AuditLocation {
  file: string;
  line?: number;
}

function errorReportFor(file: string, message: string, code = 'extract'): ScanReport {
  const error: ScanError = { target: file, code, message };
  return {
    schemaVersion: 1,
    target: file,
    verdict: 'error',
    score: 0,
    categories: [],
    reasons: [],
    findings: [],
    stats: { files: 0, bytes: 0, parsedFiles: 0, unparsedFiles: 0, durationMs: 0 },
    errors: [error],
    warnings: [],
  };
}

export const packageKey = (d: { ecosystem: Ecosystem; name: string; version: string }) =>
  `${d.ecosystem}:${d.name}@${d.version}`;

/** The hash a suppression must quote for a package-level finding: the artifact digest, else its identity. */
export function packageContentHash(d: Dependency): string {
  return contentHash(d.integrity ?? `${d.ecosystem}:${d.name}@${d.version}|${d.resolved ?? ''}`);
}

/**
 * Audits dependencies: extracts every lockfile, looks each pinned package up in the known-malware
 * database, applies the name heuristics, optionally deep-scans, and applies suppressions.
 * Unreadable files become error reports; the other results are kept.
 */
export async function audit(
  options: AuditOptions,
): Promise<AuditResult & { locations: Map<string, AuditLocation> }> {
  const started = Date.now();
  const cwd = options.cwd ?? process.cwd();
  const rel = (f: string) => {
    const r = path.relative(cwd, path.resolve(cwd, f));
    return (r.startsWith('..') ? path.resolve(cwd, f) : r).split(path.sep).join('/');
  };
  const reports: ScanReport[] = [];
  const warnings: string[] = [];
  const files: AuditedFile[] = [];
  const extractions: Extraction[] = [];

  // 1. which files
  const targets: string[] = [];
  for (const p of options.paths) {
    if (existsSync(p) && !/(^|[\\/])node_modules[\\/]?$/.test(p) && statSync(p).isDirectory()) {
      try {
        targets.push(...(await discover(p, options.recursive ?? false)));
      } catch (err) {
        const msg = err instanceof ExtractError ? err.message : errorMessage(err);
        reports.push(errorReportFor(p, `could not extract from "${p}": ${msg}`));
      }
    } else targets.push(p);
  }
  // 2. extract
  const results = await Promise.all(targets.map((t) => extractPath(t)));
  for (const r of results) {
    if ('message' in r && !('format' in r)) {
      const f = r as ExtractFailure;
      reports.push(errorReportFor(rel(f.file), f.message));
      continue;
    }
    const ex = r as Extraction;
    for (const d of ex.dependencies) d.file = rel(d.file);
    extractions.push(ex);
    files.push({
      file: rel(ex.file),
      format: ex.format,
      ecosystem: ex.ecosystem,
      dependencies: ex.dependencies.length,
      warnings: ex.warnings,
    });
    for (const w of ex.warnings) warnings.push(`${rel(ex.file)}: ${w}`);
  }
  let dependencies = extractions.flatMap((e) => e.dependencies);
  if (options.production) dependencies = dependencies.filter((d) => !d.dev);

  // 3. intel
  let store: IntelStore | undefined;
  let intel: AuditResult['intel'];
  if (options.db !== false) {
    const dbPath = options.db ?? defaultDbPath();
    if (existsSync(dbPath) || options.deep) {
      try {
        store = IntelStore.open(dbPath, { readonly: !options.deep });
        const st = store.status();
        intel = { path: st.path, advisories: st.advisories, lastUpdate: st.lastUpdate };
        if (st.lastUpdate) intel.ageHours = Math.round((Date.now() - Date.parse(st.lastUpdate)) / 36e5);
        if (st.advisories === 0)
          warnings.push(`the known-malware database ${dbPath} is empty: run \`beagle db update\``);
        else if ((intel.ageHours ?? 0) > 24 * 7)
          warnings.push(
            `the known-malware database is ${Math.round(intel.ageHours! / 24)} days old: run \`beagle db update\``,
          );
      } catch (err) {
        reports.push(errorReportFor(dbPath, errorMessage(err), 'intel-db'));
      }
    } else {
      warnings.push(
        `no known-malware database at ${dbPath}: only name heuristics ran (run \`beagle db update\` first)`,
      );
    }
  }

  // 4. per unique package
  const byKey = new Map<string, Dependency[]>();
  for (const d of dependencies) {
    const k = packageKey(d);
    const list = byKey.get(k);
    if (list) list.push(d);
    else byKey.set(k, [d]);
  }
  const locations = new Map<string, AuditLocation>();
  const used = new Set<number>();
  const findingsOf = new Map<string, Finding[]>();
  let checked = 0;
  for (const [key, occurrences] of byKey) {
    const d = occurrences.find((o) => o.source === 'registry') ?? occurrences[0]!;
    locations.set(key, { file: d.file, line: d.line });
    if (d.source !== 'registry' && d.source !== 'url') continue;
    checked++;
    const where = { file: d.file, line: d.line };
    const findings: Finding[] = [];
    if (store)
      for (const m of store.lookup(d.ecosystem, d.name, d.version))
        findings.push(intelFinding(m, where, d.version));
    if (d.source === 'registry') {
      const index = popularIndex(d.ecosystem);
      findings.push(
        ...nameFindings({ ...d, ...where }, { internal: options.config.internal[d.ecosystem], index }),
      );
    }
    if (findings.length === 0) continue;
    const hash = packageContentHash(d);
    for (const f of findings) f.evidence = { ...f.evidence, contentHash: hash };
    findingsOf.set(key, findings);
  }

  // 5. deep scan
  const deepReports = new Map<string, ScanReport>();
  if (options.deep) {
    const unique = [...byKey.values()]
      .map((occ) => occ.find((o) => o.source === 'registry'))
      .filter((d): d is Dependency => !!d);
    for (const r of await deepScan(unique, options.deep, store)) deepReports.set(r.key, r.report);
  }
  store?.close();

  // 6. reports
  for (const [key, occurrences] of byKey) {
    const d = occurrences.find((o) => o.source === 'registry') ?? occurrences[0]!;
    const deep = deepReports.get(key);
    const findings = [...(findingsOf.get(key) ?? []), ...(deep?.findings ?? [])];
    if (findings.length === 0 && !deep) continue;
    applySuppressions(options.config, d, findings, used, options.now);
    const verdict = computeVerdict(findings);
    const loc = locations.get(key)!;
    reports.push({
      schemaVersion: 1,
      target: key,
      package: {
        ecosystem: d.ecosystem,
        name: d.name,
        version: d.version,
        source: deep?.package?.source ?? {
          type: 'registry',
          target: key,
          location: `${loc.file}${loc.line ? `:${loc.line}` : ''}`,
          ...(d.integrity
            ? { integrity: { expected: d.integrity, actual: d.integrity, verified: false } }
            : {}),
        },
      },
      verdict: deep?.verdict === 'error' && verdict.verdict === 'clean' ? 'error' : verdict.verdict,
      score: verdict.score,
      categories: verdict.categories,
      reasons: [
        ...verdict.reasons,
        `in ${occurrences
          .map((o) => `${o.file}${o.line ? `:${o.line}` : ''}`)
          .filter((v, i, a) => a.indexOf(v) === i)
          .slice(0, 3)
          .join(
            ', ',
          )}${occurrences.some((o) => o.direct) ? ' (direct)' : ''}${occurrences.every((o) => o.dev) ? ' (dev only)' : ''}`,
      ],
      findings,
      stats: deep?.stats ?? { files: 0, bytes: 0, parsedFiles: 0, unparsedFiles: 0, durationMs: 0 },
      errors: deep?.errors ?? [],
      warnings: deep?.warnings ?? [],
    });
  }
  options.config.suppressions.forEach((s, i) => {
    if (!used.has(i)) warnings.push(`suppression #${i + 1} (${s.package} ${s.rule}) matched no finding`);
    if (s.expires && Date.parse(s.expires) < (options.now ?? new Date()).getTime())
      warnings.push(`suppression #${i + 1} (${s.package} ${s.rule}) expired on ${s.expires}`);
  });
  const order = { error: 0, malicious: 1, suspicious: 2, clean: 3 } as const;
  reports.sort(
    (a, b) => order[a.verdict] - order[b.verdict] || b.score - a.score || a.target.localeCompare(b.target),
  );
  return {
    schemaVersion: 1,
    kind: 'audit',
    files,
    reports,
    dependencies,
    intel,
    warnings,
    stats: { packages: dependencies.length, unique: byKey.size, checked, durationMs: Date.now() - started },
    locations,
  };
}
