import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/types.js';
import { allRules } from '../../src/rules/catalog.js';
import { benignPackageFiles, makeTarball, maliciousPackageFiles } from '../helpers/archives.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

// ajv-draft-04 is CommonJS: its class is `.default` under Node, the import itself under some loaders.
const Ajv: typeof AjvDraft04.default = (AjvDraft04 as any).default ?? AjvDraft04;
const addFormats: typeof ajvFormats.default = (ajvFormats as any).default ?? ajvFormats;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-cli-'));
const fixture = (name: string) => path.join(tmp, name);
let benign: string;
let dropper: string;
let corrupt: string;
const many: string[] = [];

/** The JSON output without timings, which differ from run to run. */
function stable(json: string): unknown {
  return JSON.parse(json, (key, value) => (key === 'durationMs' ? 0 : value));
}

beforeAll(async () => {
  ensureBuilt();
  benign = fixture('benign-1.0.0.tgz');
  writeFileSync(benign, await makeTarball(benignPackageFiles()));
  dropper = fixture('dropper-6.6.6.tgz');
  writeFileSync(dropper, await makeTarball(maliciousPackageFiles()));
  corrupt = fixture('corrupt.tgz');
  writeFileSync(corrupt, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(1000, 3)]));
  for (let i = 0; i < 5; i++) {
    const f = fixture(`many-${i}.tgz`);
    const files =
      i % 2 === 0
        ? benignPackageFiles(`many-${i}`, `1.0.${i}`)
        : maliciousPackageFiles(`many-${i}`, `1.0.${i}`);
    writeFileSync(f, await makeTarball(files));
    many.push(f);
  }
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('beagle scan: exit codes', () => {
  it('exits 0 for a clean package', async () => {
    const r = await runCli(['scan', benign, '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CLEAN/);
  });

  it('exits 1 for a malicious package, and names the finding', async () => {
    const r = await runCli(['scan', dropper]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MALICIOUS/);
    expect(r.stdout).toMatch(/192\.0\.2\.1/);
  });

  it('--fail-on never exits 0 and --fail-on malicious still exits 1 for a malicious package', async () => {
    expect((await runCli(['scan', dropper, '--fail-on', 'never'])).code).toBe(0);
    expect((await runCli(['scan', dropper, '--fail-on', 'malicious'])).code).toBe(1);
    expect((await runCli(['scan', benign, '--fail-on', 'malicious'])).code).toBe(0);
  });

  it('exits 2 for a target that cannot be scanned, with the reason on stderr', async () => {
    const r = await runCli(['scan', corrupt]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/beagle: .*corrupt\.tgz/);
    expect(r.stdout).toMatch(/ERROR/);
    // Even --fail-on never does not hide an unscanned target.
    expect((await runCli(['scan', corrupt, '--fail-on', 'never'])).code).toBe(2);
    expect((await runCli(['scan', fixture('missing.tgz')])).code).toBe(2);
  });

  it('exits 2 for bad usage', async () => {
    expect((await runCli(['scan'])).code).toBe(2);
    expect((await runCli(['scan', benign, '--format', 'yaml'])).code).toBe(2);
    expect((await runCli(['no-such-command'])).code).toBe(2);
  });
});

describe('beagle scan: output formats', () => {
  it('--format json prints one report with the documented top-level keys', async () => {
    const r = await runCli(['scan', dropper, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ScanReport;
    for (const key of ['verdict', 'score', 'categories', 'findings', 'package', 'stats', 'errors']) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report.schemaVersion).toBe(1);
    expect(report.verdict).toBe('malicious');
    expect(report.score).toBeGreaterThan(0);
    expect(report.package).toMatchObject({ ecosystem: 'npm', name: 'fixture-dropper', version: '6.6.6' });
    expect(report.package!.source.type).toBe('tarball');
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      expect(f.ruleId).toMatch(/^[A-Z]+-\d+/);
      expect(typeof f.message).toBe('string');
    }
    expect(report.stats.files).toBe(2);
    expect(report.errors).toEqual([]);
  });

  it('--format sarif is valid SARIF 2.1.0 (validated against the official schema)', async () => {
    const schema = JSON.parse(
      readFileSync(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
    );
    // unicodeRegExp off: the published schema's `language` pattern is not valid with the `u` flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const r = await runCli(['scan', dropper, benign, corrupt, '--format', 'sarif', '--concurrency', '1']);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout);
    const ok = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
    expect(ok).toBe(true);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('beagle');
    expect(run.results.length).toBeGreaterThan(0);
    // Every result points at a rule the driver describes.
    const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const res of run.results) expect(ids[res.ruleIndex]).toBe(res.ruleId);
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].descriptor.id).toBe('corrupt-archive');
    // A broken log must fail the same validation (the check itself can fail).
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
  });

  it('--format osv prints an OSV record for the malicious package only', async () => {
    const r = await runCli(['scan', dropper, benign, '--format', 'osv', '--concurrency', '1']);
    expect(r.code).toBe(1);
    const records = JSON.parse(r.stdout);
    expect(records).toHaveLength(1);
    const rec = records[0];
    expect(rec.id).toMatch(/^BGL-NPM-[0-9a-f]{12}$/);
    expect(rec.affected[0].package).toEqual({
      ecosystem: 'npm',
      name: 'fixture-dropper',
      purl: 'pkg:npm/fixture-dropper@6.6.6',
    });
    expect(rec.affected[0].versions).toEqual(['6.6.6']);
    expect(rec.summary).toMatch(/Malicious/);
    expect(rec.database_specific.iocs.join(' ')).toMatch(/192\.0\.2\.1/);
    expect(JSON.parse((await runCli(['scan', benign, '--format', 'osv'])).stdout)).toEqual([]);
  });

  it('--output writes the report to a file and nothing to stdout', async () => {
    const out = fixture('report.json');
    const r = await runCli(['scan', benign, '--format', 'json', '--output', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8')) as ScanReport;
    expect(report.verdict).toBe('clean');
    expect(report.package?.name).toBe('fixture-benign');
  });
});

describe('beagle scan: limits', () => {
  it('--max-total-size refuses a package over the limit (exit 2, code limit)', async () => {
    const r = await runCli(['scan', benign, '--max-total-size', '100', '--format', 'json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('limit');
  });

  it('--max-file-size skips big files with ARC-005 and still scans the rest', async () => {
    const big = fixture('big-file.tgz');
    writeFileSync(big, await makeTarball({ ...benignPackageFiles(), 'data.js': `// ${'x'.repeat(5000)}\n` }));
    const r = await runCli(['scan', big, '--max-file-size', '1000', '--format', 'json']);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.verdict).not.toBe('error');
    expect(report.package?.name).toBe('fixture-benign');
    expect(report.findings.filter((f) => f.ruleId === 'ARC-005').map((f) => f.file)).toEqual(['data.js']);
    expect(report.stats.files).toBe(3);
    expect(report.warnings.join('\n')).toMatch(/data\.js: skipped/);
  });
});

describe('beagle scan: several targets', () => {
  it('keeps the other results when one target fails, and exits 2', async () => {
    const r = await runCli(['scan', benign, corrupt, dropper, '--format', 'json', '--concurrency', '2']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.schemaVersion).toBe(1);
    expect(out.summary).toEqual({ targets: 3, malicious: 1, suspicious: 0, clean: 1, errors: 1 });
    expect(out.reports.map((x: ScanReport) => [x.target, x.verdict])).toEqual([
      [benign, 'clean'],
      [corrupt, 'error'],
      [dropper, 'malicious'],
    ]);
    expect(out.reports[1].errors[0].code).toBe('corrupt-archive');
    expect(r.stderr).toMatch(/corrupt\.tgz/);
  });

  it('--concurrency 2 (worker threads) gives the same reports as --concurrency 1', async () => {
    const [one, two] = await Promise.all([
      runCli(['scan', ...many, '--format', 'json', '--concurrency', '1']),
      runCli(['scan', ...many, '--format', 'json', '--concurrency', '2']),
    ]);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    const a = stable(one.stdout) as { reports: ScanReport[] };
    expect(a.reports.map((x) => x.verdict)).toEqual(['clean', 'malicious', 'clean', 'malicious', 'clean']);
    expect(stable(two.stdout)).toEqual(a);
  });
});

describe('beagle scan: registry targets', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry([
      {
        name: 'cli-tampered',
        version: '1.0.0',
        tarball: await makeTarball(benignPackageFiles('cli-tampered')),
        wrongIntegrity: true,
      },
      { name: 'cli-good', version: '1.0.0', tarball: await makeTarball(benignPackageFiles('cli-good')) },
    ]);
  });
  afterAll(async () => reg?.close());

  it('an integrity mismatch exits 2 with INT-001 in the report', async () => {
    const r = await runCli(['scan', 'npm:cli-tampered@1.0.0', '--registry', reg.url, '--format', 'json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.findings.map((f) => f.ruleId)).toContain('INT-001');
    expect(report.errors.map((e) => e.code)).toEqual(['integrity']);
    expect(r.stderr).toMatch(/do not match the registry's published digest/);
  });

  it('a verified registry package exits 0', async () => {
    const r = await runCli(['scan', 'npm:cli-good@1.0.0', '--registry', reg.url, '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ScanReport).package?.source.integrity?.verified).toBe(true);
  });
});

describe('beagle rules / explain', () => {
  it('rules lists every rule of the catalogue', async () => {
    const r = await runCli(['rules']);
    expect(r.code).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(allRules().map((x) => x.id));
    const json = JSON.parse((await runCli(['rules', '--format', 'json'])).stdout);
    expect(json.map((x: { id: string }) => x.id)).toEqual(ids);
  });

  it('explain JS-001 prints the rule documentation', async () => {
    const rule = allRules().find((x) => x.id === 'JS-001')!;
    const r = await runCli(['explain', 'JS-001']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^# JS-001 ${rule.name}`));
    expect(r.stdout).toContain('## Why is this bad?');
    expect(r.stdout).toContain(rule.rationale);
    // Also by slug, case-insensitive id.
    expect((await runCli(['explain', rule.name])).stdout).toBe(r.stdout);
    expect((await runCli(['explain', 'js-001'])).stdout).toBe(r.stdout);
  });

  it('explain of an unknown rule exits 2', async () => {
    const r = await runCli(['explain', 'NOPE-999']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown rule "NOPE-999"/);
  });
});

describe('beagle scan: the real npm registry', () => {
  it('scans npm:is-number@7.0.0 (skipped when the registry is unreachable)', async (ctx) => {
    try {
      const res = await fetch('https://registry.npmjs.org/is-number', { signal: AbortSignal.timeout(8000) });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      console.warn(`skipping real-registry test: registry.npmjs.org unreachable (${(err as Error).message})`);
      ctx.skip();
      return;
    }
    const r = await runCli([
      'scan',
      'npm:is-number@7.0.0',
      '--format',
      'json',
      '--registry',
      'https://registry.npmjs.org/',
    ]);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.errors).toEqual([]);
    expect(report.package).toMatchObject({ name: 'is-number', version: '7.0.0' });
    expect(report.package!.source.integrity?.verified).toBe(true);
    expect(report.verdict).toBe('clean');
    expect(r.code).toBe(0);
  });
});
