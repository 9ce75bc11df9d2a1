import PgBoss from 'pg-boss';
import type { Ecosystem } from '../../core/types.js';
import { isPgTx, type PgDb } from '../db.js';
import type { JobPayload, JobQueue, LeasedJob, QueueCounts } from '../types.js';

export interface PgBossQueueOptions {
  connectionString: string;
  /** Schema of pg-boss's own tables. */
  bossSchema: string;
  queueName?: string;
  /** Visibility timeout: an active job whose worker vanished is retried after this (s). */
  leaseSeconds: number;
  maxAttempts: number;
  /** First retry delay (s); pg-boss doubles it per retry (retryBackoff). */
  retryDelaySeconds: number;
  /** How often pg-boss's maintenance expires lost jobs (s). */
  maintenanceIntervalSeconds?: number;
}

type R = Record<string, any>;

function keyOf(j: { ecosystem: string; name: string; version: string }): string {
  return `${j.ecosystem}/${j.name}@${j.version}`;
}

/**
 * PostgreSQL mode: pg-boss carries the work (SKIP LOCKED fetches, expiry of jobs whose worker
 * died, retries with exponential backoff) for any number of workers on any number of
 * machines. The `index_jobs` row of a version is inserted in the same transaction as its pg-boss
 * job, so a version is enqueued exactly once, and records the state the API reports.
 */
export class PgBossQueue implements JobQueue {
  readonly boss: PgBoss;
  readonly queue: string;
  private started = false;
  private lastReconcile = 0;
  private readonly reconcileEveryMs: number;

  constructor(
    readonly db: PgDb,
    readonly options: PgBossQueueOptions,
  ) {
    this.queue = options.queueName ?? 'beagle-scan';
    this.reconcileEveryMs = Math.min(10_000, options.leaseSeconds * 500);
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      application_name: `beagle:${options.bossSchema}`,
      schema: options.bossSchema,
      max: 4,
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      monitorStateIntervalSeconds: 60,
    } as PgBoss.ConstructorOptions);
    // Connection drops surface here; pg-boss reconnects through its pool.
    this.boss.on('error', () => {});
  }

  async start(): Promise<this> {
    if (this.started) return this;
    await this.boss.start();
    await this.boss.createQueue(this.queue, {
      name: this.queue,
      policy: 'standard',
      retryLimit: Math.max(0, this.options.maxAttempts - 1),
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.leaseSeconds,
    } as PgBoss.Queue);
    this.started = true;
    return this;
  }

  private sendOptions(): PgBoss.SendOptions {
    return {
      retryLimit: Math.max(0, this.options.maxAttempts - 1),
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.leaseSeconds,
    };
  }

  async enqueue(jobs: JobPayload[]): Promise<number> {
    if (!jobs.length) return 0;
    const now = Date.now();
    return this.db.tx(async (tx) => {
      if (!isPgTx(tx)) throw new Error('PgBossQueue needs a PostgreSQL transaction');
      const client = tx.raw;
      const executor = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      let added = 0;
      for (const j of jobs) {
        const res = await tx.run(
          `INSERT INTO index_jobs (ecosystem, name, version, feed, state, max_attempts, published_at, enqueued_at)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (ecosystem, name, version) DO NOTHING RETURNING id`,
          [j.ecosystem, j.name, j.version, j.feed, this.options.maxAttempts, j.publishedAt ?? null, now],
        );
        if (!res.rows.length) continue;
        await this.boss.send(
          this.queue,
          { ...j, enqueuedAt: now } as object,
          {
            ...this.sendOptions(),
            singletonKey: keyOf(j),
            db: executor,
          } as PgBoss.SendOptions,
        );
        added++;
      }
      return added;
    });
  }

  /** Parks rows whose pg-boss job ended in `failed` (e.g. expired on its last attempt). */
  private async reconcile(): Promise<void> {
    const s = this.options.bossSchema;
    await this.db.run(
      `UPDATE index_jobs ij SET state = 'parked', finished_at = ?,
         last_error = COALESCE(ij.last_error || '; ', '') || 'gave up after ' || (b.retry_count + 1) || ' attempts (' ||
           COALESCE(b.output->>'message', b.output->>'error', 'worker lost the job') || ')'
       FROM ${s}.job b
       WHERE b.name = ? AND b.singleton_key = ij.ecosystem || '/' || ij.name || '@' || ij.version
         AND b.state = 'failed' AND ij.state IN ('queued', 'active')
         AND NOT EXISTS (SELECT 1 FROM ${s}.job b2 WHERE b2.name = b.name AND b2.singleton_key = b.singleton_key
                         AND b2.state IN ('created', 'retry', 'active'))`,
      [Date.now(), this.queue],
    );
  }

  async lease(worker: string, max: number): Promise<LeasedJob[]> {
    // Reconciling scans pg-boss's failed jobs: at most every few seconds per process.
    if (Date.now() - this.lastReconcile > this.reconcileEveryMs) {
      this.lastReconcile = Date.now();
      await this.reconcile();
    }
    const jobs = (await this.boss.fetch(this.queue, {
      batchSize: max,
      includeMetadata: true,
    })) as unknown as PgBoss.JobWithMetadata<JobPayload & { enqueuedAt: number }>[];
    const out: LeasedJob[] = [];
    for (const j of jobs ?? []) {
      const attempt = j.retryCount + 1;
      await this.db.run(
        `UPDATE index_jobs SET state = 'active', attempts = ?, worker = ? WHERE ecosystem = ? AND name = ? AND version = ?
           AND state <> 'done'`,
        [attempt, worker, j.data.ecosystem, j.data.name, j.data.version],
      );
      out.push({
        id: j.id,
        payload: {
          ecosystem: j.data.ecosystem,
          name: j.data.name,
          version: j.data.version,
          feed: j.data.feed,
          publishedAt: j.data.publishedAt,
        },
        attempt,
        maxAttempts: j.retryLimit + 1,
        enqueuedAt: j.data.enqueuedAt,
      });
    }
    return out;
  }

  async complete(job: LeasedJob): Promise<void> {
    await this.boss.complete(this.queue, job.id);
  }

  async fail(job: LeasedJob, error: string, retryable: boolean): Promise<'retry' | 'parked'> {
    const park = !retryable || job.attempt >= job.maxAttempts;
    const where = 'ecosystem = ? AND name = ? AND version = ?';
    const key = [job.payload.ecosystem, job.payload.name, job.payload.version];
    if (park) {
      await this.db.run(
        `UPDATE index_jobs SET state = 'parked', last_error = ?, finished_at = ? WHERE ${where}`,
        [error.slice(0, 4000), Date.now(), ...key],
      );
      if (retryable) await this.boss.fail(this.queue, job.id, { message: error.slice(0, 1000) });
      else await this.boss.cancel(this.queue, job.id);
      return 'parked';
    }
    await this.db.run(`UPDATE index_jobs SET state = 'queued', last_error = ? WHERE ${where}`, [
      error.slice(0, 4000),
      ...key,
    ]);
    await this.boss.fail(this.queue, job.id, { message: error.slice(0, 1000) });
    return 'retry';
  }

  async requeueParked(key?: { ecosystem: Ecosystem; name: string; version: string }): Promise<number> {
    const params: unknown[] = [];
    let w = "state = 'parked'";
    if (key) {
      w += ' AND ecosystem = ? AND name = ? AND version = ?';
      params.push(key.ecosystem, key.name, key.version);
    }
    return this.db.tx(async (tx) => {
      if (!isPgTx(tx)) throw new Error('PgBossQueue needs a PostgreSQL transaction');
      const client = tx.raw;
      const executor = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      const rows = await tx.all<R>(
        `UPDATE index_jobs SET state = 'queued', attempts = 0, finished_at = NULL WHERE ${w} RETURNING *`,
        params,
      );
      for (const r of rows) {
        const payload: JobPayload = {
          ecosystem: r.ecosystem,
          name: r.name,
          version: r.version,
          feed: r.feed,
          publishedAt: r.published_at ?? undefined,
        };
        await this.boss.send(
          this.queue,
          { ...payload, enqueuedAt: Number(r.enqueued_at) } as object,
          {
            ...this.sendOptions(),
            singletonKey: keyOf(payload),
            db: executor,
          } as PgBoss.SendOptions,
        );
      }
      return rows.length;
    });
  }

  async counts(): Promise<QueueCounts> {
    const rows = await this.db.all<R>('SELECT state, COUNT(*) AS n FROM index_jobs GROUP BY state');
    const out: QueueCounts = { queued: 0, active: 0, done: 0, parked: 0 };
    for (const r of rows) if (r.state in out) out[r.state as keyof QueueCounts] = Number(r.n);
    return out;
  }

  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: false, close: true, wait: true, timeout: 2000 } as PgBoss.StopOptions);
  }
}
