/**
 * Child process of the PyPI bench: reads every PyPI distribution it is given (JSON list of paths on
 * stdin) in memory with Beagle's reader, then times one phase per package — the bare tree-sitter
 * parse of its Python files, the Python analyzer, or the whole scan — and prints one JSON line.
 * Samples are only ever read as bytes; nothing is extracted or executed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzePythonSource, isPythonFile } from '../analyzers/python/index.js';
import { pythonParser } from '../analyzers/python/parser.js';
import { withLimits } from '../core/limits.js';
import type { Artifact } from '../core/types.js';
import { pypiPackageContext } from '../ecosystems/pypi/contexts.js';
import { readPypiDistribution } from '../ecosystems/pypi/plugin.js';
import { scanArtifact } from '../scan.js';

export type PypiTool = 'parse' | 'analyze' | 'scan';

export interface PypiChildResult {
  tool: PypiTool;
  packages: number;
  files: number;
  /** Python source bytes (parse/analyze) or uncompressed package bytes (scan). */
  bytes: number;
  failures: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
  maxRssKiB: number;
  verdicts?: Record<string, number>;
}

async function main(tool: PypiTool): Promise<void> {
  const paths = JSON.parse(readFileSync(0, 'utf8')) as string[];
  const options = { limits: withLimits(), cwd: process.cwd(), env: {}, timeoutMs: 30_000 };
  const parser = await pythonParser();
  const out: PypiChildResult = {
    tool,
    packages: 0,
    files: 0,
    bytes: 0,
    failures: 0,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    wallMs: 0,
    maxRssKiB: 0,
  };
  const verdicts: Record<string, number> = {};
  for (const p of paths) {
    let artifact: Artifact;
    try {
      const data = readFileSync(p);
      artifact = await readPypiDistribution(
        data,
        path.basename(p),
        { type: 'tarball', target: p, location: p },
        options,
      );
    } catch {
      out.failures++;
      continue;
    }
    out.packages++;
    const pyFiles = artifact.files.filter(isPythonFile);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    if (tool === 'parse') {
      for (const f of pyFiles) {
        const tree = parser.parse(f.data.toString('utf8'));
        tree?.delete();
        out.files++;
        out.bytes += f.size;
      }
    } else if (tool === 'analyze') {
      const pkg = pypiPackageContext(artifact);
      for (const f of pyFiles) {
        await analyzePythonSource(f, f.data.toString('utf8'), pkg, pkg.contextOf(f.path));
        out.files++;
        out.bytes += f.size;
      }
    } else {
      const report = await scanArtifact(artifact);
      verdicts[report.verdict] = (verdicts[report.verdict] ?? 0) + 1;
      out.files += artifact.files.length;
      out.bytes += artifact.bytes;
    }
    const cpu = process.cpuUsage(cpu0);
    out.wallMs += performance.now() - t0;
    out.cpuUserMs += cpu.user / 1000;
    out.cpuSystemMs += cpu.system / 1000;
  }
  out.maxRssKiB = process.resourceUsage().maxRSS;
  if (tool === 'scan') out.verdicts = verdicts;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const tool = process.argv[2] as PypiTool;
if (tool === 'parse' || tool === 'analyze' || tool === 'scan') {
  main(tool).catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
