import { SingleBar } from 'cli-progress';
import { Piscina } from 'piscina';
import { VERSION } from '../cli/version.js';
import type { ScanReport } from '../core/types.js';
import { ECOSYSTEMS } from '../ecosystems/index.js';
import { INTEGRITY_MISMATCH } from '../ecosystems/npm/plugin.js';
import type { IntelStore } from '../intel/store.js';
import { makeFinding } from '../rules/finding.js';
import type { ScanOptions } from '../scan.js';
import type { DeepTask } from './deep-worker.js';
import type { Dependency } from './types.js';

export interface DeepOptions {
  concurrency: number;
  progress: boolean;
  scanOptions: Omit<ScanOptions, 'signal' | 'extraAnalyzers'>;
  /** Ignore cached verdicts (they are still refreshed). */
  noCache?: boolean;
}

export interface DeepResult {
  key: string;
  report: ScanReport;
  cached: boolean;
}

const RANK = ['sha1', 'sha256', 'sha384', 'sha512'];

/** The strongest `alg-base64` token of an SRI string (`sha512-...`); undefined for other formats. */
export function strongestSri(integrity: string | undefined): string | undefined {
  if (!integrity) return undefined;
  const tokens = integrity
    .split(/\s+/)
    .filter((t) => /^(sha1|sha256|sha384|sha512)-/.test(t))
    .sort((a, b) => RANK.indexOf(b.split('-')[0]!) - RANK.indexOf(a.split('-')[0]!));
  return tokens[0]?.split('?')[0];
}

/**
 * Fallback cache key when the lockfile records no digest: npm and PyPI never let a published
 * version's bytes change, so name@version plus the resolved URL identifies the artifact.
 */
const identityKey = (d: Dependency) => `id:${d.ecosystem}:${d.name}@${d.version}|${d.resolved ?? ''}`;

/** Verdict-cache key: the engine version plus the artifact digest. */
export const cacheKey = (digest: string) => `${VERSION}|${digest}`;

function errorReport(target: string, code: string, message: string): ScanReport {
  return {
    schemaVersion: 1,
    target,
    verdict: 'error',
    score: 0,
    categories: [],
    reasons: [],
    findings: [],
    stats: { files: 0, bytes: 0, parsedFiles: 0, unparsedFiles: 0, durationMs: 0 },
    errors: [{ target, code, message }],
    warnings: [],
  };
}

/** The scan target of a pinned dependency for its ecosystem's plugin. */
export function deepTarget(d: Dependency): string | undefined {
  const plugin = ECOSYSTEMS.find((p) => p.ecosystem === d.ecosystem);
  if (!plugin) return undefined;
  // each plugin's own spec syntax: npm:name@1.0.0, pypi:name==1.0.0, maven:group:artifact:1.0.0
  if (d.ecosystem === 'pypi') return `${plugin.prefix}:${d.name}==${d.version}`;
  if (d.ecosystem === 'maven') return `${plugin.prefix}:${d.name}:${d.version}`;
  return `${plugin.prefix}:${d.name}@${d.version}`;
}

/**
 * Downloads and scans every pinned registry artifact concurrently in worker threads. Verdicts
 * are cached by artifact digest (the lockfile's integrity, else the downloaded digest), so a
 * second run of the same lockfile only reads the cache. A lockfile digest that differs from the
 * downloaded bytes is an INT-001 finding and an error.
 */
export async function deepScan(
  deps: Dependency[],
  options: DeepOptions,
  store?: IntelStore,
): Promise<DeepResult[]> {
  const key = (d: Dependency) => `${d.ecosystem}:${d.name}@${d.version}`;
  const out: DeepResult[] = [];
  const todo: { dep: Dependency; target: string }[] = [];
  for (const d of deps) {
    const k = key(d);
    const target = deepTarget(d);
    if (!target) {
      out.push({
        key: k,
        cached: false,
        report: errorReport(
          k,
          'unsupported',
          `${k}: deep scan of ${d.ecosystem} packages is not available (no ${d.ecosystem} plugin in this build)`,
        ),
      });
      continue;
    }
    if (!d.version) {
      out.push({
        key: k,
        cached: false,
        report: errorReport(k, 'unpinned', `${k}: no pinned version in ${d.file}; nothing to download`),
      });
      continue;
    }
    const sri = strongestSri(d.integrity) ?? identityKey(d);
    const cached = store && !options.noCache ? store.getVerdict<ScanReport>(cacheKey(sri)) : undefined;
    if (cached) out.push({ key: k, cached: true, report: cached });
    else todo.push({ dep: d, target });
  }
  if (todo.length === 0) return out;
  const bar = options.progress
    ? new SingleBar({
        format: 'deep scan [{bar}] {value}/{total} {target}',
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
      })
    : undefined;
  bar?.start(todo.length, 0, { target: '' });
  const pool = new Piscina({
    filename: new URL('./deep-worker.js', import.meta.url).href,
    maxThreads: Math.max(1, Math.min(options.concurrency, todo.length)),
    minThreads: 1,
    idleTimeout: 1000,
  });
  try {
    const done = await Promise.all(
      todo.map(async ({ dep, target }) => {
        const task: DeepTask = { target, options: options.scanOptions };
        const report = (await pool.run(task)) as ScanReport;
        bar?.increment(1, { target });
        const expected = strongestSri(dep.integrity);
        const actual = report.package?.source.integrity?.actual;
        // hex digests (`sha256:<hex>`, one per wheel/sdist in Python lockfiles): the downloaded file must be one of them
        const hexList = (dep.integrity ?? '')
          .split(/\s+/)
          .filter((t) => /^sha(256|384|512):[0-9a-f]+$/.test(t));
        const hexMismatch =
          !!actual &&
          hexList.length > 0 &&
          hexList.some((h) => h.split(':')[0] === actual.split(':')[0]) &&
          !hexList.includes(actual);
        const sriMismatch =
          !!expected && !!actual && actual.split('-')[0] === expected.split('-')[0] && actual !== expected;
        if (sriMismatch || hexMismatch) {
          report.findings.unshift(
            makeFinding(INTEGRITY_MISMATCH, {
              message: `the registry artifact's digest ${actual!.slice(0, 30)}… differs from the lockfile's ${(expected ?? hexList.join(' ')).slice(0, 30)}…`,
              file: dep.file,
              line: dep.line,
              evidence: { expected, actual, contentHash: actual },
            }),
          );
          report.errors.push({
            target,
            code: 'integrity',
            message: `${target}: downloaded artifact does not match the integrity recorded in ${dep.file}`,
          });
        }
        if (report.verdict !== 'error' && report.errors.length === 0 && store) {
          const keys = [actual, expected ?? identityKey(dep)].filter((x): x is string => !!x).map(cacheKey);
          try {
            store.putVerdict([...new Set(keys)], report);
          } catch {
            /* a read-only cache only costs time */
          }
        }
        return { key: key(dep), cached: false, report };
      }),
    );
    out.push(...done);
  } finally {
    bar?.stop();
    await pool.destroy();
  }
  return out;
}
