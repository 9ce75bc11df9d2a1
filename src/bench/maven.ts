/**
 * Maven bench section: how fast Beagle reads bytecode. Over every Maven jar of the corpus it
 * measures (1) reading the jar (zip + nested archives), (2) parsing every class file, and
 * (3) the full Java analysis (parse + per-method interpretation + context propagation + rules),
 * reporting classes/s and MB/s of uncompressed class bytes. The best of `--repeat` runs counts.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseClassFile } from '../analyzers/java/classfile.js';
import { buildJarModel, isClassFile, runJavaRules } from '../analyzers/java/engine.js';
import { JAVA_RULES } from '../analyzers/java/rules/index.js';
import { withLimits } from '../core/limits.js';
import type { Artifact, ArtifactFile } from '../core/types.js';
import { readJavaArchive } from '../ecosystems/maven/archive.js';
import { mavenPackageContext } from '../ecosystems/maven/contexts.js';
import { readLabels } from '../eval/run.js';
import type { BenchContext } from './types.js';

export interface MavenBenchResult {
  jars: number;
  classes: number;
  /** Compressed jar bytes and uncompressed class-file bytes. */
  jarBytes: number;
  classBytes: number;
  /** Best wall time in ms of each stage over all jars. */
  readMs: number;
  parseMs: number;
  analyzeMs: number;
  findings: number;
}

const best = (xs: number[]) => Math.min(...xs);

/** Measures the Java analysis over the given jar files. */
export async function benchMaven(jarPaths: string[], repeat = 1): Promise<MavenBenchResult> {
  const limits = withLimits();
  const jars: Array<{ file: string; files: ArtifactFile[]; size: number }> = [];
  const readRuns: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const loaded: typeof jars = [];
    let ms = 0;
    for (const file of jarPaths) {
      const data = readFileSync(file);
      const t = performance.now();
      const read = await readJavaArchive(data, limits, file);
      ms += performance.now() - t;
      loaded.push({ file, files: read.files, size: data.length });
    }
    readRuns.push(ms);
    if (r === 0) jars.push(...loaded);
  }
  const classFiles = jars.flatMap((j) => j.files.filter(isClassFile));
  const parseRuns: number[] = [];
  const analyzeRuns: number[] = [];
  let findings = 0;
  for (let r = 0; r < repeat; r++) {
    let t = performance.now();
    for (const f of classFiles) {
      try {
        parseClassFile(f.data);
      } catch {
        // unreadable classes are counted by the analysis
      }
    }
    parseRuns.push(performance.now() - t);
    t = performance.now();
    findings = 0;
    for (const j of jars) {
      const artifact: Artifact = {
        ecosystem: 'maven',
        name: path.basename(j.file),
        version: '0',
        source: { type: 'archive', target: j.file, location: j.file },
        files: j.files,
        manifest: {},
        readFindings: [],
        warnings: [],
        bytes: 0,
      };
      findings += runJavaRules(mavenPackageContext(artifact), buildJarModel(j.files), JAVA_RULES).length;
    }
    analyzeRuns.push(performance.now() - t);
  }
  return {
    jars: jars.length,
    classes: classFiles.length,
    jarBytes: jars.reduce((n, j) => n + j.size, 0),
    classBytes: classFiles.reduce((n, f) => n + f.size, 0),
    readMs: best(readRuns),
    parseMs: best(parseRuns),
    analyzeMs: best(analyzeRuns),
    findings,
  };
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** The `## Maven` section of docs/benchmarks.md. */
export async function bench(ctx: BenchContext): Promise<string> {
  const title = '## Maven: bytecode analysis throughput';
  if (!ctx.corpus) return `${title}\n\nSkipped: ../shared/corpus is absent.\n`;
  const jarPaths = readLabels(ctx.corpus)
    .filter((s) => s.ecosystem === 'maven')
    .map((s) => path.join(ctx.corpus!, s.path));
  ctx.log(`bench maven: ${jarPaths.length} jars, repeat ${ctx.repeat}`);
  const r = await benchMaven(jarPaths, ctx.repeat);
  const mb = r.classBytes / 1e6;
  const row = (stage: string, ms: number, what: string) =>
    `| ${stage} | ${fmt(ms)} | ${fmt(r.classes / (ms / 1000))} | ${fmt(mb / (ms / 1000), 1)} | ${what} |`;
  return [
    title,
    '',
    `${r.jars} jars of the corpus (${fmt(r.jarBytes / 1e6, 1)} MB compressed), ${fmt(r.classes)} class files, ${fmt(mb, 1)} MB of uncompressed class bytes; ${r.findings} Java/Maven findings. Node ${process.version}, ${os.cpus().length} CPU(s) (\`${os.cpus()[0]?.model ?? '?'}\`), load average ${os.loadavg()[0]!.toFixed(1)} at the start; best of ${ctx.repeat} run(s). Produced by \`src/bench/maven.ts\` (\`node dist/bench/run.js --only maven\`).`,
    '',
    '| stage | ms | classes/s | MB/s (class bytes) | what it does |',
    '|---|---|---|---|---|',
    row('read jars', r.readMs, 'yauzl zip reading with limits, nested jars (readJavaArchive)'),
    row('parse', r.parseMs, 'class-file reader only: constant pool, members, Code attributes'),
    row('analyze', r.analyzeMs, 'parse + interpret every method + context propagation + all JAVA rules'),
    row('read + analyze', r.readMs + r.analyzeMs, 'end to end, excluding the verdict'),
    '',
  ].join('\n');
}
