import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { ScanReport, Severity } from '../../core/types.js';
import { renderJson } from '../../report/json.js';
import { renderOsv } from '../../report/osv.js';
import { renderSarif } from '../../report/sarif.js';
import { renderText } from '../../report/text.js';
import { defaultConcurrency, runScans } from '../run-scans.js';
import type { CommandRegistrar } from './index.js';

export type FailOn = 'suspicious' | 'malicious' | 'never';

/** Exit code for a set of reports: 2 on any error, 1 when a verdict reaches --fail-on, else 0. */
export function exitCodeFor(reports: ScanReport[], failOn: FailOn): number {
  if (reports.some((r) => r.verdict === 'error' || r.errors.length > 0)) return 2;
  if (failOn === 'never') return 0;
  const hit = reports.some(
    (r) => r.verdict === 'malicious' || (failOn === 'suspicious' && r.verdict === 'suspicious'),
  );
  return hit ? 1 : 0;
}

export type OutputFormat = 'text' | 'json' | 'sarif' | 'osv';

/** Renders reports in any supported format; formats register here. */
export const RENDERERS: Record<
  string,
  (reports: ScanReport[], opts: { color: boolean; minSeverity: Severity }) => string
> = {
  text: (r, o) => renderText(r, o),
  json: (r) => renderJson(r),
  sarif: (r) => renderSarif(r),
  osv: (r) => renderOsv(r),
};

export const registerScan: CommandRegistrar = (program, setExit) => {
  program
    .command('scan')
    .description(
      'Scan packages: registry specs (npm:name@ver, name@range), .tgz tarballs or package folders.',
    )
    .argument('<targets...>', 'what to scan')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(Object.keys(RENDERERS)).default('text'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <verdict>', 'exit 1 when a verdict reaches this level')
        .choices(['suspicious', 'malicious', 'never'])
        .default('suspicious'),
    )
    .option(
      '-c, --concurrency <n>',
      'targets scanned in parallel (worker threads)',
      (v) => Number.parseInt(v, 10),
      defaultConcurrency(),
    )
    .option('--registry <url>', 'registry base URL (default: from .npmrc / environment)')
    .option('--timeout <ms>', 'network timeout per request in ms', (v) => Number.parseInt(v, 10), 30000)
    .option('--max-file-size <bytes>', 'largest single file analysed', (v) => Number.parseInt(v, 10))
    .option('--max-total-size <bytes>', 'largest total uncompressed package size', (v) =>
      Number.parseInt(v, 10),
    )
    .addOption(
      new Option('--min-severity <severity>', 'hide text-output findings below this severity')
        .choices(['info', 'low', 'medium', 'high', 'critical'])
        .default('low'),
    )
    .option(
      '--db <file>',
      'known-malware database (default: user cache or $BEAGLE_DB; see `beagle db update`)',
    )
    .option('--no-intel', 'skip the known-malware lookup and name heuristics')
    .option('--no-progress', 'never show a progress bar')
    .option('--no-color', 'disable colours in text output')
    .action(async (targets: string[], opts) => {
      const limits: Record<string, number> = {};
      if (opts.maxFileSize) limits.maxFileBytes = opts.maxFileSize;
      if (opts.maxTotalSize) limits.maxTotalBytes = opts.maxTotalSize;
      const reports = await runScans(targets, {
        concurrency: Math.max(1, opts.concurrency || 1),
        progress: opts.progress !== false && !!process.stderr.isTTY,
        scanOptions: { registry: opts.registry, timeoutMs: opts.timeout, limits, cwd: process.cwd() },
        intel: opts.intel === false ? undefined : { db: opts.db },
      });
      const toFile = !!opts.output;
      const rendered = RENDERERS[opts.format]!(reports, {
        color: opts.color !== false && !toFile && !!process.stdout.isTTY && !process.env.NO_COLOR,
        minSeverity: opts.minSeverity,
      });
      if (toFile) await writeFile(opts.output, rendered);
      else process.stdout.write(rendered);
      for (const r of reports) for (const e of r.errors) process.stderr.write(`beagle: ${e.message}\n`);
      setExit(exitCodeFor(reports, opts.failOn));
    });
};
