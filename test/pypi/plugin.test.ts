import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BeagleError } from '../../src/core/errors.js';
import { withLimits } from '../../src/core/limits.js';
import { pypiEntryPoints } from '../../src/ecosystems/pypi/contexts.js';
import { parseCoreMetadata, parseEntryPoints } from '../../src/ecosystems/pypi/metadata.js';
import { pypiPlugin, readPypiDistribution } from '../../src/ecosystems/pypi/plugin.js';
import { loadTarget } from '../../src/sources/resolve.js';
import { makeTarball, makeZip, packageJson } from '../helpers/archives.js';
import { compressWith, loadOptions, makeSdist, makeWheel, pkgInfo } from './helpers.js';

const src = { type: 'tarball' as const, target: 'fixture', location: 'fixture' };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-pypi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('PyPI distribution reading', () => {
  it('reads a gzip sdist, strips the root folder and parses PKG-INFO', async () => {
    const data = await makeSdist({
      'setup.py': 'from setuptools import setup\nsetup(name="fixture-py")\n',
      'fixture_py/__init__.py': '',
    });
    const a = await readPypiDistribution(data, 'fixture-py-1.0.0.tar.gz', src, loadOptions());
    expect(a.ecosystem).toBe('pypi');
    expect(a.name).toBe('fixture-py');
    expect(a.version).toBe('1.0.0');
    expect(a.files.map((f) => f.path).sort()).toEqual(['PKG-INFO', 'fixture_py/__init__.py', 'setup.py']);
    expect((a.manifest as { distKind: string }).distKind).toBe('sdist');
  });

  it('reads bzip2 and xz sdists', async () => {
    const tar = await makeSdist({ 'setup.py': 'print(1)\n' }, 'fixture-py', '1.0.0', { gzip: false });
    for (const [tool, ext] of [
      ['bzip2', 'tar.bz2'],
      ['xz', 'tar.xz'],
    ] as const) {
      const packed = compressWith(tool, tar);
      if (!packed) {
        console.warn(`${tool} not installed: skipping`);
        continue;
      }
      const a = await readPypiDistribution(packed, `fixture-py-1.0.0.${ext}`, src, loadOptions());
      expect(a.files.some((f) => f.path === 'setup.py')).toBe(true);
      expect((a.manifest as { compression: string }).compression).toBe(tool === 'bzip2' ? 'bzip2' : 'xz');
    }
  });

  it('refuses a bzip2 bomb beyond the ratio limit', async () => {
    const big = compressWith('bzip2', Buffer.alloc(20 * 1024 * 1024));
    if (!big) return;
    await expect(
      readPypiDistribution(
        big,
        'bomb-1.0.tar.bz2',
        src,
        loadOptions({ limits: withLimits({ maxRatio: 50 }) }),
      ),
    ).rejects.toMatchObject({ code: 'limit' });
  });

  it('reads wheels (METADATA, entry points) and zipped sdists', async () => {
    const whl = makeWheel(
      { 'fixture_py/__init__.py': 'X = 1\n', 'fixture_py/cli.py': 'def main():\n    pass\n' },
      'fixture_py',
      '2.0',
      {
        entryPoints: '[console_scripts]\nfixture = fixture_py.cli:main\n',
      },
    );
    const a = await readPypiDistribution(whl, 'fixture_py-2.0-py3-none-any.whl', src, loadOptions());
    expect(a.version).toBe('2.0');
    expect((a.manifest as { entryPoints: unknown[] }).entryPoints).toEqual([
      { group: 'console_scripts', name: 'fixture', module: 'fixture_py.cli', attr: 'main' },
    ]);
    const eps = pypiEntryPoints(a);
    expect(eps.get('fixture_py/cli.py')).toBe('import');
    expect(eps.get('fixture_py/__init__.py')).toBe('import');

    const zip = makeZip([
      { name: 'zpkg-1.0/PKG-INFO', content: pkgInfo('zpkg', '1.0') },
      { name: 'zpkg-1.0/setup.py', content: 'print(1)\n' },
    ]);
    const z = await readPypiDistribution(zip, 'zpkg-1.0.zip', src, loadOptions());
    expect(z.name).toBe('zpkg');
    expect(z.files.map((f) => f.path).sort()).toEqual(['PKG-INFO', 'setup.py']);
  });

  it('reports traversal, links and encrypted entries instead of reading them', async () => {
    const tar = await makeTarball(
      [
        { name: 'evil-1.0/PKG-INFO', content: pkgInfo('evil', '1.0') },
        { name: 'evil-1.0/setup.py', content: 'print(1)\n' },
        { name: '../../etc/cron.d/x', content: 'x' },
        { name: 'evil-1.0/link', type: 'symlink', linkname: '/etc/passwd' },
      ],
      { root: '' },
    );
    const a = await readPypiDistribution(tar, 'evil-1.0.tar.gz', src, loadOptions());
    const ids = a.readFindings.map((f) => f.ruleId);
    expect(ids).toContain('ARC-001');
    expect(a.readFindings.some((f) => /link/.test(f.message))).toBe(true);
    const whl = makeZip([
      { name: 'w-1.0.dist-info/METADATA', content: pkgInfo('w', '1.0') },
      { name: 'w/secret.bin', content: 'x'.repeat(100), encrypted: true },
    ]);
    const w = await readPypiDistribution(whl, 'w-1.0-py3-none-any.whl', src, loadOptions());
    expect(w.readFindings.map((f) => f.ruleId)).toContain('PY-040');
    expect(w.files.some((f) => f.path === 'w/secret.bin')).toBe(false);
  });

  it('gives a clear error for archives that are not Python distributions', async () => {
    const tar = await makeTarball({ 'README.txt': 'hello' }, { root: 'thing-1.0' });
    const err = await readPypiDistribution(tar, 'thing-1.0.tar.gz', src, loadOptions()).catch((e) => e);
    expect(err).toBeInstanceOf(BeagleError);
    expect(err.code).toBe('invalid-package');
    expect(err.message).toContain('fixture');
    const bad = await readPypiDistribution(
      Buffer.from('not a zip at all'),
      'x-1.0-py3-none-any.whl',
      src,
      loadOptions(),
    ).catch((e) => e);
    expect(bad.code).toBe('corrupt-archive');
  });

  it('claims sdists before npm, and leaves npm tarballs to npm', async () => {
    const sdist = path.join(tmp, 'fixture-py-1.0.0.tar.gz');
    writeFileSync(sdist, await makeSdist({ 'setup.py': 'print(1)\n' }));
    const npmTgz = path.join(tmp, 'npm-pkg-1.0.0.tgz');
    writeFileSync(npmTgz, await makeTarball({ 'package.json': packageJson(), 'index.js': '' }));
    const a = await loadTarget(sdist, loadOptions());
    expect(a.plugin.ecosystem).toBe('pypi');
    const b = await loadTarget(npmTgz, loadOptions());
    expect(b.plugin.ecosystem).toBe('npm');
    const whl = path.join(tmp, 'fixture_py-1.0.0-py3-none-any.whl');
    writeFileSync(whl, makeWheel({ 'fixture_py/__init__.py': '' }));
    expect((await loadTarget(whl, loadOptions())).plugin.ecosystem).toBe('pypi');
  });

  it('reads a source folder and computes execution contexts', async () => {
    const dir = path.join(tmp, 'folderpkg');
    const write = (p: string, c: string) => {
      const full = path.join(dir, p);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, c);
    };
    write('setup.py', 'from setuptools import setup\nsetup()\n');
    write('pkg/__init__.py', '');
    write('pkg/sitecustomize.py', '');
    write('pkg/tests/__init__.py', '');
    write('extra.pth', 'import os\n');
    expect(await pypiPlugin.claimsFolder(dir)).toBe(true);
    const a = await pypiPlugin.readFolder(dir, loadOptions());
    const ctx = pypiPlugin.packageContext(a);
    expect(ctx.contextOf('setup.py')).toBe('install');
    expect(ctx.contextOf('pkg/__init__.py')).toBe('import');
    expect(ctx.contextOf('pkg/sitecustomize.py')).toBe('startup');
    expect(ctx.contextOf('extra.pth')).toBe('startup');
    expect(ctx.contextOf('pkg/tests/__init__.py')).toBe('runtime');
  });
});

describe('core metadata', () => {
  it('parses multi-use and continuation fields and the description body', () => {
    const m = parseCoreMetadata(
      'Metadata-Version: 2.1\nName: x\nClassifier: A\nClassifier: B\nLicense: MIT\n        more\n\nBody text\n',
    );
    expect(m.fields.classifier).toEqual(['A', 'B']);
    expect(m.fields.license?.[0]).toBe('MIT\nmore');
    expect(m.description).toBe('Body text\n');
  });
  it('parses entry_points.txt', () => {
    expect(parseEntryPoints('[gui_scripts]\ng = a.b:c\n')).toEqual([
      { group: 'gui_scripts', name: 'g', module: 'a.b', attr: 'c' },
    ]);
  });
});
