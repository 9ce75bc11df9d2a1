/**
 * Bench inputs from ../shared/corpus: labelled packages read only as bytes, in memory, through
 * Beagle's own readers. Nothing is extracted to disk and nothing is executed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTar } from '../artifact/tar.js';
import { withLimits } from '../core/limits.js';
import type { Ecosystem } from '../core/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared/corpus` next to the repository (or BEAGLE_CORPUS), or undefined when absent. */
export function findCorpus(): string | undefined {
  const candidates = [process.env.BEAGLE_CORPUS, path.resolve(REPO_ROOT, '../shared/corpus')];
  return candidates.find((c): c is string => !!c && existsSync(path.join(c, 'labels.tsv')));
}

export interface LabelledSample {
  path: string;
  ecosystem: Ecosystem;
  label: 'malicious' | 'benign';
  family: string;
}

export function corpusSamples(corpus: string, ecosystem: Ecosystem, label: 'malicious' | 'benign') {
  const lines = readFileSync(path.join(corpus, 'labels.tsv'), 'utf8').trim().split('\n');
  const header = lines.shift()!.split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines
    .map((l) => l.split('\t'))
    .filter((c) => c[col('ecosystem')] === ecosystem && c[col('label')] === label)
    .map(
      (c): LabelledSample => ({
        path: path.join(corpus, c[col('path')]!),
        ecosystem,
        label,
        family: c[col('family')] ?? '',
      }),
    );
}

/** The file extensions every JS tool in the bench accepts or should accept. */
export const BENCH_JS_EXT = /\.(js|cjs|mjs|jsx|ts|tsx|mts|cts)$/i;

export interface BenchFile {
  /** Index of the package in `BenchCorpus.packages`. */
  pkg: number;
  path: string;
  data: Buffer;
}

export interface BenchCorpus {
  packages: string[];
  files: BenchFile[];
  bytes: number;
  /** Packages that could not be read (corrupt, over limits). */
  skipped: string[];
}

/** Reads the JS/TS files (not .d.ts) of the benign npm tarballs in memory. */
export async function collectBenignNpmJs(corpus: string): Promise<BenchCorpus> {
  const out: BenchCorpus = { packages: [], files: [], bytes: 0, skipped: [] };
  const limits = withLimits();
  for (const sample of corpusSamples(corpus, 'npm', 'benign')) {
    if (!/\.(tgz|tar\.gz|tar)$/i.test(sample.path)) continue;
    let read: Awaited<ReturnType<typeof readTar>>;
    try {
      read = await readTar(readFileSync(sample.path), { limits, stripRoot: true, label: sample.path });
    } catch {
      out.skipped.push(path.basename(sample.path));
      continue;
    }
    const pkg = out.packages.push(path.basename(sample.path)) - 1;
    for (const f of read.files) {
      if (f.kind !== 'text' || !BENCH_JS_EXT.test(f.path) || /\.d\.[mc]?ts$/i.test(f.path)) continue;
      out.files.push({ pkg, path: f.path, data: f.data });
      out.bytes += f.data.length;
    }
  }
  return out;
}

/** Frames files as `[u32 pkg][u32 pathLen][path][u32 len][data]...` to hand them to a child. */
export function encodeFiles(files: BenchFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const p = Buffer.from(f.path, 'utf8');
    const head = Buffer.alloc(12);
    head.writeUInt32LE(f.pkg, 0);
    head.writeUInt32LE(p.length, 4);
    head.writeUInt32LE(f.data.length, 8);
    parts.push(head, p, f.data);
  }
  return Buffer.concat(parts);
}

export function decodeFiles(buf: Buffer): BenchFile[] {
  const files: BenchFile[] = [];
  let i = 0;
  while (i < buf.length) {
    const pkg = buf.readUInt32LE(i);
    const pathLen = buf.readUInt32LE(i + 4);
    const len = buf.readUInt32LE(i + 8);
    const start = i + 12;
    const p = buf.toString('utf8', start, start + pathLen);
    files.push({ pkg, path: p, data: buf.subarray(start + pathLen, start + pathLen + len) });
    i = start + pathLen + len;
  }
  return files;
}
