import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import Bunzip from 'seek-bzip';
import xz from 'xz-decompress';
import type { ReadResult } from '../../artifact/collector.js';
import { stripFirstComponent } from '../../artifact/paths.js';
import { isGzip, readTar } from '../../artifact/tar.js';
import { readZip } from '../../artifact/zip.js';
import { BeagleError, errorMessage } from '../../core/errors.js';
import type { ReadLimits } from '../../core/limits.js';
import type { RuleMeta } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';

/** How a Python distribution is packed. */
export type DistKind = 'sdist' | 'wheel' | 'egg';
export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zip' | 'none';

export const ENCRYPTED_ENTRY: RuleMeta = {
  id: 'PY-040',
  name: 'encrypted-archive-entry',
  analyzer: 'archive',
  ecosystems: ['pypi'],
  category: 'evasion',
  severity: 'medium',
  confidence: 'medium',
  description: 'A wheel, egg or zipped sdist contains password-protected entries that cannot be analysed.',
  rationale:
    'pip never needs encrypted entries; hiding files behind zip encryption keeps scanners from reading a payload that the package decrypts itself.',
  falsePositives: 'None known for installable Python distributions.',
  example: 'pkg-1.0-py3-none-any.whl containing an encrypted payload.bin',
  references: ['https://packaging.python.org/en/latest/specifications/binary-distribution-format/'],
};

export function isBzip2(data: Buffer): boolean {
  return data.length >= 3 && data[0] === 0x42 && data[1] === 0x5a && data[2] === 0x68;
}
export function isXz(data: Buffer): boolean {
  return data.length >= 6 && data.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
}
export function isZip(data: Buffer): boolean {
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && (data[2] === 0x03 || data[2] === 0x05);
}

function decompressCap(data: Buffer, limits: ReadLimits): number {
  return Math.min(limits.maxTotalBytes, Math.max(data.length * limits.maxRatio, 1024 * 1024));
}

/** bzip2 in pure JavaScript (seek-bzip), refusing output beyond the ratio/size cap. */
export function bunzipBounded(data: Buffer, limits: ReadLimits, label: string): Buffer {
  const cap = decompressCap(data, limits);
  const chunks: Buffer[] = [];
  let current = Buffer.allocUnsafe(64 * 1024);
  let pos = 0;
  let total = 0;
  const output = {
    writeByte(byte: number) {
      if (++total > cap) {
        throw new BeagleError(
          'limit',
          `${label}: bzip2 data expands beyond ${cap} bytes (ratio or size limit; possible decompression bomb)`,
        );
      }
      if (pos === current.length) {
        chunks.push(current);
        current = Buffer.allocUnsafe(Math.min(current.length * 2, 16 * 1024 * 1024));
        pos = 0;
      }
      current[pos++] = byte;
    },
  };
  try {
    Bunzip.decode(data, output, true);
  } catch (err) {
    if (err instanceof BeagleError) throw err;
    throw new BeagleError('corrupt-archive', `${label}: not a valid bzip2 stream (${errorMessage(err)})`);
  }
  chunks.push(current.subarray(0, pos));
  return Buffer.concat(chunks, total);
}

/** xz via a WebAssembly build of xz-embedded (no native code), bounded like gzip. */
export async function unxzBounded(data: Buffer, limits: ReadLimits, label: string): Promise<Buffer> {
  const cap = decompressCap(data, limits);
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      controller.close();
    },
  });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const reader = new xz.XzReadableStream(input).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        await reader.cancel().catch(() => undefined);
        throw new BeagleError(
          'limit',
          `${label}: xz data expands beyond ${cap} bytes (ratio or size limit; possible decompression bomb)`,
        );
      }
      chunks.push(Buffer.from(value));
    }
  } catch (err) {
    if (err instanceof BeagleError) throw err;
    throw new BeagleError('corrupt-archive', `${label}: not a valid xz stream (${errorMessage(err)})`);
  }
  return Buffer.concat(chunks, total);
}

/** Cheap sniff of a gzip tar: decompresses a bounded prefix and looks at the entry names. */
export function peekTarNames(data: Buffer): string {
  try {
    if (isGzip(data)) {
      return gunzipSync(data.subarray(0, 256 * 1024), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: 8 * 1024 * 1024,
      }).toString('latin1');
    }
    if (isBzip2(data) || isXz(data)) return '';
    return data.subarray(0, 1024 * 1024).toString('latin1');
  } catch {
    return '';
  }
}

/** True when a tar's first entries look like a Python sdist (and not an npm package). */
export function tarLooksLikeSdist(data: Buffer): boolean {
  const names = peekTarNames(data);
  if (!names) return false;
  if (/(^|\0)package\/package\.json\0/.test(names)) return false;
  return /(?:^|[/\0])(?:PKG-INFO|setup\.py|pyproject\.toml|setup\.cfg)\0|\.(?:dist|egg)-info\/|\.py\0/.test(
    names,
  );
}

export interface DistRead extends ReadResult {
  kind: DistKind;
  compression: Compression;
}

/** Drops the single top folder that every sdist (`name-1.0/`) has; keeps layouts without one. */
export function stripCommonRoot(read: ReadResult): ReadResult {
  const firsts = new Set(read.files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  if (firsts.size !== 1 || firsts.has('')) return read;
  const files = read.files.map((f) => ({ ...f, path: stripFirstComponent(f.path) }));
  const findings = read.findings.map((f) =>
    f.file?.includes('/') ? { ...f, file: stripFirstComponent(f.file) } : f,
  );
  return { ...read, files, findings };
}

/** Which distribution format a file name and its bytes denote. */
export function distKindOf(file: string): DistKind {
  const lower = file.toLowerCase();
  if (lower.endsWith('.whl')) return 'wheel';
  if (lower.endsWith('.egg')) return 'egg';
  return 'sdist';
}

/**
 * Reads any Python distribution in memory: `.tar.gz`/`.tgz`, `.tar.bz2`, `.tar.xz`, plain tar,
 * `.zip` sdists, `.whl` and `.egg`. Everything goes through the shared EntryCollector, so the
 * traversal/link/bomb/duplicate guarantees are the same as npm's.
 */
export async function readDistribution(
  data: Buffer,
  file: string,
  limits: ReadLimits,
  label: string,
): Promise<DistRead> {
  const kind = distKindOf(file);
  if (isZip(data)) {
    const read = await readZip(data, { limits, label });
    const encrypted = (read as ReadResult & { encrypted?: string[] }).encrypted ?? [];
    for (const name of encrypted) {
      read.findings.push(
        makeFinding(ENCRYPTED_ENTRY, {
          file: name,
          message: `"${name}" is an encrypted zip entry; its content could not be analysed.`,
        }),
      );
    }
    const out = kind === 'sdist' ? stripCommonRoot(read) : read;
    return { ...out, kind, compression: 'zip' };
  }
  if (kind !== 'sdist') {
    throw new BeagleError('corrupt-archive', `${label}: a ${kind} must be a zip archive`);
  }
  let tar: Buffer;
  let compression: Compression;
  if (isGzip(data)) {
    tar = data; // readTar gunzips with its own bounds
    compression = 'gzip';
  } else if (isBzip2(data)) {
    tar = bunzipBounded(data, limits, label);
    compression = 'bzip2';
  } else if (isXz(data)) {
    tar = await unxzBounded(data, limits, label);
    compression = 'xz';
  } else {
    tar = data;
    compression = 'none';
  }
  const read = await readTar(tar, { limits, label });
  return { ...stripCommonRoot(read), kind, compression };
}
