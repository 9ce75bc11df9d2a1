import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../src/eval/run.js';
import { scanBytes } from './helpers.js';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const present = existsSync(path.join(CORPUS, 'labels.tsv'));
if (!present) console.warn(`test/maven/corpus: skipped, no labelled corpus at ${CORPUS}`);

// Samples are read as bytes by Beagle's in-memory readers only; nothing is extracted or run.
describe.skipIf(!present)('Maven part of the dev corpus', () => {
  const samples = present
    ? readLabels(CORPUS).filter((s) => s.ecosystem === 'maven' && s.split === 'dev')
    : [];

  it('flags every malicious jar and names a technique', async () => {
    for (const s of samples.filter((x) => x.label === 'malicious')) {
      const r = await scanBytes(path.basename(s.path), readFileSync(path.join(CORPUS, s.path)));
      expect(r.verdict.verdict, s.path).not.toBe('clean');
      const techniques = r.findings.filter(
        (f) => f.ruleId.startsWith('JAVA-') && f.severity !== 'info' && f.severity !== 'low',
      );
      expect(techniques.length, s.path).toBeGreaterThan(0);
    }
  });

  it('rates no benign jar malicious', async () => {
    for (const s of samples.filter((x) => x.label === 'benign')) {
      const r = await scanBytes(path.basename(s.path), readFileSync(path.join(CORPUS, s.path)));
      expect(r.verdict.verdict, `${s.path}: ${r.verdict.reasons.join(' | ')}`).not.toBe('malicious');
    }
  });
});
