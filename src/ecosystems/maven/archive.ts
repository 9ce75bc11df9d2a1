/**
 * Reads Java archives (jar/war/ear/aar) in memory with nested archives opened in turn:
 * `WEB-INF/lib/a.jar`, Spring Boot `BOOT-INF/lib/*.jar`, an AAR's `classes.jar` and `libs/*.jar`.
 * Nested entries are named `outer/path.jar!/inner/path` (the JDK's jar-URL convention) and share
 * the outer archive's byte and entry budget; nesting stops at `limits.maxNesting`.
 */
import type { ReadResult } from '../../artifact/collector.js';
import { readZip } from '../../artifact/zip.js';
import { BeagleError } from '../../core/errors.js';
import type { ReadLimits } from '../../core/limits.js';
import type { ArtifactFile } from '../../core/types.js';

const NESTED = /\.(jar|war|ear|aar)$/i;
const ZIP_MAGIC = 0x504b0304;

export function isZip(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32BE(0) === ZIP_MAGIC;
}

/** Reads an archive and the archives nested in it, within one shared budget. */
export async function readJavaArchive(data: Buffer, limits: ReadLimits, label: string): Promise<ReadResult> {
  const out: ReadResult = { files: [], findings: [], warnings: [], bytes: 0 };
  let entries = 0;
  const visit = async (bytes: Buffer, prefix: string, depth: number): Promise<void> => {
    const budget: ReadLimits = {
      ...limits,
      maxTotalBytes: limits.maxTotalBytes - out.bytes,
      maxEntries: Math.max(1, limits.maxEntries - entries),
    };
    let read: ReadResult;
    try {
      read = await readZip(bytes, {
        limits: budget,
        label: prefix ? `${label}!/${prefix.slice(0, -2)}` : label,
      });
    } catch (err) {
      // A broken nested jar must not hide the rest of the artifact; the top level must be readable.
      if (depth === 0 || !(err instanceof BeagleError) || err.code === 'limit') throw err;
      out.warnings.push(`${prefix.slice(0, -2)}: nested archive not readable (${err.message})`);
      return;
    }
    entries += read.files.length;
    out.bytes += read.bytes;
    out.warnings.push(...read.warnings);
    for (const f of read.findings) out.findings.push(f.file ? { ...f, file: `${prefix}${f.file}` } : f);
    for (const f of read.files) {
      const file: ArtifactFile = { ...f, path: `${prefix}${f.path}` };
      out.files.push(file);
      if (NESTED.test(f.path) && isZip(f.data)) {
        if (depth + 1 > limits.maxNesting) {
          out.warnings.push(
            `${file.path}: nested archive deeper than ${limits.maxNesting} levels, not opened`,
          );
          continue;
        }
        await visit(f.data, `${file.path}!/`, depth + 1);
      }
    }
  };
  await visit(data, '', 0);
  return out;
}
