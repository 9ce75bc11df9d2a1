import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScanOptions, scan } from '../../src/scan.js';
import { benignPackageFiles, makeTarball, maliciousPackageFiles } from '../helpers/archives.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-resolve-'));
const tgz = path.join(tmp, 'benign-1.0.0.tgz');
const dropper = path.join(tmp, 'dropper.tgz');
// Any registry access in these tests would be a bug: point npm at a closed local port.
const opts: ScanOptions = {
  registry: 'http://127.0.0.1:9/',
  timeoutMs: 2000,
  env: { NPM_CONFIG_USERCONFIG: path.join(tmp, 'none') },
};

beforeAll(async () => {
  writeFileSync(tgz, await makeTarball(benignPackageFiles()));
  writeFileSync(dropper, await makeTarball(maliciousPackageFiles()));
  const folder = path.join(tmp, 'folder-pkg');
  mkdirSync(folder);
  for (const [name, content] of Object.entries(benignPackageFiles('folder-pkg'))) {
    writeFileSync(path.join(folder, name), content);
  }
  mkdirSync(path.join(tmp, 'not-a-package'));
  writeFileSync(path.join(tmp, 'notes.txt'), 'hello');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('target resolution', () => {
  it('scans a local tarball by path', async () => {
    const r = await scan(tgz, opts);
    expect(r.verdict).toBe('clean');
    expect(r.package?.source).toMatchObject({ type: 'tarball', target: tgz, location: tgz });
    expect(r.package?.source.integrity?.verified).toBe(false);
  });

  it('scans a package folder', async () => {
    const r = await scan(path.join(tmp, 'folder-pkg'), opts);
    expect(r.package).toMatchObject({ name: 'folder-pkg', source: { type: 'folder' } });
  });

  it('accepts file: paths and file:// URLs for local targets', async () => {
    expect((await scan(`file:${tgz}`, opts)).package?.name).toBe('fixture-benign');
    expect((await scan(pathToFileURL(tgz).href, opts)).package?.name).toBe('fixture-benign');
    expect((await scan(`file:${dropper}`, opts)).verdict).toBe('malicious');
  });

  it('a missing file: target is not-found and never goes to the registry', async () => {
    const r = await scan('file:left-pad', opts);
    expect(r.verdict).toBe('error');
    expect(r.errors[0]!.code).toBe('not-found');
  });

  it('rejects URL targets and unknown prefixes as invalid-target', async () => {
    const url = await scan('https://example.invalid/pkg.tgz', opts);
    expect(url.errors[0]!.code).toBe('invalid-target');
    expect(url.errors[0]!.message).toMatch(/URL targets are not supported/);
    const unknown = await scan('cargo:serde@1', opts);
    expect(unknown.errors[0]!.code).toBe('invalid-target');
    expect(unknown.errors[0]!.message).toMatch(/unknown ecosystem prefix "cargo:"/);
  });

  it('missing paths are not-found; folders and files that are not packages are errors', async () => {
    expect((await scan(path.join(tmp, 'missing.tgz'), opts)).errors[0]!.code).toBe('not-found');
    expect((await scan('./missing-dir/pkg', opts)).errors[0]!.code).toBe('not-found');
    expect((await scan('missing.tgz', opts)).errors[0]!.code).toBe('not-found');
    expect((await scan(path.join(tmp, 'not-a-package'), opts)).errors[0]!.code).toBe('invalid-package');
    expect((await scan(path.join(tmp, 'notes.txt'), opts)).errors[0]!.code).toBe('invalid-target');
  });

  it('a local file over the total-size limit is refused before it is read', async () => {
    const r = await scan(tgz, { ...opts, limits: { maxTotalBytes: 100 } });
    expect(r.verdict).toBe('error');
    expect(r.errors[0]!.code).toBe('limit');
  });

  it('a bare name that is not a valid package name is invalid-target', async () => {
    const r = await scan('Not A Package!', opts);
    expect(r.errors[0]!.code).toBe('invalid-target');
  });
});
