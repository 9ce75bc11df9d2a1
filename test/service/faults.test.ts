import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IndexConfig } from '../../src/service/config.js';
import { FeedFollower } from '../../src/service/feeds/follower.js';
import { NpmFeed } from '../../src/service/feeds/npm.js';
import { type Backend, openBackend } from '../../src/service/index.js';
import { IndexWorker } from '../../src/service/worker.js';
import {
  BENIGN_INDEX,
  dropSchemas,
  FakeRegistries,
  PG_URL,
  pgAvailable,
  stealerIndex,
  tempDir,
  testConfig,
  uniqueSchema,
  waitFor,
} from './helpers.js';

const hasPg = await pgAvailable();
if (!hasPg) {
  console.warn(
    `PostgreSQL not reachable at ${PG_URL}: skipping the PostgreSQL-mode index tests (.ci/run starts it).`,
  );
}

type Mode = 'embedded' | 'postgres';
const MODES: Array<{ mode: Mode; skip: boolean }> = [
  { mode: 'embedded', skip: false },
  { mode: 'postgres', skip: !hasPg },
];

function npmFeedFor(config: IndexConfig): NpmFeed {
  return new NpmFeed({
    changesUrl: config.feeds.npm.changesUrl,
    registry: config.registries.npm,
    since: '0',
    batchSize: 4,
    lookbackMs: 72 * 3_600_000,
    maxVersionsPerChange: 20,
    timeoutMs: 5000,
  });
}

function workerFor(
  b: Backend,
  config: IndexConfig,
  id: string,
  over: Partial<ConstructorParameters<typeof IndexWorker>[2]> = {},
) {
  return new IndexWorker(b.queue, b.store, {
    id,
    concurrency: 2,
    threads: 0,
    registries: config.registries,
    timeoutMs: 5000,
    pollMs: 50,
    ...over,
  });
}

async function verdictRows(b: Backend): Promise<Array<{ name: string; version: string; n: number }>> {
  const rows = await b.db.all<Record<string, any>>(
    'SELECT name, version, COUNT(*) AS n FROM verdicts GROUP BY name, version ORDER BY name, version',
  );
  return rows.map((r) => ({ name: r.name, version: r.version, n: Number(r.n) }));
}

for (const { mode, skip } of MODES) {
  describe.skipIf(skip)(`index fault tolerance (${mode})`, () => {
    let reg: FakeRegistries;
    let tmp: ReturnType<typeof tempDir>;
    let schema: string;
    const backends: Backend[] = [];

    async function open(
      over: Partial<IndexConfig['worker']> = {},
    ): Promise<{ b: Backend; config: IndexConfig }> {
      const database = mode === 'postgres' ? PG_URL : `sqlite:${tmp.dir}/index.db`;
      const config = testConfig(reg, database, over);
      config.pgSchema = schema;
      const b = await openBackend(config);
      backends.push(b);
      return { b, config };
    }

    beforeAll(() => {
      schema = uniqueSchema();
    });
    beforeEach(async () => {
      reg = await new FakeRegistries().start();
      tmp = tempDir();
      schema = uniqueSchema();
    });
    afterEach(async () => {
      for (const b of backends.splice(0)) await b.close().catch(() => {});
      await reg.stop();
      tmp.cleanup();
      if (mode === 'postgres') await dropSchemas(schema, `${schema}_boss`);
    });
    afterAll(() => {});

    async function publishMany(n: number, malicious: (i: number) => boolean = (i) => i % 3 === 0) {
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        await reg.publish({
          name: `pkg-${i}`,
          version: `1.0.${i}`,
          files: { 'index.js': malicious(i) ? stealerIndex(`c${i % 2}.evil-exfil.xyz`) : BENIGN_INDEX },
          scripts: malicious(i) ? { postinstall: 'node index.js' } : {},
          publishedAt: now - 1000 * (n - i),
        });
      }
    }

    it('restarting the watcher mid-batch loses nothing and enqueues nothing twice', async () => {
      await publishMany(10);
      const { b, config } = await open();
      // First follower "crashes" after enqueueing its second batch, before saving the cursor.
      let saves = 0;
      const crashingStore = Object.create(b.store) as typeof b.store;
      crashingStore.setCursor = async (feed, cursor) => {
        if (++saves === 2) throw new Error('killed before the cursor was saved');
        return b.store.setCursor(feed, cursor);
      };
      const f1 = new FeedFollower(npmFeedFor(config), b.queue, crashingStore, {
        intervalMs: 10,
        errorDelayMs: 10,
      });
      await f1.step();
      await expect(f1.step()).rejects.toThrow(/killed/);
      expect(await b.store.getCursor('npm')).toBe('4');
      // A new watcher resumes from the stored cursor, re-reads batch 2 and finishes the feed.
      const f2 = new FeedFollower(npmFeedFor(config), b.queue, b.store, { intervalMs: 10, errorDelayMs: 10 });
      for (let i = 0; i < 10; i++) if (!(await f2.step()).more) break;
      expect(await b.store.getCursor('npm')).toBe('10');
      const jobs = await b.db.all<Record<string, any>>('SELECT name FROM index_jobs ORDER BY id');
      expect(jobs.map((j) => j.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `pkg-${i}`).sort());
      // A later change to an already-known package does not re-enqueue its versions.
      reg.changes.push({ seq: 11, id: 'pkg-3' });
      expect((await f2.step()).enqueued).toBe(0);
      if (mode === 'postgres') {
        const boss = await b.db.all<Record<string, any>>(
          `SELECT COUNT(*) AS n FROM ${schema}_boss.job WHERE name = 'beagle-scan'`,
        );
        expect(Number(boss[0]!.n)).toBe(10);
      }
      // And the workers turn them into exactly one verdict each.
      const w = workerFor(b, config, 'w').start();
      await waitFor(async () => (await b.queue.counts()).done === 10 || undefined);
      await w.stop();
      const rows = await verdictRows(b);
      expect(rows).toHaveLength(10);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    });

    it('a worker killed mid-job does not lose it; the job is finished once by another worker', async () => {
      await publishMany(3, (i) => i === 1);
      const { b, config } = await open({ leaseMs: 1000 });
      const f = new FeedFollower(npmFeedFor(config), b.queue, b.store, { intervalMs: 10, errorDelayMs: 10 });
      while ((await f.step()).more);
      // Worker A scans, then "dies" before storing: its lease is never released.
      let dying = 0;
      const a = workerFor(b, config, 'A', {
        concurrency: 1,
        beforeStore: () => {
          dying++;
          return new Promise<void>(() => {});
        },
      });
      a.start();
      await waitFor(async () => dying === 1 || undefined);
      const active = await b.db.all<Record<string, any>>(
        "SELECT name FROM index_jobs WHERE state = 'active'",
      );
      expect(active).toHaveLength(1);
      const stuck = active[0]!.name as string;
      // Worker B (a separate connection in PostgreSQL mode: another machine) picks everything up.
      const second = mode === 'postgres' ? (await open({ leaseMs: 1000 })).b : b;
      const w = workerFor(second, config, 'B').start();
      await waitFor(async () => (await second.queue.counts()).done === 3 || undefined, 30_000);
      await w.stop();
      const rows = await verdictRows(second);
      expect(rows.map((r) => r.name).sort()).toEqual(['pkg-0', 'pkg-1', 'pkg-2']);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const job = await second.db.all<Record<string, any>>(
        'SELECT attempts, state FROM index_jobs WHERE name = ?',
        [stuck],
      );
      expect(job[0]).toMatchObject({ state: 'done' });
      expect(Number(job[0]!.attempts)).toBe(2);
    });

    it('a job that kills its worker on every attempt is parked, not retried forever', async () => {
      await publishMany(1, () => false);
      const { b, config } = await open({ leaseMs: 1000, maxAttempts: 2 });
      const f = new FeedFollower(npmFeedFor(config), b.queue, b.store, { intervalMs: 10, errorDelayMs: 10 });
      while ((await f.step()).more);
      let attempts = 0;
      // Every slot "dies" holding its job; the last free slot keeps polling the queue.
      const w = workerFor(b, config, 'doomed', {
        concurrency: 3,
        pollMs: 100,
        beforeStore: () => {
          attempts++;
          return new Promise<void>(() => {});
        },
      });
      w.start();
      await waitFor(async () => (await b.queue.counts()).parked === 1 || undefined, 40_000, 100);
      expect(attempts).toBe(2);
      const [job] = await b.store.jobs({ state: 'parked', limit: 1, offset: 0 });
      expect(job!.lastError).toMatch(/worker lost|gave up/);
      expect(await verdictRows(b)).toEqual([]);
    });

    it('retries transient download failures with backoff and parks a job that keeps failing', async () => {
      await publishMany(2, () => false);
      reg.failTarball.set('pkg-0-1.0.0.tgz', 2); // recovers on the 3rd attempt
      reg.failTarball.set('pkg-1-1.0.1.tgz', 1000); // never recovers
      const { b, config } = await open({ maxAttempts: 3, retryBaseMs: 1000 });
      const f = new FeedFollower(npmFeedFor(config), b.queue, b.store, { intervalMs: 10, errorDelayMs: 10 });
      while ((await f.step()).more);
      const w = workerFor(b, config, 'w', { pollMs: 100 }).start();
      await waitFor(async () => {
        const c = await b.queue.counts();
        return (c.done === 1 && c.parked === 1) || undefined;
      }, 40_000);
      const hitsAtPark = reg.hits.tarball;
      await new Promise((r) => setTimeout(r, 2500));
      await w.stop();
      expect(reg.hits.tarball).toBe(hitsAtPark); // parked means no more attempts
      const jobs = await b.store.jobs({ limit: 10, offset: 0 });
      const ok = jobs.find((j) => j.name === 'pkg-0')!;
      const parked = jobs.find((j) => j.name === 'pkg-1')!;
      expect(ok).toMatchObject({ state: 'done', attempts: 3 });
      expect(parked.state).toBe('parked');
      expect(parked.attempts).toBe(3);
      expect(parked.lastError).toMatch(/503/);
      expect(reg.failTarball.get('pkg-1-1.0.1.tgz')).toBe(1000 - 3);
      // A parked job can be put back by an operator and then succeeds.
      reg.failTarball.delete('pkg-1-1.0.1.tgz');
      expect(await b.queue.requeueParked()).toBe(1);
      const w2 = workerFor(b, config, 'w2').start();
      await waitFor(async () => (await b.queue.counts()).done === 2 || undefined, 20_000);
      await w2.stop();
      expect((await verdictRows(b)).every((r) => r.n === 1)).toBe(true);
    });

    it.skipIf(mode !== 'postgres')(
      'survives dropped database connections without losing or duplicating verdicts',
      async () => {
        await publishMany(12);
        const { b, config } = await open({ leaseMs: 2000 });
        const f = new FeedFollower(npmFeedFor(config), b.queue, b.store, {
          intervalMs: 10,
          errorDelayMs: 50,
        });
        while ((await f.step()).more);
        const w = workerFor(b, config, 'w', { concurrency: 3, pollMs: 50 }).start();
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        try {
          // Kill every connection of this index (ours and pg-boss's) a few times while it works.
          for (let i = 0; i < 3; i++) {
            await new Promise((r) => setTimeout(r, 150));
            await admin.query(
              'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ($1, $2) AND pid <> pg_backend_pid()',
              [`beagle:${schema}`, `beagle:${schema}_boss`],
            );
          }
        } finally {
          await admin.end();
        }
        await waitFor(
          async () => {
            try {
              return (await b.queue.counts()).done === 12 || undefined;
            } catch {
              return undefined;
            }
          },
          60_000,
          200,
        );
        await w.stop();
        const rows = await verdictRows(b);
        expect(rows).toHaveLength(12);
        expect(rows.every((r) => r.n === 1)).toBe(true);
      },
    );
  });
}
