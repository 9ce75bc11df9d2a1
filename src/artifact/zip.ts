import yauzl from 'yauzl';
import { BeagleError, errorMessage } from '../core/errors.js';
import type { ReadLimits } from '../core/limits.js';
import { EntryCollector, type ReadResult } from './collector.js';

export interface ZipOptions {
  limits: ReadLimits;
  stripRoot?: boolean;
  label: string;
}

function openZip(data: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      data,
      // decodeStrings off: yauzl would otherwise reject the whole archive on a `..` or absolute
      // name; Beagle decodes names itself so the collector can report them as ARC-001.
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: false },
      (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip)),
    );
  });
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/**
 * Reads a zip (wheel, jar, zipped sdist) in memory. Sizes come from the central directory and
 * are checked before inflating; yauzl verifies the inflated size matches, so a lying header
 * cannot smuggle a bomb past the limits. Encrypted entries are reported and skipped.
 */
export async function readZip(data: Buffer, options: ZipOptions): Promise<ReadResult> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(data);
  } catch (err) {
    throw new BeagleError(
      'corrupt-archive',
      `${options.label}: not a valid zip archive (${errorMessage(err)})`,
    );
  }
  const collector = new EntryCollector({
    limits: options.limits,
    stripRoot: options.stripRoot,
    label: options.label,
  });
  const encrypted: string[] = [];

  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(
        err instanceof BeagleError
          ? err
          : new BeagleError(
              'corrupt-archive',
              `${options.label}: invalid zip archive (${errorMessage(err)})`,
            ),
      );
    };
    zip.on('error', fail);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      try {
        const name = yauzl.getFileNameLowLevel(
          entry.generalPurposeBitFlag,
          entry.fileNameRaw,
          entry.extraFields,
          false,
        );
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const fmt = unixMode & S_IFMT;
        if (name.endsWith('/') || fmt === S_IFDIR) {
          collector.countEntry();
          zip.readEntry();
          return;
        }
        if (fmt !== 0 && fmt !== S_IFREG && fmt !== S_IFLNK) {
          collector.addNonFile(name, 'special');
          zip.readEntry();
          return;
        }
        if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
          collector.countEntry();
          encrypted.push(name);
          zip.readEntry();
          return;
        }
        const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : 0;
        if (entry.uncompressedSize > 1024 * 1024 && ratio > options.limits.maxRatio) {
          throw new BeagleError(
            'limit',
            `${options.label}: entry "${name}" expands ${Math.round(ratio)}x (ratio limit ${options.limits.maxRatio}; possible zip bomb)`,
          );
        }
        if (!collector.acceptsSize(name, entry.uncompressedSize)) {
          collector.countEntry();
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return fail(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            try {
              const content = Buffer.concat(chunks);
              if (fmt === S_IFLNK) collector.addNonFile(name, 'symlink', content.toString('utf8'));
              else collector.addFile(name, content, unixMode || undefined);
              zip.readEntry();
            } catch (e) {
              fail(e);
            }
          });
        });
      } catch (err) {
        fail(err);
      }
    });
    zip.readEntry();
  });
  const result = collector.result();
  for (const name of encrypted) {
    result.warnings.push(`${name}: encrypted zip entry, not analysed`);
  }
  if (encrypted.length > 0) (result as ReadResult & { encrypted?: string[] }).encrypted = encrypted;
  return result;
}
