import { ANALYZERS } from './analyzers/index.js';
import { BeagleError, errorCode, errorMessage } from './core/errors.js';
import { type ReadLimits, withLimits } from './core/limits.js';
import type { Analyzer, Artifact, Finding, ScanError, ScanReport } from './core/types.js';
import { pluginFor } from './ecosystems/index.js';
import type { EcosystemPlugin, LoadOptions } from './ecosystems/types.js';
import { loadTarget } from './sources/resolve.js';
import { computeVerdict } from './verdict/score.js';

export interface ScanOptions {
  limits?: Partial<ReadLimits>;
  /** Registry / index / repository base URL override for the target's ecosystem. */
  registry?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Per-request network timeout (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra analyzers (e.g. intel lookups) run after the built-in ones. */
  extraAnalyzers?: Analyzer[];
}

export function loadOptions(options: ScanOptions = {}): LoadOptions {
  return {
    limits: withLimits(options.limits),
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    registry: options.registry,
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal,
  };
}

function errorReport(target: string, err: unknown, started: number): ScanReport {
  const error: ScanError = { target, code: errorCode(err), message: errorMessage(err) };
  if (!(err instanceof BeagleError)) error.message = `${target}: internal error: ${errorMessage(err)}`;
  return {
    schemaVersion: 1,
    target,
    verdict: 'error',
    score: 0,
    categories: [],
    reasons: [],
    findings: [],
    stats: { files: 0, bytes: 0, parsedFiles: 0, unparsedFiles: 0, durationMs: Date.now() - started },
    errors: [error],
    warnings: [],
  };
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

/** Runs every applicable analyzer over an artifact that was already read, and builds its report. */
export async function scanArtifact(
  artifact: Artifact,
  options: { plugin?: EcosystemPlugin; extraAnalyzers?: Analyzer[]; target?: string; started?: number } = {},
): Promise<ScanReport> {
  const started = options.started ?? Date.now();
  const plugin = options.plugin ?? pluginFor(artifact.ecosystem);
  if (!plugin) throw new BeagleError('unsupported', `${artifact.ecosystem}: no plugin for this ecosystem`);
  const pkg = plugin.packageContext(artifact);
  const findings: Finding[] = [...artifact.readFindings];
  const errors: ScanError[] = [];
  const target = options.target ?? artifact.source.target;
  for (const analyzer of [...ANALYZERS, ...(options.extraAnalyzers ?? [])]) {
    if (!analyzer.appliesTo(artifact)) continue;
    try {
      findings.push(...(await analyzer.analyze(pkg)));
    } catch (err) {
      errors.push({
        target,
        code: 'analyzer-failed',
        message: `${target}: analyzer ${analyzer.id} failed: ${errorMessage(err)}`,
      });
    }
  }
  if (artifact.source.integrity?.expected && !artifact.source.integrity.verified) {
    errors.push({
      target,
      code: 'integrity',
      message: `${target}: downloaded bytes do not match the registry's published digest (${artifact.source.integrity.expected.slice(0, 40)}…)`,
    });
  }
  findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0),
  );
  const verdict = computeVerdict(findings);
  const parsedFiles = new Set(findings.filter((f) => f.ruleId === 'JS-000').map((f) => f.file));
  return {
    schemaVersion: 1,
    target,
    package: {
      ecosystem: artifact.ecosystem,
      name: artifact.name,
      version: artifact.version,
      source: artifact.source,
    },
    verdict:
      errors.some((e) => e.code === 'analyzer-failed') && verdict.verdict === 'clean'
        ? 'error'
        : verdict.verdict,
    score: verdict.score,
    categories: verdict.categories,
    reasons: verdict.reasons,
    findings,
    stats: {
      files: artifact.files.length,
      bytes: artifact.bytes,
      parsedFiles: artifact.files.filter((f) => f.kind === 'text').length - parsedFiles.size,
      unparsedFiles: parsedFiles.size,
      durationMs: Date.now() - started,
    },
    errors,
    warnings: artifact.warnings,
  };
}

/**
 * Scans one target (registry spec, tarball, archive or folder) and returns its report.
 * Never throws for a bad target: the report then has verdict `error` and says why.
 */
export async function scan(target: string, options: ScanOptions = {}): Promise<ScanReport> {
  const started = Date.now();
  try {
    const { artifact, plugin } = await loadTarget(target, loadOptions(options));
    return await scanArtifact(artifact, { plugin, extraAnalyzers: options.extraAnalyzers, target, started });
  } catch (err) {
    return errorReport(target, err, started);
  }
}
