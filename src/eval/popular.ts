/**
 * `npm run eval:popular`: precision on the packages people actually install. Scans the most
 * downloaded npm packages (from ../shared/popular/npm-top20000.tsv) straight from the registry,
 * with the same `scan()` the CLI uses, and reports how many come out clean, suspicious or
 * malicious. Every one of them is presumed legitimate, so anything flagged is a false positive
 * to explain (or a real compromise to report). Needs the npm registry; a package that could not
 * be fetched is an error, never counted as clean.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runScans } from '../cli/run-scans.js';
import type { ScanReport } from '../core/types.js';
import { loadOptions } from '../scan.js';
import { loadTarget } from '../sources/resolve.js';

export interface PopularEntry {
  name: string;
  downloads: number;
  /** 1-based rank in the downloads list. */
  rank: number;
}

/** Reads a `name<TAB>downloads_a_month` list (header line optional), most downloaded first. */
export function readPopular(file: string): PopularEntry[] {
  const out: PopularEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [name, downloads] = line.trim().split('\t');
    if (!name || name === 'name' || name.startsWith('#')) continue;
    out.push({ name, downloads: Number(downloads) || 0, rank: out.length + 1 });
  }
  return out;
}

/**
 * The packages to scan: the first `top`, plus `sample` more spread evenly (a fixed stride, so
 * reruns pick the same names) over the ranks up to `sampleFrom`.
 */
export function choosePopular(
  list: PopularEntry[],
  opts: { top: number; sample: number; sampleFrom: number; offset?: number },
): PopularEntry[] {
  const chosen = list.slice(0, opts.top);
  const pool = list.slice(opts.top, Math.max(opts.top, opts.sampleFrom));
  if (opts.sample > 0 && pool.length > 0) {
    const stride = Math.max(1, Math.floor(pool.length / opts.sample));
    // `offset` shifts the stride so a second run draws names the first did not (a held-out check)
    for (
      let i = (opts.offset ?? 0) % stride;
      i < pool.length && chosen.length < opts.top + opts.sample;
      i += stride
    )
      chosen.push(pool[i]!);
  }
  return chosen;
}

export interface PopularSummary {
  scanned: number;
  errors: number;
  clean: number;
  suspicious: number;
  malicious: number;
  /** Shares of the packages that were scanned (errors excluded). */
  flaggedRate: number;
  maliciousRate: number;
}

export function summarize(reports: ScanReport[]): PopularSummary {
  const count = (v: string) => reports.filter((r) => r.verdict === v).length;
  const errors = count('error');
  const scanned = reports.length - errors;
  const suspicious = count('suspicious');
  const malicious = count('malicious');
  return {
    scanned,
    errors,
    clean: count('clean'),
    suspicious,
    malicious,
    flaggedRate: scanned ? (suspicious + malicious) / scanned : 0,
    maliciousRate: scanned ? malicious / scanned : 0,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** What @nodesecure/js-x-ray reports on one package's JavaScript (the peer, for comparison). */
export interface PeerResult {
  /** Any warning at all, informational ones included. */
  any: boolean;
  /** A warning of severity Warning or Critical. */
  warning: boolean;
  critical: boolean;
  kinds: string[];
}

const PEER_JS = /\.(js|cjs|mjs)$/i;

/**
 * Runs js-x-ray's `AstAnalyser` over every JavaScript file of each package (read in memory by
 * Beagle's own loader, as the scan did). Undefined where the package could not be fetched.
 */
export async function peerReports(
  names: string[],
  registry?: string,
): Promise<Array<PeerResult | undefined>> {
  // js-x-ray 16 calls RegExp.escape, which Node 20 lacks.
  await import('regexp.escape/auto' as string);
  const { AstAnalyser } = await import('@nodesecure/js-x-ray');
  const analyser = new AstAnalyser();
  const out: Array<PeerResult | undefined> = [];
  for (const name of names) {
    try {
      const { artifact } = await loadTarget(
        `npm:${name}@latest`,
        loadOptions({ registry, cwd: process.cwd() }),
      );
      const kinds = new Set<string>();
      let warning = false;
      let critical = false;
      for (const f of artifact.files) {
        if (f.kind !== 'text' || !PEER_JS.test(f.path)) continue;
        let warnings: Array<{ kind: string; severity: string }>;
        try {
          warnings = analyser.analyse(f.data.toString('utf8')).warnings;
        } catch {
          warnings = [{ kind: 'parsing-error', severity: 'Information' }];
        }
        for (const w of warnings) {
          kinds.add(w.kind);
          if (w.severity === 'Warning' || w.severity === 'Critical') warning = true;
          if (w.severity === 'Critical') critical = true;
        }
      }
      out.push({ any: kinds.size > 0, warning, critical, kinds: [...kinds].sort() });
    } catch {
      out.push(undefined);
    }
  }
  return out;
}

/** The peer's row next to Beagle's: how many of the same packages each one flags. */
export function formatPeer(peer: Array<PeerResult | undefined>, reports: ScanReport[]): string {
  const ok = peer.filter((p): p is PeerResult => p !== undefined);
  const n = ok.length;
  const share = (k: number) => (n ? `${k} (${pct(k / n)})` : '0');
  const flagged = reports.filter((r) => r.verdict === 'suspicious' || r.verdict === 'malicious').length;
  const scanned = reports.filter((r) => r.verdict !== 'error').length;
  return [
    '| tool, same packages | packages | flagged |',
    '|---|---:|---|',
    `| Beagle: verdict suspicious or malicious | ${scanned} | ${scanned ? `${flagged} (${pct(flagged / scanned)})` : '0'} |`,
    `| js-x-ray 16: any warning | ${n} | ${share(ok.filter((p) => p.any).length)} |`,
    `| js-x-ray 16: a Warning or Critical warning | ${n} | ${share(ok.filter((p) => p.warning).length)} |`,
    `| js-x-ray 16: a Critical warning | ${n} | ${share(ok.filter((p) => p.critical).length)} |`,
  ].join('\n');
}

/** The Markdown summary table and one line per flagged or failed package. */
export function formatPopular(entries: PopularEntry[], reports: ScanReport[]): string {
  const s = summarize(reports);
  const lines = [
    '| packages | scanned | errors | clean | suspicious | malicious | flagged (mal+sus) | malicious |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${reports.length} | ${s.scanned} | ${s.errors} | ${s.clean} | ${s.suspicious} | ${s.malicious} | ${pct(s.flaggedRate)} | ${pct(s.maliciousRate)} |`,
  ];
  const notable = reports
    .map((r, i) => ({ r, e: entries[i]! }))
    .filter(({ r }) => r.verdict !== 'clean')
    .sort((a, b) => b.r.score - a.r.score);
  if (notable.length > 0) lines.push('');
  for (const { r, e } of notable) {
    const id = r.package ? `${r.package.name}@${r.package.version}` : e.name;
    const why =
      r.verdict === 'error'
        ? r.errors.map((x) => x.message).join('; ')
        : [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId))]
            .slice(0, 6)
            .join(' ') + (r.reasons[0] ? ` — ${r.reasons[0]}` : '');
    lines.push(`- ${r.verdict} ${r.verdict === 'error' ? '' : `${r.score} `}#${e.rank} ${id}: ${why}`);
  }
  return lines.join('\n');
}

/** One package's line in a run's `--json` output (what `--compare` reads back). */
export interface PopularRow {
  name: string;
  version?: string;
  verdict: string;
  score: number;
  rules: string[];
}

export type RunChangeKind =
  | 'newly flagged'
  | 'no longer flagged'
  | 'verdict'
  | 'score'
  | 'error'
  | 'now scanned';

export interface RunChange {
  kind: RunChangeKind;
  name: string;
  before: PopularRow;
  after: PopularRow;
}

const flagged = (verdict: string) => verdict === 'suspicious' || verdict === 'malicious';

/**
 * What moved between two runs over the same names (an earlier build's `--json` and this run):
 * packages that became flagged or stopped being flagged, other verdict changes, scores that
 * moved by `minScoreDelta` or more, and packages that failed in one run only. A precision
 * regression shows up here before it shows in the rates, and each line names the rules that
 * appeared or went away. Names in only one of the runs are listed apart.
 */
export function compareRuns(
  before: PopularRow[],
  after: PopularRow[],
  minScoreDelta = 10,
): { changes: RunChange[]; onlyBefore: string[]; onlyAfter: string[] } {
  const old = new Map(before.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const changes: RunChange[] = [];
  for (const a of after) {
    const b = old.get(a.name);
    if (!b) continue;
    seen.add(a.name);
    let kind: RunChangeKind | undefined;
    if (a.verdict === 'error' && b.verdict !== 'error') kind = 'error';
    else if (b.verdict === 'error' && a.verdict !== 'error') kind = 'now scanned';
    else if (flagged(a.verdict) && !flagged(b.verdict)) kind = 'newly flagged';
    else if (!flagged(a.verdict) && flagged(b.verdict)) kind = 'no longer flagged';
    else if (a.verdict !== b.verdict) kind = 'verdict';
    else if (Math.abs(a.score - b.score) >= minScoreDelta) kind = 'score';
    if (kind) changes.push({ kind, name: a.name, before: b, after: a });
  }
  const order: RunChangeKind[] = [
    'newly flagged',
    'verdict',
    'score',
    'no longer flagged',
    'error',
    'now scanned',
  ];
  changes.sort((x, y) => order.indexOf(x.kind) - order.indexOf(y.kind) || y.after.score - x.after.score);
  return {
    changes,
    onlyBefore: before.filter((r) => !seen.has(r.name)).map((r) => r.name),
    onlyAfter: after.filter((r) => !old.has(r.name)).map((r) => r.name),
  };
}

/** The comparison as Markdown: a count per kind of change, then one line per package. */
export function formatComparison(file: string, result: ReturnType<typeof compareRuns>): string {
  const { changes, onlyBefore, onlyAfter } = result;
  const count = (k: RunChangeKind) => changes.filter((c) => c.kind === k).length;
  const lines = [
    `Against ${file}: ${count('newly flagged')} newly flagged, ${count('no longer flagged')} no longer flagged, ${count('verdict')} other verdict changes, ${count('score')} score moves of 10 or more, ${count('error')} new errors, ${count('now scanned')} scanned now but not then.`,
  ];
  const state = (r: PopularRow) => (r.verdict === 'error' ? 'error' : `${r.verdict} ${r.score}`);
  for (const c of changes) {
    const added = c.after.rules.filter((r) => !c.before.rules.includes(r));
    const removed = c.before.rules.filter((r) => !c.after.rules.includes(r));
    const rules = [...added.map((r) => `+${r}`), ...removed.map((r) => `-${r}`)].join(' ');
    const version =
      c.before.version && c.after.version && c.before.version !== c.after.version
        ? ` (version ${c.before.version} then, ${c.after.version} now: the package changed too)`
        : '';
    lines.push(
      `- ${c.kind}: ${c.name}${c.after.version ? `@${c.after.version}` : ''} ${state(c.before)} -> ${state(c.after)}${rules ? ` (${rules})` : ''}${version}`,
    );
  }
  if (onlyBefore.length > 0) lines.push(`- only in ${file}: ${onlyBefore.join(', ')}`);
  if (onlyAfter.length > 0) lines.push(`- only in this run: ${onlyAfter.join(', ')}`);
  return lines.join('\n');
}

/** The per-package rows this run writes with `--json` (and `--compare` reads back). */
function rowsOf(entries: PopularEntry[], reports: ScanReport[]): Array<PopularRow & { rank: number }> {
  return reports.map((r, i) => ({
    rank: entries[i]!.rank,
    name: entries[i]!.name,
    version: r.package?.version,
    verdict: r.verdict,
    score: r.score,
    rules: [...new Set(r.findings.map((f) => f.ruleId))],
  }));
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      list: { type: 'string', default: path.resolve(process.cwd(), '../shared/popular/npm-top20000.tsv') },
      top: { type: 'string', default: '100' },
      sample: { type: 'string', default: '0' },
      'sample-from': { type: 'string', default: '2000' },
      offset: { type: 'string', default: '0' },
      registry: { type: 'string' },
      concurrency: { type: 'string', default: '2' },
      json: { type: 'string' },
      peer: { type: 'boolean', default: false },
      compare: { type: 'string' },
    },
  });
  const list = values.list!;
  // read before scanning: a wrong path should fail in a second, not after an hour of scans
  let baseline: PopularRow[] | undefined;
  if (values.compare) {
    try {
      baseline = (JSON.parse(readFileSync(values.compare, 'utf8')) as { packages: PopularRow[] }).packages;
      if (!Array.isArray(baseline)) throw new Error('no "packages" list');
    } catch (err) {
      console.error(`eval:popular: cannot read --compare ${values.compare}: ${(err as Error).message}`);
      return 2;
    }
  }
  if (!existsSync(list)) {
    console.log(`eval:popular: skipped, no popular-package list at ${list} (pass --list FILE)`);
    return 0;
  }
  const entries = choosePopular(readPopular(list), {
    top: Number(values.top),
    sample: Number(values.sample),
    sampleFrom: Number(values['sample-from']),
    offset: Number(values.offset),
  });
  const started = Date.now();
  const reports = await runScans(
    entries.map((e) => `npm:${e.name}@latest`),
    {
      concurrency: Math.max(1, Number(values.concurrency)),
      progress: !!process.stderr.isTTY,
      scanOptions: { cwd: process.cwd(), registry: values.registry },
    },
  );
  console.log(formatPopular(entries, reports));
  const peer = values.peer
    ? await peerReports(
        entries.map((e) => e.name),
        values.registry,
      )
    : undefined;
  if (peer) console.log(`\n${formatPeer(peer, reports)}`);
  const rows = rowsOf(entries, reports);
  if (baseline) console.log(`\n${formatComparison(values.compare!, compareRuns(baseline, rows))}`);
  console.log(`\n${entries.length} packages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify(
        {
          summary: summarize(reports),
          packages: rows.map((row, i) => ({
            ...row,
            ...(peer ? { peer: peer[i] } : {}),
            errors: reports[i]!.errors,
          })),
        },
        null,
        2,
      ),
    );
  }
  // A package that could not be scanned is not clean: the run says so in its exit code.
  return reports.some((r) => r.verdict === 'error') ? 2 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((c) => (process.exitCode = c));
}
