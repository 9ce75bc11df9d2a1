import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYZERS } from '../../src/analyzers/index.js';
import { withLimits } from '../../src/core/limits.js';
import type { Finding } from '../../src/core/types.js';
import { npmPackageContext } from '../../src/ecosystems/npm/contexts.js';
import { readNpmTarball } from '../../src/ecosystems/npm/plugin.js';
import { computeVerdict } from '../../src/verdict/score.js';

/**
 * Dev-corpus regression check for the npm verdicts. Samples are read as bytes by Beagle's
 * in-memory tar reader; nothing is extracted or executed. Skips when ../shared/corpus is absent.
 */
const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const available = existsSync(path.join(CORPUS, 'labels.tsv'));
if (!available) console.log(`corpus tests skipped: no labelled corpus at ${CORPUS}`);

async function verdictOf(rel: string) {
  const file = path.join(CORPUS, rel);
  const artifact = await readNpmTarball(
    readFileSync(file),
    { type: 'tarball', target: rel, location: file },
    { limits: withLimits({}), cwd: process.cwd(), env: {}, timeoutMs: 1000 },
  );
  const pkg = npmPackageContext(artifact);
  const findings: Finding[] = [...artifact.readFindings];
  for (const a of ANALYZERS) if (a.appliesTo(artifact)) findings.push(...(await a.analyze(pkg)));
  return computeVerdict(findings).verdict;
}

describe.skipIf(!available)('npm dev corpus', () => {
  const rows = available
    ? readFileSync(path.join(CORPUS, 'labels.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .filter((r) => r[1] === 'npm' && r[5] === 'dev')
    : [];

  it('flags at least 95% of malicious samples, 85% as malicious', { timeout: 300_000 }, async () => {
    const mal = rows.filter((r) => r[2] === 'malicious');
    const verdicts = await Promise.all(mal.map((r) => verdictOf(r[0]!)));
    const flagged = verdicts.filter((v) => v !== 'clean').length / mal.length;
    const malicious = verdicts.filter((v) => v === 'malicious').length / mal.length;
    expect(flagged).toBeGreaterThanOrEqual(0.95);
    expect(malicious).toBeGreaterThanOrEqual(0.85);
  });

  it('keeps benign packages (under 2 MB) clean: <=1% malicious, <=5% flagged', {
    timeout: 300_000,
  }, async () => {
    const ben = rows.filter((r) => r[2] === 'benign' && statSync(path.join(CORPUS, r[0]!)).size < 2_000_000);
    const verdicts: string[] = [];
    for (const r of ben) verdicts.push(await verdictOf(r[0]!));
    expect(verdicts.filter((v) => v === 'malicious').length / ben.length).toBeLessThanOrEqual(0.01);
    expect(verdicts.filter((v) => v !== 'clean').length / ben.length).toBeLessThanOrEqual(0.05);
  });
});
