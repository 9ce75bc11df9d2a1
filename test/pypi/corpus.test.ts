import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLimits } from '../../src/core/limits.js';
import { readPypiDistribution } from '../../src/ecosystems/pypi/plugin.js';
import { scanArtifact } from '../../src/scan.js';

/**
 * Dev-corpus regression check for PyPI verdicts on a deterministic stride sample. Samples are
 * read as bytes by Beagle's in-memory readers; nothing is extracted, installed or executed.
 * Skips when ../shared/corpus is absent.
 */
const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const available = existsSync(path.join(CORPUS, 'labels.tsv'));
if (!available) console.log(`PyPI corpus tests skipped: no labelled corpus at ${CORPUS}`);

async function verdictOf(rel: string): Promise<string> {
  const file = path.join(CORPUS, rel);
  try {
    const artifact = await readPypiDistribution(
      readFileSync(file),
      path.basename(file),
      { type: 'tarball', target: rel, location: file },
      { limits: withLimits({}), cwd: process.cwd(), env: {}, timeoutMs: 1000 },
    );
    return (await scanArtifact(artifact)).verdict;
  } catch {
    return 'error';
  }
}

describe.skipIf(!available)('PyPI dev corpus', () => {
  const rows = available
    ? readFileSync(path.join(CORPUS, 'labels.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .filter((r) => r[1] === 'pypi' && r[5] === 'dev')
    : [];

  it('flags a stride sample of malicious packages (>=85% flagged, >=80% malicious)', {
    timeout: 600_000,
  }, async () => {
    const mal = rows.filter((r) => r[2] === 'malicious').filter((_, i) => i % 20 === 0);
    const verdicts: string[] = [];
    for (const r of mal) verdicts.push(await verdictOf(r[0]!));
    const flagged = verdicts.filter((v) => v === 'malicious' || v === 'suspicious').length / mal.length;
    const malicious = verdicts.filter((v) => v === 'malicious').length / mal.length;
    expect(flagged).toBeGreaterThanOrEqual(0.85);
    expect(malicious).toBeGreaterThanOrEqual(0.8);
  });

  it('keeps benign packages under 1 MB clean (none malicious, <=5% flagged)', {
    timeout: 600_000,
  }, async () => {
    const ben = rows.filter((r) => r[2] === 'benign' && statSync(path.join(CORPUS, r[0]!)).size < 1_000_000);
    const verdicts: string[] = [];
    for (const r of ben) verdicts.push(await verdictOf(r[0]!));
    expect(verdicts.filter((v) => v === 'malicious').length).toBe(0);
    expect(verdicts.filter((v) => v === 'suspicious').length / ben.length).toBeLessThanOrEqual(0.05);
  });
});
