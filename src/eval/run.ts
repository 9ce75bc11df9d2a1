import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConcurrency, runScans } from '../cli/run-scans.js';
import type { Ecosystem, ScanReport } from '../core/types.js';

/** One labelled sample of ../shared/corpus/labels.tsv. */
export interface Sample {
  path: string;
  ecosystem: Ecosystem;
  label: 'malicious' | 'benign';
  source: string;
  family: string;
  split: string;
}

export function readLabels(corpus: string): Sample[] {
  const lines = readFileSync(path.join(corpus, 'labels.tsv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split('\t');
  return lines.map((line) => {
    const cols = line.split('\t');
    const row = Object.fromEntries(header.map((h, i) => [h, cols[i] ?? ''])) as unknown as Sample;
    return row;
  });
}

export interface Metrics {
  ecosystem: string;
  malicious: number;
  benign: number;
  errors: number;
  /** Malicious samples with verdict malicious / with malicious or suspicious. */
  recallMalicious: number;
  recallFlagged: number;
  /** Benign samples with verdict malicious / with malicious or suspicious. */
  fprMalicious: number;
  fprFlagged: number;
  precisionMalicious: number;
  precisionFlagged: number;
  f1Malicious: number;
  f1Flagged: number;
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

export function computeMetrics(
  ecosystem: string,
  rows: Array<{ sample: Sample; report: ScanReport }>,
): Metrics {
  const mal = rows.filter((r) => r.sample.label === 'malicious');
  const ben = rows.filter((r) => r.sample.label === 'benign');
  const tpM = mal.filter((r) => r.report.verdict === 'malicious').length;
  const tpF = mal.filter((r) => r.report.verdict === 'malicious' || r.report.verdict === 'suspicious').length;
  const fpM = ben.filter((r) => r.report.verdict === 'malicious').length;
  const fpF = ben.filter((r) => r.report.verdict === 'malicious' || r.report.verdict === 'suspicious').length;
  const pM = ratio(tpM, tpM + fpM);
  const pF = ratio(tpF, tpF + fpF);
  const rM = ratio(tpM, mal.length);
  const rF = ratio(tpF, mal.length);
  return {
    ecosystem,
    malicious: mal.length,
    benign: ben.length,
    errors: rows.filter((r) => r.report.verdict === 'error').length,
    recallMalicious: rM,
    recallFlagged: rF,
    fprMalicious: ratio(fpM, ben.length),
    fprFlagged: ratio(fpF, ben.length),
    precisionMalicious: pM,
    precisionFlagged: pF,
    f1Malicious: ratio(2 * pM * rM, pM + rM),
    f1Flagged: ratio(2 * pF * rF, pF + rF),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function metricsTable(metrics: Metrics[]): string {
  const head =
    '| ecosystem | malicious | benign | errors | recall (mal) | recall (mal+sus) | FPR (mal) | FPR (mal+sus) | precision (mal) | precision (mal+sus) | F1 (mal) | F1 (mal+sus) |\n|---|---|---|---|---|---|---|---|---|---|---|---|';
  const rows = metrics.map(
    (m) =>
      `| ${m.ecosystem} | ${m.malicious} | ${m.benign} | ${m.errors} | ${pct(m.recallMalicious)} | ${pct(m.recallFlagged)} | ${pct(m.fprMalicious)} | ${pct(m.fprFlagged)} | ${pct(m.precisionMalicious)} | ${pct(m.precisionFlagged)} | ${pct(m.f1Malicious)} | ${pct(m.f1Flagged)} |`,
  );
  return [head, ...rows].join('\n');
}

/**
 * `npm run eval`: scans the labelled corpus and prints recall / false positives / precision / F1
 * per ecosystem, counting verdict `malicious` and `malicious|suspicious` separately.
 */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string', default: path.resolve(process.cwd(), '../shared/corpus') },
      ecosystem: { type: 'string' },
      sample: { type: 'string' },
      concurrency: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const corpus = values.corpus!;
  if (!existsSync(path.join(corpus, 'labels.tsv'))) {
    console.log(`eval: skipped, no labelled corpus at ${corpus} (pass --corpus DIR)`);
    return 0;
  }
  let samples = readLabels(corpus).filter((s) => s.split === 'dev');
  if (values.ecosystem) samples = samples.filter((s) => s.ecosystem === values.ecosystem);
  if (values.sample) {
    // deterministic stride sample per ecosystem+label so quick runs stay comparable
    const n = Number(values.sample);
    const groups = new Map<string, Sample[]>();
    for (const s of samples) {
      const k = `${s.ecosystem}/${s.label}`;
      groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    samples = [...groups.values()].flatMap((g) =>
      g.length <= n ? g : g.filter((_, i) => i % Math.ceil(g.length / n) === 0),
    );
  }
  const started = Date.now();
  const reports = await runScans(
    samples.map((s) => path.join(corpus, s.path)),
    {
      concurrency: values.concurrency ? Number(values.concurrency) : defaultConcurrency(),
      progress: !!process.stderr.isTTY,
      scanOptions: { cwd: process.cwd() },
    },
  );
  const rows = samples.map((sample, i) => ({ sample, report: reports[i]! }));
  const ecosystems = [...new Set(samples.map((s) => s.ecosystem))];
  const metrics = ecosystems.map((e) =>
    computeMetrics(
      e,
      rows.filter((r) => r.sample.ecosystem === e),
    ),
  );
  console.log(metricsTable(metrics));
  console.log(`\n${samples.length} samples in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const misses = rows.filter((r) => r.sample.label === 'malicious' && r.report.verdict !== 'malicious');
  const fps = rows.filter((r) => r.sample.label === 'benign' && r.report.verdict !== 'clean');
  if (values.verbose) {
    for (const r of misses)
      console.log(
        `MISS  ${r.report.verdict.padEnd(10)} ${r.report.score}\t${r.sample.path}\t${r.sample.family}\t${r.report.errors.map((e) => e.message).join('; ')}`,
      );
    for (const r of fps)
      console.log(
        `FP    ${r.report.verdict.padEnd(10)} ${r.report.score}\t${r.sample.path}\t${r.report.reasons.slice(0, 2).join(' | ')}`,
      );
  } else {
    console.log(
      `${misses.length} malicious samples not rated malicious, ${fps.length} benign samples flagged (--verbose lists them)`,
    );
  }
  if (values.json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      values.json,
      JSON.stringify(
        {
          metrics,
          rows: rows.map((r) => ({
            ...r.sample,
            verdict: r.report.verdict,
            score: r.report.score,
            rules: [...new Set(r.report.findings.map((f) => f.ruleId))],
            errors: r.report.errors,
          })),
        },
        null,
        2,
      ),
    );
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((c) => (process.exitCode = c));
}
