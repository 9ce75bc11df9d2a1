import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { BeagleError, errorMessage } from '../core/errors.js';
import type { ReadLimits } from '../core/limits.js';
import { EntryCollector, type ReadResult } from './collector.js';

export interface TarOptions {
  limits: ReadLimits;
  stripRoot?: boolean;
  label: string;
}

/** Decompresses gzip in memory, bounded by the total-size and ratio limits. */
export function gunzipBounded(data: Buffer, limits: ReadLimits, label: string): Buffer {
  const cap = Math.min(limits.maxTotalBytes, Math.max(data.length * limits.maxRatio, 1024 * 1024));
  try {
    return gunzipSync(data, { maxOutputLength: cap });
  } catch (err) {
    const msg = errorMessage(err);
    if (/maxOutputLength|buffer.*(too large|exceeds)|Cannot create a Buffer larger/i.test(msg)) {
      throw new BeagleError(
        'limit',
        `${label}: gzip expands beyond ${cap} bytes (ratio or size limit; possible decompression bomb)`,
      );
    }
    if (/unexpected end of file/i.test(msg))
      throw new BeagleError('corrupt-archive', `${label}: truncated gzip data`);
    throw new BeagleError('corrupt-archive', `${label}: not a valid gzip stream (${msg})`);
  }
}

export function isGzip(data: Buffer): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** Reads an (optionally gzipped) tar archive entirely in memory; nothing touches the disk. */
export async function readTar(data: Buffer, options: TarOptions): Promise<ReadResult> {
  const tar = isGzip(data) ? gunzipBounded(data, options.limits, options.label) : data;
  if (tar.length < 512) throw new BeagleError('corrupt-archive', `${options.label}: truncated tar archive`);
  const collector = new EntryCollector({
    limits: options.limits,
    stripRoot: options.stripRoot,
    label: options.label,
  });
  const extract = tarStream.extract();
  let sawEntry = false;

  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      sawEntry = true;
      const chunks: Buffer[] = [];
      let size = 0;
      let keep = false;
      try {
        switch (header.type) {
          case 'file':
          case 'contiguous-file':
            keep = collector.acceptsSize(header.name, header.size ?? 0);
            break;
          case 'directory':
            collector.countEntry();
            break;
          case 'symlink':
            collector.addNonFile(header.name, 'symlink', header.linkname ?? undefined);
            break;
          case 'link':
            collector.addNonFile(header.name, 'link', header.linkname ?? undefined);
            break;
          case 'character-device':
          case 'block-device':
          case 'fifo':
            collector.addNonFile(header.name, 'special');
            break;
          default:
            // pax headers and GNU long names are consumed by tar-stream itself
            break;
        }
      } catch (err) {
        stream.resume();
        reject(err);
        return;
      }
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        if (!keep) return;
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (keep) {
          try {
            collector.addFile(header.name, Buffer.concat(chunks, size), header.mode ?? undefined);
          } catch (err) {
            reject(err);
            return;
          }
        }
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', (err: Error) => reject(err));
  });

  Readable.from([tar]).pipe(extract);
  try {
    await done;
  } catch (err) {
    if (err instanceof BeagleError) throw err;
    const msg = errorMessage(err);
    if (/unexpected end/i.test(msg))
      throw new BeagleError('corrupt-archive', `${options.label}: truncated tar archive`);
    throw new BeagleError('corrupt-archive', `${options.label}: invalid tar archive (${msg})`);
  }
  if (!sawEntry) throw new BeagleError('corrupt-archive', `${options.label}: tar archive has no entries`);
  return collector.result();
}
