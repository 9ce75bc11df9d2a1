import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedFollower } from '../../src/service/feeds/follower.js';
import { NpmFeed } from '../../src/service/feeds/npm.js';
import { openBackend } from '../../src/service/index.js';
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

const BIN = fileURLToPath(new URL('../../bin/beagle.js', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../../dist/service/worker.js', import.meta.url)));
if (!BUILT)
  console.warn('dist/ is not built: skipping the beagle worker process tests (npm test builds first).');

const hasPg = await pgAvailable();
if (!hasPg)
  console.warn(`PostgreSQL not reachable at ${PG_URL}: skipping the PostgreSQL worker-process test.`);

for (const mode of ['embedded', 'postgres'] as const) {
  describe.skipIf(!BUILT || (mode === 'postgres' && !hasPg))(
    `beagle worker processes (SIGKILL mid-job, ${mode})`,
    () => {
      let reg: FakeRegistries;
      let tmp: ReturnType<typeof tempDir>;
      const children: ChildProcess[] = [];
      const schema = uniqueSchema();

      beforeEach(async () => {
        reg = await new FakeRegistries().start();
        tmp = tempDir();
      });
      afterEach(async () => {
        for (const c of children.splice(0))
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        await reg.stop();
        tmp.cleanup();
        if (mode === 'postgres') await dropSchemas(schema, `${schema}_boss`);
      });

      function worker(db: string): ChildProcess {
        const c = spawn(
          process.execPath,
          [
            BIN,
            'worker',
            '--db',
            db,
            '--pg-schema',
            schema,
            '--npm-registry',
            reg.npmRegistry,
            '--concurrency',
            '1',
            '--threads',
            '0',
            '--lease',
            '2',
            '--timeout',
            '5000',
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        c.stderr?.resume();
        children.push(c);
        return c;
      }

      it('a worker process killed mid-download loses no job; a new worker stores exactly one verdict', async () => {
        const now = Date.now();
        await reg.publish({
          name: 'first-ok',
          version: '1.0.0',
          files: { 'index.js': BENIGN_INDEX },
          publishedAt: now - 5000,
        });
        await reg.publish({
          name: 'held-bad',
          version: '6.6.6',
          files: { 'index.js': stealerIndex('x.exfil-kill.xyz') },
          scripts: { postinstall: 'node index.js' },
          publishedAt: now - 4000,
        });
        const config = testConfig(reg, mode === 'postgres' ? PG_URL : `sqlite:${tmp.dir}/index.db`, {
          leaseMs: 2000,
          maxAttempts: 5,
          retryBaseMs: 1000,
        });
        config.pgSchema = schema;
        const backend = await openBackend(config);
        const { db, store, queue } = backend;
        const file = config.database;
        const feed = new NpmFeed({
          changesUrl: `${reg.url}/npm/_changes`,
          registry: reg.npmRegistry,
          since: '0',
          batchSize: 10,
          lookbackMs: 86_400_000,
          maxVersionsPerChange: 5,
          timeoutMs: 5000,
        });
        await new FeedFollower(feed, queue, store, { intervalMs: 10, errorDelayMs: 10 }).step();
        reg.holdTarball.add('held-bad-6.6.6.tgz');
        const a = worker(file);
        // Wait until worker A is inside the held download, then kill it without warning.
        await waitFor(async () => {
          const rows = await db.all<Record<string, any>>(
            "SELECT name FROM index_jobs WHERE state = 'active'",
          );
          return (rows[0]?.name === 'held-bad' && reg.hits.tarball >= 2) || undefined;
        }, 30_000);
        a.kill('SIGKILL');
        await new Promise((r) => a.once('exit', r));
        reg.holdTarball.clear();
        const b = worker(file);
        await waitFor(async () => (await queue.counts()).done === 2 || undefined, 30_000);
        const rows = await db.all<Record<string, any>>('SELECT name, verdict FROM verdicts ORDER BY name');
        expect(rows).toEqual([
          { name: 'first-ok', verdict: 'clean' },
          { name: 'held-bad', verdict: 'malicious' },
        ]);
        const job = await db.all<Record<string, any>>(
          "SELECT attempts FROM index_jobs WHERE name = 'held-bad'",
        );
        // The killed lease counts as an attempt; on a loaded machine worker B's 2 s lease can also
        // lapse during a slow scan and be taken again, so only bound the count: retried, not parked.
        expect(Number(job[0]!.attempts)).toBeGreaterThanOrEqual(2);
        expect(Number(job[0]!.attempts)).toBeLessThan(5);
        // SIGTERM stops a worker cleanly.
        const code = await new Promise<number | null>((resolve) => {
          b.once('exit', (c) => resolve(c));
          b.kill('SIGTERM');
        });
        expect(code).toBe(0);
        await backend.close();
      });
    },
  );
}
