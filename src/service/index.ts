import type { FastifyInstance } from 'fastify';
import { buildApi } from './api.js';
import { type IndexConfig, isPostgres, sqlitePath } from './config.js';
import { PgDb, type SqlDb, SqliteDb } from './db.js';
import { FeedFollower } from './feeds/follower.js';
import { MavenFeed } from './feeds/maven.js';
import { NpmFeed } from './feeds/npm.js';
import { PypiFeed } from './feeds/pypi.js';
import type { Feed } from './feeds/types.js';
import { IndexMetrics } from './metrics.js';
import { migrate } from './migrations.js';
import { PgBossQueue } from './queue/pgboss-queue.js';
import { SqlQueue } from './queue/sql-queue.js';
import { Store } from './store.js';
import type { JobQueue } from './types.js';
import { IndexWorker } from './worker.js';

export interface Backend {
  db: SqlDb;
  store: Store;
  queue: JobQueue;
  mode: 'embedded' | 'postgres';
  close(): Promise<void>;
}

/** Opens storage and queue for a config: SQLite + table queue, or PostgreSQL + pg-boss. */
export async function openBackend(config: IndexConfig): Promise<Backend> {
  const w = config.worker;
  if (isPostgres(config.database)) {
    const db = new PgDb(config.database, config.pgSchema);
    try {
      await migrate(db, config.pgSchema);
      const queue = await new PgBossQueue(db, {
        connectionString: config.database,
        bossSchema: `${config.pgSchema}_boss`,
        leaseSeconds: Math.max(1, Math.round(w.leaseMs / 1000)),
        maxAttempts: w.maxAttempts,
        retryDelaySeconds: Math.max(1, Math.round(w.retryBaseMs / 1000)),
        maintenanceIntervalSeconds: Math.max(1, Math.min(30, Math.round(w.leaseMs / 2000))),
      }).start();
      return {
        db,
        store: new Store(db),
        queue,
        mode: 'postgres',
        async close() {
          await queue.close();
          await db.close();
        },
      };
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }
  const db = new SqliteDb(sqlitePath(config.database));
  await migrate(db);
  const queue = new SqlQueue(db, {
    leaseMs: w.leaseMs,
    maxAttempts: w.maxAttempts,
    retryBaseMs: w.retryBaseMs,
  });
  return {
    db,
    store: new Store(db),
    queue,
    mode: 'embedded',
    async close() {
      await queue.close();
      await db.close();
    },
  };
}

export function feedsFor(config: IndexConfig): Feed[] {
  const f = config.feeds;
  const timeoutMs = config.worker.timeoutMs;
  const feeds: Feed[] = [];
  if (f.npm.enabled)
    feeds.push(
      new NpmFeed({
        changesUrl: f.npm.changesUrl,
        registry: config.registries.npm.endsWith('/') ? config.registries.npm : `${config.registries.npm}/`,
        since: f.npm.since,
        batchSize: f.npm.batchSize,
        lookbackMs: f.npm.lookbackHours * 3_600_000,
        maxVersionsPerChange: 20,
        timeoutMs,
      }),
    );
  if (f.pypi.enabled)
    feeds.push(
      new PypiFeed({
        xmlrpcUrl: f.pypi.xmlrpcUrl,
        rssUrls: f.pypi.rssUrls,
        since: f.pypi.since,
        batchSize: f.pypi.batchSize,
        timeoutMs,
      }),
    );
  if (f.maven.enabled)
    feeds.push(
      new MavenFeed({
        searchUrl: f.maven.searchUrl,
        since: f.maven.since,
        rows: f.maven.rows,
        maxPages: 20,
        timeoutMs,
      }),
    );
  return feeds;
}

export interface RunningIndex {
  backend: Backend;
  metrics: IndexMetrics;
  followers: FeedFollower[];
  worker?: IndexWorker;
  api?: FastifyInstance;
  url?: string;
  stop(): Promise<void>;
}

/** Starts any combination of watch, workers and serve over one backend (`beagle index` = all). */
export async function startIndex(
  config: IndexConfig,
  parts: { watch: boolean; work: boolean; serve: boolean },
  log: (msg: string) => void = () => {},
): Promise<RunningIndex> {
  const backend = await openBackend(config);
  const metrics = new IndexMetrics();
  let worker: IndexWorker | undefined;
  if (parts.work) {
    worker = new IndexWorker(backend.queue, backend.store, {
      id: `${process.pid}`,
      concurrency: config.worker.concurrency,
      threads: config.worker.threads,
      registries: config.registries,
      timeoutMs: config.worker.timeoutMs,
      pollMs: config.worker.pollMs,
      metrics,
      log,
    }).start();
  }
  const followers = parts.watch
    ? feedsFor(config).map((feed) =>
        new FeedFollower(feed, backend.queue, backend.store, {
          intervalMs: config.feeds.intervalMs,
          errorDelayMs: Math.min(config.feeds.intervalMs, 5000),
          metrics,
          log,
          onEnqueued: () => worker?.poke(),
        }).start(),
      )
    : [];
  let api: FastifyInstance | undefined;
  let url: string | undefined;
  if (parts.serve) {
    api = await buildApi({
      store: backend.store,
      queue: backend.queue,
      metrics,
      followers,
      campaignsDir: config.campaignsDir,
    });
    url = await api.listen({ host: config.serve.host, port: config.serve.port });
  }
  return {
    backend,
    metrics,
    followers,
    worker,
    api,
    url,
    async stop() {
      await Promise.all(followers.map((f) => f.stop()));
      await worker?.stop();
      await api?.close();
      await backend.close();
    },
  };
}
