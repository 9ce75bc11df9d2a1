/**
 * One bench measurement in its own process, so peak RSS and CPU time belong to one tool only.
 * `node dist/bench/js-child.js <tool>` reads its input from stdin (framed JS files, or a JSON list
 * of tarball paths for `scan`), runs the tool over all of it once after a short warm-up, and prints
 * one JSON `ChildResult` line. The inputs are only parsed and analysed, never executed.
 */
import { performance } from 'node:perf_hooks';
import type { Artifact, ArtifactFile, PackageContext } from '../core/types.js';
import { decodeFiles } from './corpus.js';

export const JS_TOOLS = ['baseline', 'meriyah', 'parse', 'beagle', 'jsxray'] as const;
export type JsTool = (typeof JS_TOOLS)[number];
export type ChildTool = JsTool | 'scan';

export interface ChildResult {
  tool: ChildTool;
  items: number;
  /** Input bytes (source bytes, or compressed tarball bytes for `scan`). */
  bytes: number;
  /** Uncompressed bytes scanned (`scan` only). */
  unpackedBytes?: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak resident set size of the whole process, KiB (`process.resourceUsage().maxRSS`). */
  maxRssKiB: number;
  /** Files the tool threw on or could not parse. */
  failures: number;
  /** Findings / warnings produced (a sanity check that the tool really ran). */
  outputs: number;
  /** Per-tool extras (verdict counts, parser used...). */
  extra?: Record<string, unknown>;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

type Work = (index: number) => { ok: boolean; outputs: number };

/** meriyah options exactly as Beagle's parse.ts passes them (module goal; no JSX, as tried first). */
async function meriyahOptions(): Promise<(module: boolean) => Record<string, unknown>> {
  const parse = await import('../analyzers/javascript/parse.js');
  return (module) => parse.meriyahOptions(module, false);
}

async function prepareJs(tool: JsTool, sources: ArtifactFile[], pkgOf: PackageContext[]): Promise<Work> {
  const text = (i: number) => sources[i]!.data.toString('utf8');
  switch (tool) {
    case 'baseline':
      // Only the utf8 decode every tool does: the floor of the other measurements.
      return (i) => ({ ok: text(i).length >= 0, outputs: 0 });
    case 'meriyah': {
      const { parseModule, parseScript } = await import('meriyah');
      const options = await meriyahOptions();
      const MODULE_HINT = /\b(?:import|export)\b/;
      return (i) => {
        const source = text(i).replace(/^#!.*/, (m) => ' '.repeat(m.length));
        const path = sources[i]!.path;
        const moduleFirst = /\.mjs$/i.test(path) || (!/\.cjs$/i.test(path) && MODULE_HINT.test(source));
        for (const module of moduleFirst ? [true, false] : [false, true]) {
          try {
            (module ? parseModule : parseScript)(source, options(module));
            return { ok: true, outputs: 0 };
          } catch {
            /* try the other goal */
          }
        }
        return { ok: false, outputs: 0 };
      };
    }
    case 'parse': {
      const { parseJavaScript } = await import('../analyzers/javascript/parse.js');
      return (i) => {
        const source = text(i).replace(/^#!.*/, (m) => ' '.repeat(m.length));
        const r = parseJavaScript(source, sources[i]!.path);
        return { ok: !!r.ast && !r.recovered, outputs: 0 };
      };
    }
    case 'beagle': {
      const { analyzeJavaScriptFile } = await import('../analyzers/javascript/index.js');
      return (i) => {
        const r = analyzeJavaScriptFile(sources[i]!, pkgOf[i]!);
        return { ok: r.parsed, outputs: r.findings.length };
      };
    }
    case 'jsxray': {
      // js-x-ray 16 calls RegExp.escape, which Node 20 lacks.
      await import('regexp.escape/auto' as string);
      const { AstAnalyser } = await import('@nodesecure/js-x-ray');
      const analyser = new AstAnalyser();
      return (i) => {
        try {
          const report = analyser.analyse(text(i));
          return { ok: true, outputs: report.warnings.length };
        } catch {
          return { ok: false, outputs: 0 };
        }
      };
    }
  }
}

async function runJs(tool: JsTool): Promise<ChildResult> {
  const files = decodeFiles(await readStdin());
  const { npmPackageContext } = await import('../ecosystems/npm/contexts.js');
  const sources: ArtifactFile[] = files.map((f) => ({
    path: f.path,
    size: f.data.length,
    data: f.data,
    kind: 'text',
  }));
  // One package context per corpus package, built before timing (Beagle builds it once per package).
  const byPkg = new Map<number, ArtifactFile[]>();
  files.forEach((f, i) => {
    const list = byPkg.get(f.pkg) ?? [];
    list.push(sources[i]!);
    byPkg.set(f.pkg, list);
  });
  const contexts = new Map<number, PackageContext>();
  for (const [pkg, list] of byPkg) {
    const artifact: Artifact = {
      ecosystem: 'npm',
      name: `bench-${pkg}`,
      version: '0.0.0',
      source: { type: 'tarball', target: 'bench', location: 'bench' },
      files: list,
      manifest: {},
      readFindings: [],
      warnings: [],
      bytes: 0,
    };
    contexts.set(pkg, npmPackageContext(artifact));
  }
  const pkgOf = files.map((f) => contexts.get(f.pkg)!);
  const work = await prepareJs(tool, sources, pkgOf);
  // Warm-up on a slice of the corpus so JIT compilation of every tool happens outside the timing.
  const warm = Math.min(files.length, Math.max(20, Math.floor(files.length / 20)));
  for (let i = 0; i < warm; i++) work(i);
  (globalThis as { gc?: () => void }).gc?.();

  let failures = 0;
  let outputs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < files.length; i++) {
    const r = work(i);
    if (!r.ok) failures++;
    outputs += r.outputs;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    tool,
    items: files.length,
    bytes: files.reduce((n, f) => n + f.data.length, 0),
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
    failures,
    outputs,
  };
}

/** Whole-package end to end: `scan()` of each tarball path, one after another. */
async function runScan(): Promise<ChildResult> {
  const paths = JSON.parse((await readStdin()).toString('utf8')) as string[];
  const { statSync } = await import('node:fs');
  const { scan } = await import('../scan.js');
  // Warm-up on the first few packages.
  for (const p of paths.slice(0, 3)) await scan(p);
  (globalThis as { gc?: () => void }).gc?.();
  const verdicts: Record<string, number> = {};
  let failures = 0;
  let outputs = 0;
  let unpacked = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of paths) {
    const r = await scan(p);
    verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    if (r.verdict === 'error') failures++;
    outputs += r.findings.length;
    unpacked += r.stats.bytes;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    tool: 'scan',
    items: paths.length,
    bytes: paths.reduce((n, p) => n + statSync(p).size, 0),
    unpackedBytes: unpacked,
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
    failures,
    outputs,
    extra: { verdicts },
  };
}

async function main(): Promise<void> {
  const tool = process.argv[2] as ChildTool;
  if (tool !== 'scan' && !(JS_TOOLS as readonly string[]).includes(tool)) {
    throw new Error(`unknown bench tool "${tool}" (expected scan, ${JS_TOOLS.join(', ')})`);
  }
  const result = tool === 'scan' ? await runScan() : await runJs(tool);
  if (tool === 'meriyah') result.extra = { options: (await meriyahOptions())(true) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench child: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
