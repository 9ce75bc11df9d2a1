import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import pc from 'picocolors';
import { type AuditLocation, type AuditResult, audit } from '../../audit/audit.js';
import { ConfigError, loadConfig } from '../../audit/config.js';
import type { Ecosystem, ScanReport, Severity } from '../../core/types.js';
import { renderOsv } from '../../report/osv.js';
import { renderSarif } from '../../report/sarif.js';
import { renderText } from '../../report/text.js';
import { defaultConcurrency } from '../run-scans.js';
import type { CommandRegistrar } from './index.js';
import { exitCodeFor, type FailOn } from './scan.js';

type Rendered = AuditResult & { locations: Map<string, AuditLocation> };

function summaryLine(r: AuditResult): string {
  const mal = r.reports.filter((x) => x.verdict === 'malicious').length;
  const sus = r.reports.filter((x) => x.verdict === 'suspicious').length;
  const err = r.reports.filter((x) => x.verdict === 'error' || x.errors.length > 0).length;
  return `${r.stats.packages} dependencies (${r.stats.unique} unique) in ${r.files.length} file${r.files.length === 1 ? '' : 's'}: ${mal} malicious, ${sus} suspicious, ${err} with errors, ${r.stats.durationMs} ms`;
}

/** Text: the audited files, the intel state, then one block per flagged package (lockfile line as location). */
export function renderAuditText(
  r: Rendered,
  opts: { color: boolean; minSeverity: Severity; list?: boolean },
): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  for (const f of r.files) out.push(c.dim(`${f.file}  ${f.format}, ${f.dependencies} dependencies`));
  if (r.intel) {
    out.push(
      c.dim(
        `known-malware database: ${r.intel.advisories} advisories${r.intel.lastUpdate ? `, updated ${r.intel.lastUpdate}${r.intel.ageHours !== undefined ? ` (${r.intel.ageHours} h ago)` : ''}` : ''}`,
      ),
    );
  }
  for (const w of r.warnings) out.push(c.yellow(`warning: ${w}`));
  if (opts.list) {
    out.push('');
    for (const d of r.dependencies) {
      const flags = [
        d.dev && 'dev',
        d.optional && 'optional',
        d.direct && 'direct',
        d.source !== 'registry' && d.source,
        d.alias && `as ${d.alias}`,
      ]
        .filter(Boolean)
        .join(', ');
      out.push(
        `  ${d.ecosystem}:${d.name}@${d.version || d.spec || '?'}${flags ? c.dim(`  (${flags})`) : ''}`,
      );
    }
  }
  out.push('');
  const flagged = r.reports.filter(
    (x) => x.verdict !== 'clean' || x.errors.length || x.findings.some((f) => f.severity !== 'info'),
  );
  for (const report of flagged) {
    let block = renderText([report], { color: opts.color, minSeverity: opts.minSeverity }).trimEnd();
    // packages judged from the lockfile alone were not downloaded: drop the empty file statistics
    if (report.stats.files === 0) block = block.replace(/\n[^\n]*\b0 files, 0 bytes, [^\n]*$/, '');
    out.push(block, '');
  }
  if (flagged.length === 0)
    out.push(c.green(`No known or suspected malware among ${r.stats.unique} packages.`), '');
  out.push(c.bold(summaryLine(r)));
  return `${out.join('\n')}\n`;
}

export function renderAuditJson(r: Rendered, list: boolean): string {
  const { locations: _l, dependencies, ...rest } = r;
  return `${JSON.stringify({ ...rest, ...(list ? { dependencies } : {}) }, null, 2)}\n`;
}

/**
 * SARIF for code scanning: the core SARIF renderer, with every result relocated to the lockfile
 * line that pins the package (findings inside a downloaded package keep their inner path in the message).
 */
export function renderAuditSarif(r: Rendered): string {
  const log = JSON.parse(renderSarif(r.reports));
  const run = log.runs[0];
  run.originalUriBaseIds = {
    ...run.originalUriBaseIds,
    SRCROOT: { description: { text: 'Repository root (the audited project)' } },
  };
  let i = 0;
  for (const report of r.reports) {
    const loc = r.locations.get(report.target) ?? { file: report.target };
    for (const f of report.findings) {
      const result = run.results[i++];
      if (!result) continue;
      const inner =
        f.file && f.file !== loc.file ? ` (${f.file}${f.line ? `:${f.line}` : ''} in the package)` : '';
      result.message.text = `${result.message.text}${inner}`;
      const line = f.file === loc.file ? (f.line ?? loc.line) : loc.line;
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: { uri: loc.file, uriBaseId: 'SRCROOT' },
            ...(line ? { region: { startLine: line } } : {}),
          },
          logicalLocations: result.locations?.[0]?.logicalLocations,
        },
      ];
      result.partialFingerprints = { packageRule: `${report.target}|${f.ruleId}` };
    }
  }
  return `${JSON.stringify(log, null, 2)}\n`;
}

function parseInternal(values: string[]): Partial<Record<Ecosystem, string[]>> {
  const out: Partial<Record<Ecosystem, string[]>> = {};
  for (const v of values.flatMap((x) => x.split(','))) {
    const m = /^(npm|pypi|maven):(.+)$/.exec(v.trim());
    if (!m)
      throw new ConfigError(
        `--internal "${v}": expected <ecosystem>:<prefix>, e.g. npm:@acme/ or pypi:acme-`,
      );
    (out[m[1] as Ecosystem] ??= []).push(m[2]!);
  }
  return out;
}

export const registerAudit: CommandRegistrar = (program, setExit) => {
  program
    .command('audit')
    .description(
      "Audit a project's dependencies (lockfiles, manifests, node_modules) for known and suspected malware.",
    )
    .argument('[paths...]', 'lockfiles, manifests, node_modules folders or project folders', ['.'])
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'sarif', 'osv'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <verdict>', 'exit 1 when a package verdict reaches this level')
        .choices(['suspicious', 'malicious', 'never'])
        .default('suspicious'),
    )
    .option(
      '-r, --recursive',
      'search project folders recursively for lockfiles (skips node_modules, .git, venvs)',
    )
    .option('--production', 'leave dev-only dependencies out')
    .option('--deep', 'download and scan every pinned artifact (verdicts cached by artifact digest)')
    .option(
      '-c, --concurrency <n>',
      'artifacts scanned in parallel with --deep',
      (v) => Number.parseInt(v, 10),
      defaultConcurrency(),
    )
    .option('--no-cache', 'with --deep: rescan even when a cached verdict exists')
    .option('--db <file>', 'known-malware database (default: the user cache, or $BEAGLE_DB)')
    .option('--no-intel', 'skip known-malware lookups (name heuristics only)')
    .option(
      '--config <file>',
      'project config with internal names and suppressions (default: .beagle.yml in the current folder)',
    )
    .option(
      '--internal <ecosystem:prefix>',
      'internal name prefix for dependency-confusion checks, repeatable or comma-separated: npm:@acme/,pypi:acme-',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--list', 'include every dependency in text and JSON output')
    .option('--registry <url>', 'with --deep: registry base URL')
    .option(
      '--timeout <ms>',
      'with --deep: network timeout per request in ms',
      (v) => Number.parseInt(v, 10),
      30000,
    )
    .addOption(
      new Option('--min-severity <severity>', 'hide text-output findings below this severity')
        .choices(['info', 'low', 'medium', 'high', 'critical'])
        .default('low'),
    )
    .option('--no-progress', 'never show a progress bar')
    .option('--no-color', 'disable colours in text output')
    .action(async (paths: string[], opts) => {
      let config: Awaited<ReturnType<typeof loadConfig>>;
      try {
        // the current folder first, then the audited project folders (a lockfile's own folder)
        const folders = paths.map((p) => {
          const abs = path.resolve(p);
          return existsSync(abs) && statSync(abs).isDirectory() && path.basename(abs) !== 'node_modules'
            ? abs
            : path.dirname(abs);
        });
        config = await loadConfig([process.cwd(), ...folders], opts.config);
        for (const [eco, prefixes] of Object.entries(parseInternal(opts.internal ?? [])))
          config.internal[eco as Ecosystem].push(...prefixes);
      } catch (err) {
        process.stderr.write(`beagle: ${(err as Error).message}\n`);
        setExit(2);
        return;
      }
      const result = await audit({
        paths,
        recursive: !!opts.recursive,
        config,
        db: opts.intel === false ? false : opts.db,
        production: !!opts.production,
        deep: opts.deep
          ? {
              concurrency: Math.max(1, opts.concurrency || 1),
              progress: opts.progress !== false && !!process.stderr.isTTY,
              noCache: opts.cache === false,
              scanOptions: { registry: opts.registry, timeoutMs: opts.timeout, cwd: process.cwd() },
            }
          : false,
      });
      const toFile = !!opts.output;
      const color = opts.color !== false && !toFile && !!process.stdout.isTTY && !process.env.NO_COLOR;
      let rendered: string;
      if (opts.format === 'json') rendered = renderAuditJson(result, !!opts.list);
      else if (opts.format === 'sarif') rendered = renderAuditSarif(result);
      else if (opts.format === 'osv')
        rendered = renderOsv(result.reports.filter((r: ScanReport) => r.package));
      else rendered = renderAuditText(result, { color, minSeverity: opts.minSeverity, list: !!opts.list });
      if (toFile) await writeFile(opts.output, rendered);
      else process.stdout.write(rendered);
      for (const r of result.reports)
        for (const e of r.errors) process.stderr.write(`beagle: ${e.message}\n`);
      if (toFile || opts.format !== 'text') process.stderr.write(`beagle: ${summaryLine(result)}\n`);
      setExit(exitCodeFor(result.reports, opts.failOn as FailOn));
    });
};
