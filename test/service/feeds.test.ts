import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDb } from '../../src/service/db.js';
import { FeedFollower } from '../../src/service/feeds/follower.js';
import { MavenFeed } from '../../src/service/feeds/maven.js';
import { NpmFeed } from '../../src/service/feeds/npm.js';
import { decodeXmlRpcValue, PypiFeed } from '../../src/service/feeds/pypi.js';
import type { Feed } from '../../src/service/feeds/types.js';
import { migrate } from '../../src/service/migrations.js';
import { SqlQueue } from '../../src/service/queue/sql-queue.js';
import { Store } from '../../src/service/store.js';
import { BENIGN_INDEX, FakeRegistries, tempDir } from './helpers.js';

describe('feed followers against recorded feeds', () => {
  let reg: FakeRegistries;
  let tmp: ReturnType<typeof tempDir>;
  let db: SqliteDb;
  let store: Store;
  let queue: SqlQueue;

  beforeEach(async () => {
    reg = await new FakeRegistries().start();
    tmp = tempDir();
    db = new SqliteDb(`${tmp.dir}/feeds.db`);
    await migrate(db);
    store = new Store(db);
    queue = new SqlQueue(db, { leaseMs: 1000, maxAttempts: 3, retryBaseMs: 10 });
  });
  afterEach(async () => {
    await db.close();
    await reg.stop();
    tmp.cleanup();
  });

  const follower = (feed: Feed) => new FeedFollower(feed, queue, store, { intervalMs: 10, errorDelayMs: 10 });
  const jobKeys = async () =>
    (
      await db.all<Record<string, any>>('SELECT ecosystem, name, version, feed FROM index_jobs ORDER BY id')
    ).map((r) => `${r.ecosystem}:${r.name}@${r.version}/${r.feed}`);
  async function drain(f: FeedFollower) {
    for (let i = 0; i < 50; i++) if (!(await f.step()).more) return;
  }

  it('PyPI: follows changelog_since_serial, resumes from the stored serial after a restart', async () => {
    const t = Math.floor(Date.now() / 1000);
    reg.pypiEvents = [
      ['requests-helper', '1.0', t, 'create', 100],
      ['requests-helper', '1.0', t, 'new release', 101],
      ['requests-helper', '1.0', t, 'add source file requests-helper-1.0.tar.gz', 102],
      ['requests-helper', '1.0', t, 'add py3 file requests_helper-1.0-py3-none-any.whl', 103],
      ['old-lib', null, t, 'remove project', 104],
      ['numpyy', '0.0.1', t + 5, 'new release', 105],
      ['NumPyy', '0.0.1', t + 5, 'add py3 file NumPyy-0.0.1-py3-none-any.whl', 106],
      ['Flask_Helper.Ext', '2.0', t + 6, 'new release', 107],
    ];
    const mk = () =>
      new PypiFeed({
        xmlrpcUrl: `${reg.url}/pypi/xmlrpc`,
        rssUrls: [],
        since: '99',
        timeoutMs: 2000,
        batchSize: 1000,
      });
    await drain(follower(mk()));
    // Names are PEP 503-normalised, so NumPyy and numpyy are one project.
    expect(await jobKeys()).toEqual([
      'pypi:requests-helper@1.0/pypi',
      'pypi:numpyy@0.0.1/pypi',
      'pypi:flask-helper-ext@2.0/pypi',
    ]);
    expect(await store.getCursor('pypi')).toBe('107');
    const job = (await store.jobs({ limit: 10, offset: 0 })).find((j) => j.name === 'numpyy')!;
    expect(job.publishedAt).toBe((t + 5) * 1000);
    // Restart: a fresh follower resumes at serial 105 and only sees what came after.
    reg.pypiEvents.push(['typosquat-x', '9.9', t + 9, 'new release', 108]);
    const hitsBefore = reg.hits.xmlrpc;
    await drain(follower(mk()));
    expect(reg.hits.xmlrpc).toBe(hitsBefore + 1);
    expect(await jobKeys()).toEqual([
      'pypi:requests-helper@1.0/pypi',
      'pypi:numpyy@0.0.1/pypi',
      'pypi:flask-helper-ext@2.0/pypi',
      'pypi:typosquat-x@9.9/pypi',
    ]);
    expect(await store.getCursor('pypi')).toBe('108');
  });

  it('PyPI: since=now starts at changelog_last_serial; RSS bridges an XML-RPC outage without moving the serial', async () => {
    const t = Math.floor(Date.now() / 1000);
    reg.pypiEvents = [['already-old', '1.0', t - 100, 'new release', 500]];
    const feed = new PypiFeed({
      xmlrpcUrl: `${reg.url}/pypi/xmlrpc`,
      rssUrls: [`${reg.url}/pypi/rss/updates.xml`],
      since: 'now',
      timeoutMs: 2000,
      batchSize: 1000,
    });
    const f = follower(feed);
    await f.step();
    expect(await store.getCursor('pypi')).toBe('500');
    expect(await jobKeys()).toEqual([]);
    // XML-RPC goes down; the RSS feed still lists new releases.
    reg.pypiXmlRpcDown = true;
    reg.pypiRss = [{ name: 'evil-pkg', version: '0.1', at: Date.now() - 1000 }];
    reg.pypiEvents.push(
      ['evil-pkg', '0.1', t, 'new release', 501],
      ['later-pkg', '2.0', t, 'new release', 502],
    );
    await f.step();
    expect(feed.lastSource).toBe('rss');
    expect(await jobKeys()).toEqual(['pypi:evil-pkg@0.1/pypi-rss']);
    expect(await store.getCursor('pypi')).toBe('500');
    // XML-RPC is back: it resumes at 500, fills the gap, and evil-pkg is not enqueued twice.
    reg.pypiXmlRpcDown = false;
    await f.step();
    expect(feed.lastSource).toBe('xmlrpc');
    expect(await jobKeys()).toEqual(['pypi:evil-pkg@0.1/pypi-rss', 'pypi:later-pkg@2.0/pypi']);
    expect(await store.getCursor('pypi')).toBe('502');
  });

  it('decodes XML-RPC values (arrays, ints, strings, nil, structs)', () => {
    expect(
      decodeXmlRpcValue({
        array: {
          data: {
            value: [
              { string: 'a' },
              { int: '3' },
              { nil: '' },
              { struct: { member: { name: 'k', value: { boolean: '1' } } } },
            ],
          },
        },
      }),
    ).toEqual(['a', 3, null, { k: true }]);
  });

  it('Maven: pages the new-artifact listing back to the stored timestamp, no gaps or repeats', async () => {
    const t0 = Date.now() - 60_000;
    reg.mavenDocs = [
      { g: 'com.acme', a: 'core', v: '1.0.0', timestamp: t0 },
      { g: 'com.acme', a: 'util', v: '1.0.0', timestamp: t0 + 1000 },
      { g: 'io.evil', a: 'log4j-core', v: '2.99.0', timestamp: t0 + 2000 },
    ];
    const mk = (since: string) =>
      new MavenFeed({
        searchUrl: `${reg.url}/maven/solrsearch/select`,
        since,
        rows: 2,
        maxPages: 10,
        timeoutMs: 2000,
      });
    await drain(follower(mk(String(t0))));
    expect(await jobKeys()).toEqual([
      'maven:com.acme:core@1.0.0/maven',
      'maven:com.acme:util@1.0.0/maven',
      'maven:io.evil:log4j-core@2.99.0/maven',
    ]);
    // Two new artifacts, one with the same timestamp as the newest already handled.
    reg.mavenDocs.push(
      { g: 'io.evil', a: 'spring-boot-x', v: '3.0.0', timestamp: t0 + 2000 },
      { g: 'org.new', a: 'lib', v: '0.1', timestamp: t0 + 3000 },
    );
    await drain(follower(mk(String(t0))));
    const keys = await jobKeys();
    expect(keys).toHaveLength(5);
    expect(keys.slice(3).sort()).toEqual([
      'maven:io.evil:spring-boot-x@3.0.0/maven',
      'maven:org.new:lib@0.1/maven',
    ]);
    expect(JSON.parse((await store.getCursor('maven'))!)).toEqual({
      ts: t0 + 3000,
      ids: ['org.new:lib:0.1'],
    });
  });

  it('npm: skips deleted documents and versions published before the look-back window', async () => {
    const now = Date.now();
    await reg.publish({
      name: 'old-and-new',
      version: '0.9.0',
      files: { 'index.js': BENIGN_INDEX },
      publishedAt: now - 30 * 86_400_000,
    });
    await reg.publish({
      name: 'old-and-new',
      version: '1.0.0',
      files: { 'index.js': BENIGN_INDEX },
      publishedAt: now - 1000,
    });
    reg.changes.push({ seq: 3, id: 'gone-package', deleted: true });
    reg.changes.push({ seq: 4, id: '_design/app' });
    const feed = new NpmFeed({
      changesUrl: `${reg.url}/npm/_changes`,
      registry: reg.npmRegistry,
      since: 'now',
      batchSize: 100,
      lookbackMs: 72 * 3_600_000,
      maxVersionsPerChange: 20,
      timeoutMs: 2000,
    });
    const f = follower(feed);
    await f.step(); // since=now: remembers the head only
    expect(await jobKeys()).toEqual([]);
    expect(await store.getCursor('npm')).toBe('4');
    await db.run('DELETE FROM feed_state');
    await store.setCursor('npm', '0');
    await drain(f);
    expect(await jobKeys()).toEqual(['npm:old-and-new@1.0.0/npm']);
    expect(await store.getCursor('npm')).toBe('4');
  });

  it('a failing feed keeps its cursor and retries', async () => {
    const feed = new NpmFeed({
      changesUrl: 'http://127.0.0.1:9/_changes',
      registry: reg.npmRegistry,
      since: '0',
      batchSize: 10,
      lookbackMs: 1000,
      maxVersionsPerChange: 1,
      timeoutMs: 500,
    });
    const f = follower(feed).start();
    await new Promise((r) => setTimeout(r, 300));
    await f.stop();
    expect(f.errors).toBeGreaterThan(0);
    expect(f.lastError).toMatch(/cannot reach/);
    expect(await store.getCursor('npm')).toBeUndefined();
  });
});

describe('migrations', () => {
  it('apply once, in order, and are recorded', async () => {
    const tmp = tempDir();
    const db = new SqliteDb(`${tmp.dir}/m.db`);
    try {
      expect(await migrate(db)).toEqual([1, 2]);
      expect(await migrate(db)).toEqual([]);
      const rows = await db.all<Record<string, any>>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
      const cols = await db.all<Record<string, any>>('PRAGMA table_info(verdicts)');
      expect(cols.map((c) => c.name)).toContain('advisory_id');
    } finally {
      await db.close();
      tmp.cleanup();
    }
  });
});
