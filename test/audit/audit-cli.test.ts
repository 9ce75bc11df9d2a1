import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benignPackageFiles, digests, makeTarball, maliciousPackageFiles } from '../helpers/archives.js';
import { ensureBuilt, REPO_ROOT, runCli } from '../helpers/cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { osvZip, startOsvServer } from '../intel/helpers.js';

// CommonJS modules: the class is `.default` under Node, the import itself under some loaders
const Ajv: typeof AjvDraft04.default = (AjvDraft04 as any).default ?? AjvDraft04;
const addFormats: typeof ajvFormats.default = (ajvFormats as any).default ?? ajvFormats;
const FX = path.join(REPO_ROOT, 'test/audit/fixtures');
const OSV = path.join(REPO_ROOT, 'test/intel/fixtures/osv');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-audit-'));
const env = { BEAGLE_CACHE_DIR: path.join(tmp, 'cache') };

beforeAll(async () => {
  ensureBuilt();
  const r = await runCli(['db', 'import', OSV], { env });
  expect(r.code).toBe(0);
}, 120_000);

describe('beagle db', () => {
  it('status shows counts and age', async () => {
    const r = await runCli(['db', 'status'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/advisories:\s+5/);
    expect(r.stdout).toMatch(/npm 2, PyPI 2, Maven 1/);
    expect(r.stdout).toMatch(/hours ago/);
  });

  it('update downloads the configured all.zip exports over HTTP; a failing source exits 2, the others are kept', async () => {
    const server = await startOsvServer({ '/npm/all.zip': osvZip('npm'), '/PyPI/all.zip': osvZip('pypi') });
    try {
      const e = { BEAGLE_CACHE_DIR: path.join(tmp, 'cache-update'), BEAGLE_OSV_BASE_URL: server.base };
      const r = await runCli(['db', 'update'], { env: e });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/could not update from ".*\/Maven\/all.zip": .*404/);
      expect(r.stdout).toMatch(/osv-npm: 2 malicious-package advisories imported/);
      const st = JSON.parse((await runCli(['db', 'status', '--json'], { env: e })).stdout);
      expect(st.advisories).toBe(4);
      const ok = await runCli(['db', 'update', '--ecosystem', 'npm,pypi'], { env: e });
      expect(ok.code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('status without a database is an error', async () => {
    const r = await runCli(['db', 'status'], { env: { BEAGLE_CACHE_DIR: path.join(tmp, 'none') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/beagle db update/);
  });
});

describe('beagle audit', () => {
  it('reports known malware (advisory, summary, sources, IOCs) and name heuristics; exit 1', async () => {
    const r = await runCli(['audit', 'package-lock.json', '--internal', 'npm:@acme/', '-f', 'json'], {
      env,
      cwd: path.join(FX, 'npm-malicious'),
    });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const byTarget = Object.fromEntries(out.reports.map((x: any) => [x.target, x]));
    const flat = byTarget['npm:flatmap-stream@0.1.1'];
    expect(flat.verdict).toBe('malicious');
    expect(flat.score).toBe(100);
    const f = flat.findings[0];
    expect(f).toMatchObject({
      ruleId: 'INTEL-001',
      category: 'known-malware',
      file: 'package-lock.json',
      line: 33,
    });
    expect(f.evidence).toMatchObject({
      advisory: 'MAL-2099-0001',
      sources: ['ghsa-malware', 'Beagle test fixture'],
    });
    expect(f.iocs).toEqual(expect.arrayContaining(['copayapi.host']));
    expect(byTarget['npm:ua-parser-js@0.7.29'].verdict).toBe('malicious');
    expect(byTarget['npm:lodahs@1.0.0'].findings[0].ruleId).toBe('NAME-001');
    expect(byTarget['npm:@acme/auth@99.0.0'].findings.map((x: any) => x.ruleId).sort()).toEqual([
      'NAME-002',
      'NAME-003',
    ]);
    expect(byTarget['npm:left-pad@1.3.0']).toBeUndefined(); // withdrawn advisory
    expect(out.stats.packages).toBe(6);
  });

  it('SARIF points at the lockfile line', async () => {
    const r = await runCli(['audit', '-f', 'sarif'], { env, cwd: path.join(FX, 'npm-malicious') });
    const log = JSON.parse(r.stdout);
    const res = log.runs[0].results.find(
      (x: any) => x.ruleId === 'INTEL-001' && x.message.text.includes('flatmap'),
    );
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'package-lock.json', uriBaseId: 'SRCROOT' },
      region: { startLine: 33 },
    });
    expect(log.runs[0].tool.driver.rules.map((x: any) => x.id)).toContain('INTEL-001');
    const schema = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'test/cli/fixtures/sarif-schema-2.1.0.json'), 'utf8'),
    );
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('text output explains the hit', async () => {
    const r = await runCli(['audit'], { env, cwd: path.join(FX, 'npm-malicious') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MALICIOUS.*npm:flatmap-stream@0\.1\.1/);
    expect(r.stdout).toMatch(/MAL-2099-0001: Malicious code in flatmap-stream/);
    expect(r.stdout).toMatch(/sources: ghsa-malware.*IOCs: copayapi\.host/);
    expect(r.stdout).toMatch(/6 dependencies \(6 unique\) in 1 file: 2 malicious, 2 suspicious/);
  });

  it('Python and Maven: PEP 503 names, PEP 440 ranges, Maven ranges', async () => {
    const r = await runCli(['audit', 'python/requirements.txt', 'maven/parent/app/pom.xml', '-f', 'json'], {
      env,
      cwd: FX,
    });
    const out = JSON.parse(r.stdout);
    const ids = (t: string) =>
      out.reports.find((x: any) => x.target === t)?.findings.map((f: any) => f.ruleId);
    expect(ids('pypi:colourama@0.1.6')).toEqual(expect.arrayContaining(['INTEL-001', 'NAME-001']));
    expect(ids('pypi:example_compromised@2.0.1')).toEqual(['INTEL-001']);
    expect(ids('maven:org.example.evil:evil-lib@1.9')).toEqual(['INTEL-001']);
    expect(ids('pypi:acme-internal-utils@99.0.0')).toEqual(['NAME-003']);
    expect(out.warnings.join('\n')).toMatch(/--extra-index-url/);
    expect(r.code).toBe(1);
  });

  it('a clean lockfile passes', async () => {
    const r = await runCli(['audit', 'npm-v3'], { env, cwd: FX });
    expect(r.stdout).toMatch(/No known or suspected malware among/);
    expect(r.code).toBe(0);
  });

  it('a bad file is exit 2 with its name, and the other results are kept', async () => {
    const dir = mkdtempSync(path.join(tmp, 'bad-'));
    writeFileSync(path.join(dir, 'yarn.lock'), '"a@^1":\n  version "1.0.0"\n<<<<<<< HEAD\n');
    const r = await runCli(
      ['audit', path.join(dir, 'yarn.lock'), path.join(FX, 'npm-malicious/package-lock.json'), '-f', 'json'],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/could not extract from ".*yarn.lock"/);
    const out = JSON.parse(r.stdout);
    expect(out.reports.filter((x: any) => x.verdict === 'malicious')).toHaveLength(2);
    const missing = await runCli(['audit', path.join(dir, 'nothing-here')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/could not extract from ".*nothing-here": no such file/);
    const empty = await runCli(['audit', dir + '/..'], { env, cwd: dir });
    expect(empty.stdout + empty.stderr).not.toMatch(/No known or suspected malware among 0/);
  });

  it('warns when there is no intel database, and still runs the heuristics', async () => {
    const r = await runCli(['audit', 'package-lock.json'], {
      env: { BEAGLE_CACHE_DIR: path.join(tmp, 'empty-cache') },
      cwd: path.join(FX, 'npm-malicious'),
    });
    expect(r.stdout).toMatch(/no known-malware database/);
    expect(r.stdout).toMatch(/lodahs/);
  });

  it('--production leaves dev dependencies out', async () => {
    const all = JSON.parse(
      (await runCli(['audit', 'npm-v3/package-lock.json', '-f', 'json', '--list'], { env, cwd: FX })).stdout,
    );
    const prod = JSON.parse(
      (
        await runCli(['audit', 'npm-v3/package-lock.json', '-f', 'json', '--list', '--production'], {
          env,
          cwd: FX,
        })
      ).stdout,
    );
    expect(all.dependencies.some((d: any) => d.name === 'left-pad' && d.dev)).toBe(true);
    expect(prod.dependencies.some((d: any) => d.name === 'left-pad')).toBe(false);
  });

  it('audits the 1,682-package lockfile (intel + heuristics) in under 2 s', async () => {
    const r = await runCli(['audit', 'npm-big/package-lock.json', '-f', 'json'], { env, cwd: FX });
    const out = JSON.parse(r.stdout);
    expect(out.stats.packages).toBe(1682);
    expect(out.stats.durationMs).toBeLessThan(2000);
    // CLI wall time (Node start-up included) is measured by `npm run bench`, not asserted here:
    // it depends on the machine's load
    expect(r.code).toBe(0);
  });
});

describe('suppressions', () => {
  const project = path.join(tmp, 'supp');
  beforeAll(() => {
    mkdirSync(project, { recursive: true });
    cpSync(path.join(FX, 'npm-malicious'), project, { recursive: true });
  });

  async function hashOf(target: string, rule: string): Promise<string> {
    const out = JSON.parse((await runCli(['audit', '-f', 'json'], { env, cwd: project })).stdout);
    return out.reports.find((r: any) => r.target === target).findings.find((f: any) => f.ruleId === rule)
      .evidence.contentHash;
  }

  it('an accepted finding shows as suppressed and stops counting; a changed artifact re-triggers', async () => {
    const hash = await hashOf('npm:lodahs@1.0.0', 'NAME-001');
    writeFileSync(
      path.join(project, '.beagle.yml'),
      `suppressions:\n  - package: npm:lodahs@1.0.0\n    rule: NAME-001\n    hash: ${hash}\n    reason: internal fork, reviewed by security 2026-11\n`,
    );
    const out = JSON.parse((await runCli(['audit', '-f', 'json'], { env, cwd: project })).stdout);
    const lodahs = out.reports.find((r: any) => r.target === 'npm:lodahs@1.0.0');
    expect(lodahs.verdict).toBe('clean');
    expect(lodahs.findings[0].suppressed).toEqual({ reason: 'internal fork, reviewed by security 2026-11' });
    // found in the audited project's folder when run from elsewhere too
    const fromElsewhere = JSON.parse(
      (await runCli(['audit', project, '-f', 'json'], { env, cwd: tmp })).stdout,
    );
    expect(
      fromElsewhere.reports.find((r: any) => r.target === 'npm:lodahs@1.0.0').findings[0].suppressed,
    ).toBeDefined();
    const text = (await runCli(['audit'], { env, cwd: project })).stdout;
    expect(text).toMatch(/suppressed: internal fork, reviewed by security/);
    // the lockfile now pins other bytes for the same version: the suppression no longer applies
    const lock = readFileSync(path.join(project, 'package-lock.json'), 'utf8').replace(
      /sha512-B+==/,
      `sha512-${'D'.repeat(86)}==`,
    );
    writeFileSync(path.join(project, 'package-lock.json'), lock);
    const again = JSON.parse((await runCli(['audit', '-f', 'json'], { env, cwd: project })).stdout);
    expect(again.reports.find((r: any) => r.target === 'npm:lodahs@1.0.0').verdict).toBe('suspicious');
    expect(again.warnings.join('\n')).toMatch(
      /suppression #1 \(npm:lodahs@1.0.0 NAME-001\) matched no finding/,
    );
  });

  it('a suppression without a reason is a config error (exit 2)', async () => {
    writeFileSync(
      path.join(project, '.beagle.yml'),
      'suppressions:\n  - package: npm:lodahs\n    rule: NAME-001\n    hash: sha256:00\n',
    );
    const r = await runCli(['audit'], { env, cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"reason" is required/);
  });
});

describe('audit --deep', () => {
  let registry: TestRegistry;
  let project: string;
  beforeAll(async () => {
    const good = await makeTarball(benignPackageFiles('deep-benign', '1.0.0'));
    const bad = await makeTarball(maliciousPackageFiles('deep-dropper', '6.6.6'));
    registry = await startRegistry([
      { name: 'deep-benign', version: '1.0.0', tarball: good },
      { name: 'deep-dropper', version: '6.6.6', tarball: bad },
    ]);
    project = mkdtempSync(path.join(tmp, 'deep-'));
    const entry = (name: string, version: string, data: Buffer) => ({
      version,
      resolved: `${registry.url}${name}/-/${name}-${version}.tgz`,
      integrity: digests(data).integrity,
    });
    writeFileSync(
      path.join(project, 'package-lock.json'),
      JSON.stringify(
        {
          name: 'deep',
          lockfileVersion: 3,
          requires: true,
          packages: {
            '': { name: 'deep', dependencies: { 'deep-benign': '1.0.0', 'deep-dropper': '6.6.6' } },
            'node_modules/deep-benign': entry('deep-benign', '1.0.0', good),
            'node_modules/deep-dropper': entry('deep-dropper', '6.6.6', bad),
          },
        },
        null,
        2,
      ),
    );
  }, 60_000);
  afterAll(() => registry?.close());

  it('downloads and scans every pinned artifact; the second run comes from the verdict cache', async () => {
    const e = { ...env, BEAGLE_CACHE_DIR: path.join(tmp, 'deep-cache') };
    const args = ['audit', '--deep', '--registry', registry.url, '-f', 'json', '--no-progress'];
    const first = await runCli(args, { env: e, cwd: project });
    const out = JSON.parse(first.stdout);
    const dropper = out.reports.find((r: any) => r.target === 'npm:deep-dropper@6.6.6');
    expect(dropper.verdict).toBe('malicious');
    expect(dropper.findings.every((f: any) => /^sha(256:|512-)/.test(f.evidence.contentHash))).toBe(true);
    expect(out.reports.find((r: any) => r.target === 'npm:deep-benign@1.0.0').verdict).toBe('clean');
    expect(first.code).toBe(1);
    const downloads = registry.requests.length;
    expect(downloads).toBeGreaterThanOrEqual(4);
    const second = await runCli(args, { env: e, cwd: project });
    expect(registry.requests.length).toBe(downloads); // nothing fetched again
    expect(
      JSON.parse(second.stdout).reports.find((r: any) => r.target === 'npm:deep-dropper@6.6.6').verdict,
    ).toBe('malicious');
    expect(JSON.parse(second.stdout).stats.durationMs).toBeLessThan(1500);
  });

  it('a lockfile digest that does not match the registry bytes is INT-001 and exit 2', async () => {
    const e = { ...env, BEAGLE_CACHE_DIR: path.join(tmp, 'deep-cache-2') };
    const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/deep-benign'].integrity = `sha512-${'A'.repeat(86)}==`;
    const dir = mkdtempSync(path.join(tmp, 'deep-mismatch-'));
    writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const r = await runCli(['audit', '--deep', '--registry', registry.url, '-f', 'json', '--no-progress'], {
      env: e,
      cwd: dir,
    });
    expect(r.code).toBe(2);
    const benign = JSON.parse(r.stdout).reports.find((x: any) => x.target === 'npm:deep-benign@1.0.0');
    expect(benign.findings.map((f: any) => f.ruleId)).toContain('INT-001');
    expect(r.stderr).toMatch(/does not match the integrity recorded in package-lock.json/);
  });
});
