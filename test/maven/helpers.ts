/**
 * Test helpers for the Maven/Java tests: compile the inert Java fixtures in fixtures/java with
 * javac (tests skip with a message when no JDK is installed), build jars in memory, and run the
 * Maven plugin + analyzers + verdict over them without touching the network.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { filesAnalyzer } from '../../src/analyzers/files/index.js';
import { javaAnalyzer } from '../../src/analyzers/java/index.js';
import { withLimits } from '../../src/core/limits.js';
import type { Artifact, Finding, VerdictResult } from '../../src/core/types.js';
import { mavenPlugin } from '../../src/ecosystems/maven/plugin.js';
import type { LoadOptions } from '../../src/ecosystems/types.js';
import { computeVerdict } from '../../src/verdict/score.js';

export const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

/** Whether javac is available; tests that need compiled classes skip without it. */
export function hasJavac(): boolean {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

let compiled: Map<string, Buffer> | undefined;

/** Compiles every fixture once; returns class-file bytes by internal path (`fx/execpos/Init.class`). */
export function compileFixtures(): Map<string, Buffer> {
  if (compiled) return compiled;
  const src = path.join(FIXTURES, 'java');
  const out = mkdtempSync(path.join(os.tmpdir(), 'beagle-fx-'));
  try {
    const sources = listFiles(src)
      .filter((f) => f.endsWith('.java'))
      .map((f) => path.join(src, f));
    execFileSync('javac', ['-nowarn', '-XDignore.symbol.file', '-g', '-d', out, ...sources], {
      stdio: 'pipe',
    });
    compiled = new Map(listFiles(out).map((f) => [f, readFileSync(path.join(out, f))]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return compiled;
}

/** Class files of one fixture package (`fx/execpos`). */
export function classesOf(pkg: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [p, data] of compileFixtures()) if (p.startsWith(`${pkg}/`)) out[p] = data;
  if (Object.keys(out).length === 0) throw new Error(`no compiled classes for ${pkg}`);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Builds a zip/jar in memory (deflate), entries in the given order; duplicates allowed. */
export function makeZip(entries: Array<[string, Buffer | string]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const comp = deflateRawSync(data);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, comp);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A jar of the given fixture packages plus extra entries (META-INF files, resources). */
export function fixtureJar(pkgs: string[], extra: Record<string, string | Buffer> = {}): Buffer {
  const entries: Array<[string, Buffer | string]> = [
    ['META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\r\n\r\n'],
  ];
  for (const pkg of pkgs) for (const [p, b] of Object.entries(classesOf(pkg))) entries.push([p, b]);
  for (const [p, b] of Object.entries(extra)) {
    const i = entries.findIndex((e) => e[0] === p);
    if (i >= 0) entries[i] = [p, b];
    else entries.push([p, b]);
  }
  return makeZip(entries);
}

export function loadOptions(env: NodeJS.ProcessEnv = {}, registry?: string): LoadOptions {
  return { limits: withLimits(), cwd: process.cwd(), env, timeoutMs: 5000, registry };
}

export interface Scanned {
  artifact: Artifact;
  findings: Finding[];
  verdict: VerdictResult;
  rule(id: string): Finding[];
}

/** Runs the Maven plugin's reading, the files + Java analyzers and the verdict over an artifact. */
export async function analyze(artifact: Artifact): Promise<Scanned> {
  const pkg = mavenPlugin.packageContext(artifact);
  const findings = [
    ...artifact.readFindings,
    ...(await filesAnalyzer.analyze(pkg)),
    ...(await javaAnalyzer.analyze(pkg)),
  ];
  return {
    artifact,
    findings,
    verdict: computeVerdict(findings),
    rule: (id) => findings.filter((f) => f.ruleId === id),
  };
}

/** Reads bytes as a local jar (or pom/class by name) and analyses them. */
export async function scanBytes(name: string, data: Buffer): Promise<Scanned> {
  return analyze(await mavenPlugin.readFile(name, data, loadOptions()));
}
