/**
 * "Scanner throughput" bench section: Beagle's JavaScript analyzer against @nodesecure/js-x-ray
 * and the bare parser over exactly the same files (the JS/TS of the corpus' benign npm packages),
 * each in its own child process; plus whole-package `scan()` end to end.
 */
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JS_RULES } from '../analyzers/javascript/rules/index.js';
import { collectBenignNpmJs, corpusSamples, encodeFiles } from './corpus.js';
import type { ChildResult, ChildTool } from './js-child.js';
import type { BenchContext } from './types.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'js-child.js');
const MB = 1024 * 1024;

/** Runs one measurement in a fresh Node process and returns its result line. */
export function runChild(tool: ChildTool, input: Buffer): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, tool], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child ${tool} exited ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      } catch {
        reject(new Error(`bench child ${tool} printed no result: ${out.slice(0, 200)} ${err.slice(0, 500)}`));
      }
    });
    child.stdin.on('error', () => {
      /* reported through close */
    });
    child.stdin.end(input);
  });
}

const cpuS = (r: ChildResult) => (r.cpuUserMs + r.cpuSystemMs) / 1000;
/** Throughput per CPU-second: robust on a shared machine, where wall time includes waiting for a CPU. */
const mbps = (r: ChildResult) => r.bytes / MB / cpuS(r);
const perSec = (r: ChildResult) => r.items / cpuS(r);
const mbpsWall = (r: ChildResult) => r.bytes / MB / (r.wallMs / 1000);
const rssMb = (r: ChildResult) => r.maxRssKiB / 1024;
const f = (n: number, d = 2) => n.toFixed(d);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function runLogged(tool: ChildTool, input: Buffer, ctx: BenchContext): Promise<ChildResult> {
  const r = await runChild(tool, input);
  ctx.log(
    `  ${tool}: ${f(r.wallMs / 1000)} s wall, ${f(cpuS(r))} s CPU, ${f(r.bytes / MB / cpuS(r))} MB per CPU-s, peak RSS ${f(rssMb(r), 0)} MB`,
  );
  return r;
}

/** One result whose every metric is the median of the runs. */
function medianResult(runs: ChildResult[]): ChildResult {
  const first = runs[0]!;
  return {
    ...first,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuUserMs: median(runs.map((r) => r.cpuUserMs)),
    cpuSystemMs: median(runs.map((r) => r.cpuSystemMs)),
    maxRssKiB: median(runs.map((r) => r.maxRssKiB)),
  };
}

/** `repeat` runs of one tool, each in a fresh process; every metric is the median of the runs. */
async function measure(tool: ChildTool, input: Buffer, ctx: BenchContext): Promise<ChildResult> {
  const runs: ChildResult[] = [];
  for (let i = 0; i < ctx.repeat; i++) runs.push(await runLogged(tool, input, ctx));
  return medianResult(runs);
}

/**
 * `repeat` rounds in which every tool runs once, in turn: on a shared machine whose speed drifts
 * from minute to minute, each round's ratios compare tools that ran within the same minute or two.
 */
async function measureRounds<T extends ChildTool>(
  tools: readonly T[],
  input: Buffer,
  ctx: BenchContext,
): Promise<{ results: Record<T, ChildResult>; rounds: Array<Record<T, ChildResult>> }> {
  const rounds: Array<Record<T, ChildResult>> = [];
  for (let i = 0; i < ctx.repeat; i++) {
    ctx.log(`scanner: round ${i + 1} of ${ctx.repeat}`);
    const round = {} as Record<T, ChildResult>;
    for (const tool of tools) round[tool] = await runLogged(tool, input, ctx);
    rounds.push(round);
  }
  const results = {} as Record<T, ChildResult>;
  for (const tool of tools) results[tool] = medianResult(rounds.map((r) => r[tool]));
  return { results, rounds };
}

/** `commit abc1234` (+ how many source files had uncommitted changes), or '' outside a git checkout. */
export function sourceLine(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return ` Beagle at commit ${commit}${dirty ? ` plus uncommitted changes to ${dirty} source files` : ''}.`;
  } catch {
    return '';
  }
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} (${cpus.length} CPUs), ${f(os.totalmem() / 1024 ** 3, 1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

export async function bench(ctx: BenchContext): Promise<string> {
  const title = '## Scanner throughput';
  if (!ctx.corpus) {
    ctx.log('scanner: ../shared/corpus is absent; skipping the scanner throughput bench');
    return `${title}\n\nSkipped: \`../shared/corpus\` is absent.\n`;
  }
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const load = os
    .loadavg()
    .map((n) => f(n, 1))
    .join(' / ');
  // BEAGLE_SOURCE_ROOT: the checkout a bench built elsewhere (a snapshot of dist/) was built from.
  const source = sourceLine(process.env.BEAGLE_SOURCE_ROOT ?? ctx.root);
  ctx.log('scanner: reading the benign npm packages of the corpus in memory...');
  const corpus = await collectBenignNpmJs(ctx.corpus);
  const input = encodeFiles(corpus.files);
  const tsFiles = corpus.files.filter((x) => /\.[mc]?tsx?$/i.test(x.path)).length;
  ctx.log(
    `scanner: ${corpus.files.length} JS/TS files, ${f(corpus.bytes / MB)} MB from ${corpus.packages.length} packages`,
  );

  const labels: Record<string, string> = {
    baseline: 'baseline: utf8 decode only (input held in memory)',
    meriyah: 'bare parser: meriyah with Beagle’s options',
    parse: 'Beagle `parseJavaScript` (meriyah; Babel for TS and fallbacks)',
    beagle: `**Beagle JS analyzer** (\`analyzeJavaScriptFile\`, ${JS_RULES.length} rules, one traversal)`,
    jsxray: '@nodesecure/js-x-ray 16 (`AstAnalyser.analyse`)',
  };
  const { results, rounds } = await measureRounds(
    ['baseline', 'meriyah', 'parse', 'beagle', 'jsxray'] as const,
    input,
    ctx,
  );
  const tarballs = corpusSamples(ctx.corpus, 'npm', 'benign')
    .map((s) => s.path)
    .filter((p) => /\.(tgz|tar\.gz|tar)$/i.test(p));
  ctx.log(`scanner: end to end scan() of ${tarballs.length} tarballs...`);
  const e2e = await measure('scan', Buffer.from(JSON.stringify(tarballs)), ctx);

  const b = results.beagle;
  const x = results.jsxray;
  const m = results.meriyah;
  const base = results.baseline;
  // Ratios are the median of the per-round ratios (tools of one round ran back to back).
  const perRound = (ratio: (r: (typeof rounds)[number]) => number) => rounds.map(ratio);
  const vsXray = perRound((r) => mbps(r.beagle) / mbps(r.jsxray));
  const vsParser = perRound((r) => mbps(r.beagle) / mbps(r.meriyah));
  const memRatios = perRound((r) => rssMb(r.beagle) / rssMb(r.jsxray));
  const throughputVsXray = median(vsXray);
  const throughputVsParser = median(vsParser);
  const memVsXray = median(memRatios);
  const spread = (xs: number[], digits: number, scale = 1, unit = '') =>
    xs.length > 1 ? ` (rounds: ${xs.map((v) => `${f(v * scale, digits)}${unit}`).join(', ')})` : '';
  const overheadVsXray = (rssMb(b) - rssMb(base)) / Math.max(1, rssMb(x) - rssMb(base));
  const parserVsXray = median(perRound((r) => mbps(r.meriyah) / mbps(r.jsxray)));
  const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

  const rows = Object.entries(results).map(
    ([tool, r]) =>
      `| ${labels[tool]} | ${r.items} | ${r.failures} | ${f(mbps(r))} | ${f(perSec(r), 0)} | ${f(cpuS(r))} | ${f(r.wallMs / 1000)} | ${f(mbpsWall(r))} | ${f(rssMb(r), 0)} |`,
  );
  const verdicts = Object.entries((e2e.extra?.verdicts as Record<string, number>) ?? {})
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');

  return [
    title,
    '',
    `Run of ${started} UTC on ${machineLine()}; load average ${load} at the start (the machine is shared).${source}`,
    '',
    `Input: the JS/TS files (no \`.d.ts\`) of the ${corpus.packages.length} benign npm packages of \`../shared/corpus\`` +
      ` (labels.tsv), read in memory with \`readTar\`: ${corpus.files.length} files (${tsFiles} TypeScript), ${f(corpus.bytes / MB)} MB.` +
      ` Each tool ran in its own child process over exactly these files (handed over on stdin), once after a warm-up` +
      ` on 5% of them${ctx.repeat > 1 ? `; the tools took turns for ${ctx.repeat} rounds, every figure in the first table is the median of the rounds and every ratio the median of the per-round ratios` : ''}.` +
      ' Throughput is per CPU-second (user+system of the timed loop, one thread of analysis): on a shared machine wall time' +
      ' also counts waiting for a CPU, so it is shown but not used for the ratios. Peak RSS is the child’s `maxRSS`,' +
      ' which includes the input held in memory (the baseline row). “failed” counts files the tool could not parse' +
      ` (js-x-ray has no TypeScript parser). The bare parser uses ${JSON.stringify(m.extra?.options ?? {})} (module goal shown).`,
    '',
    '| tool | files | failed | MB per CPU-s | files per CPU-s | CPU s | wall s | MB/s wall | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '| target | measured | goal | met |',
    '|---|---:|---:|---|',
    `| Beagle / js-x-ray throughput | ${f(throughputVsXray, 1)}x${spread(vsXray, 1, 1, 'x')} | >= 5x | ${yes(throughputVsXray >= 5)} |`,
    `| Beagle / bare parser (meriyah) throughput | ${f(throughputVsParser * 100, 0)}%${spread(vsParser, 0, 100, '%')} | >= 50% | ${yes(throughputVsParser >= 0.5)} |`,
    `| Beagle / js-x-ray peak RSS | ${f(memVsXray)}${spread(memRatios, 2)} | <= 0.50 | ${yes(memVsXray <= 0.5)} |`,
    `| Beagle / js-x-ray RSS above baseline (informative) | ${f(overheadVsXray)} | | |`,
    `| bare parser / js-x-ray throughput (ceiling of any analyzer on this parser) | ${f(parserVsXray, 1)}x | | |`,
    '',
    `End to end, \`scan()\` of the ${e2e.items} benign tarballs one after another in one thread (read, all analyzers, verdict):` +
      ` **${f(perSec(e2e))} packages per CPU-second** (${f(e2e.items / (e2e.wallMs / 1000))} packages/s wall),` +
      ` ${f(e2e.bytes / MB / cpuS(e2e))} MB of tarballs and ${f((e2e.unpackedBytes ?? 0) / MB / cpuS(e2e))} MB unpacked per CPU-second;` +
      ` ${f(cpuS(e2e))} s CPU, ${f(e2e.wallMs / 1000)} s wall, peak RSS ${f(rssMb(e2e), 0)} MB; verdicts: ${verdicts}.`,
    '',
  ].join('\n');
}
