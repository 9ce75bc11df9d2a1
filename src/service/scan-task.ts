import { createRequire } from 'node:module';
import { errorCode, errorMessage } from '../core/errors.js';
import type { Ecosystem, ScanReport } from '../core/types.js';
import { loadOptions, type ScanOptions, scanArtifact } from '../scan.js';
import { loadTarget } from '../sources/resolve.js';

const require = createRequire(import.meta.url);
const tlsh = require('tlsh') as (data: string) => string;

export interface ScanTaskInput {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** Registry base URL for this ecosystem (config). */
  registry?: string;
  timeoutMs: number;
}

export type ScanTaskOutput =
  | {
      ok: true;
      report: ScanReport;
      digest: string;
      payloadHashes: Array<{ file: string; tlsh: string }>;
      publisher?: string;
    }
  | { ok: false; code: string; message: string };

/** Scanner target for a package version: `npm:name@1.0.0`, `pypi:name==1.0`, `maven:g:a:1.0`. */
export function targetFor(ecosystem: Ecosystem, name: string, version: string): string {
  if (ecosystem === 'pypi') return `pypi:${name}==${version}`;
  if (ecosystem === 'maven') return `maven:${name}:${version}`;
  return `npm:${name}@${version}`;
}

/** TLSH of a file's bytes, or undefined when too short / too uniform (TLSH needs >= 50 bytes). */
export function tlshOf(data: Buffer): string | undefined {
  if (data.length < 256) return undefined;
  try {
    return tlsh(data.subarray(0, 4 * 1024 * 1024).toString('latin1'));
  } catch {
    return undefined;
  }
}

/**
 * Downloads and scans one package version with the scanner library, and fingerprints the files
 * that carry findings (TLSH) for campaign clustering. Runs in the worker process or a thread.
 * Never throws: a version that cannot be fetched or read comes back as `{ ok: false, code }`.
 */
export async function runScanTask(input: ScanTaskInput): Promise<ScanTaskOutput> {
  const target = targetFor(input.ecosystem, input.name, input.version);
  const started = Date.now();
  const options: ScanOptions = { registry: input.registry, timeoutMs: input.timeoutMs };
  let loaded: Awaited<ReturnType<typeof loadTarget>>;
  try {
    loaded = await loadTarget(target, loadOptions(options));
  } catch (err) {
    return { ok: false, code: errorCode(err), message: errorMessage(err) };
  }
  try {
    const report = await scanArtifact(loaded.artifact, { plugin: loaded.plugin, target, started });
    const flagged = new Set(report.findings.filter((f) => f.file && !f.suppressed).map((f) => f.file!));
    const payloadHashes: Array<{ file: string; tlsh: string }> = [];
    if (report.verdict === 'malicious' || report.verdict === 'suspicious') {
      for (const f of loaded.artifact.files) {
        if (!flagged.has(f.path) || f.kind !== 'text') continue;
        const h = tlshOf(f.data);
        if (h) payloadHashes.push({ file: f.path, tlsh: h });
        if (payloadHashes.length >= 20) break;
      }
    }
    const integrity = loaded.artifact.source.integrity?.actual;
    const publisher = (loaded.artifact.source.registry?.publisher as { name?: string } | undefined)?.name;
    return {
      ok: true,
      report,
      digest: integrity ?? `files:${loaded.artifact.files.length}:${loaded.artifact.bytes}`,
      payloadHashes,
      publisher: typeof publisher === 'string' ? publisher : undefined,
    };
  } catch (err) {
    return { ok: false, code: errorCode(err), message: errorMessage(err) };
  }
}

/** Piscina entry point. */
export default function (input: ScanTaskInput): Promise<ScanTaskOutput> {
  return runScanTask(input);
}
