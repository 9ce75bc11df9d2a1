import type { Ecosystem } from '../../core/types.js';
import type { SqlDb } from '../db.js';
import type { JobPayload, JobQueue, LeasedJob, QueueCounts } from '../types.js';
import { backoffMs } from './backoff.js';

export interface SqlQueueOptions {
  /** How long a leased job stays invisible to other workers (ms). */
  leaseMs: number;
  maxAttempts: number;
  /** First retry delay (ms); doubles each attempt. */
  retryBaseMs: number;
}

type R = Record<string, any>;

/**
 * The embedded queue: the `index_jobs` table with leases (visibility timeouts). A job is
 * leased by setting `state = 'active'` and `lease_until`; a worker that dies leaves the lease to
 * run out and the job is leased again. Every lease counts as an attempt, so a job that kills its
 * worker every time is parked after `max_attempts` instead of looping forever.
 */
export class SqlQueue implements JobQueue {
  constructor(
    readonly db: SqlDb,
    readonly options: SqlQueueOptions,
  ) {}

  async enqueue(jobs: JobPayload[]): Promise<number> {
    if (!jobs.length) return 0;
    const now = Date.now();
    return this.db.tx(async (tx) => {
      let added = 0;
      for (const j of jobs) {
        const res = await tx.run(
          `INSERT INTO index_jobs (ecosystem, name, version, feed, state, max_attempts, run_after, published_at, enqueued_at)
           VALUES (?, ?, ?, ?, 'queued', ?, 0, ?, ?) ON CONFLICT (ecosystem, name, version) DO NOTHING`,
          [j.ecosystem, j.name, j.version, j.feed, this.options.maxAttempts, j.publishedAt ?? null, now],
        );
        added += res.changes;
      }
      return added;
    });
  }

  async lease(worker: string, max: number): Promise<LeasedJob[]> {
    const now = Date.now();
    return this.db.tx(async (tx) => {
      // Jobs whose worker vanished on their last allowed attempt: park, do not loop.
      await tx.run(
        `UPDATE index_jobs SET state = 'parked', finished_at = ?, lease_until = NULL,
           last_error = COALESCE(last_error || '; ', '') || 'lease expired on attempt ' || attempts || ' (worker lost)'
         WHERE state = 'active' AND lease_until < ? AND attempts >= max_attempts`,
        [now, now],
      );
      const lock = tx.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
      const res = await tx.run(
        `UPDATE index_jobs SET state = 'active', attempts = attempts + 1, lease_until = ?, worker = ?
         WHERE id IN (
           SELECT id FROM index_jobs
           WHERE (state = 'queued' AND run_after <= ?) OR (state = 'active' AND lease_until < ?)
           ORDER BY run_after, id LIMIT ? ${lock})
         RETURNING *`,
        [now + this.options.leaseMs, worker, now, now, max],
      );
      return res.rows
        .map((r: R) => ({
          id: String(r.id),
          payload: {
            ecosystem: r.ecosystem as Ecosystem,
            name: r.name,
            version: r.version,
            feed: r.feed,
            publishedAt: r.published_at ?? undefined,
          },
          attempt: Number(r.attempts),
          maxAttempts: Number(r.max_attempts),
          enqueuedAt: Number(r.enqueued_at),
        }))
        .sort((a, b) => Number(a.id) - Number(b.id));
    });
  }

  async complete(job: LeasedJob): Promise<void> {
    // Store.saveResult already marked the row done in the verdict's transaction; this covers
    // callers that complete without storing.
    await this.db.run(
      `UPDATE index_jobs SET state = 'done', finished_at = COALESCE(finished_at, ?), lease_until = NULL
       WHERE id = ? AND state = 'active'`,
      [Date.now(), Number(job.id)],
    );
  }

  async fail(job: LeasedJob, error: string, retryable: boolean): Promise<'retry' | 'parked'> {
    const now = Date.now();
    const park = !retryable || job.attempt >= job.maxAttempts;
    if (park) {
      await this.db.run(
        `UPDATE index_jobs SET state = 'parked', last_error = ?, lease_until = NULL, finished_at = ? WHERE id = ?`,
        [error.slice(0, 4000), now, Number(job.id)],
      );
      return 'parked';
    }
    await this.db.run(
      `UPDATE index_jobs SET state = 'queued', last_error = ?, lease_until = NULL, run_after = ? WHERE id = ?`,
      [error.slice(0, 4000), now + backoffMs(job.attempt, this.options.retryBaseMs), Number(job.id)],
    );
    return 'retry';
  }

  async requeueParked(key?: { ecosystem: Ecosystem; name: string; version: string }): Promise<number> {
    const params: unknown[] = [];
    let w = "state = 'parked'";
    if (key) {
      w += ' AND ecosystem = ? AND name = ? AND version = ?';
      params.push(key.ecosystem, key.name, key.version);
    }
    const res = await this.db.run(
      `UPDATE index_jobs SET state = 'queued', attempts = 0, run_after = 0, finished_at = NULL WHERE ${w}`,
      params,
    );
    return res.changes;
  }

  async counts(): Promise<QueueCounts> {
    const rows = await this.db.all<R>('SELECT state, COUNT(*) AS n FROM index_jobs GROUP BY state');
    const out: QueueCounts = { queued: 0, active: 0, done: 0, parked: 0 };
    for (const r of rows) if (r.state in out) out[r.state as keyof QueueCounts] = Number(r.n);
    return out;
  }

  async close(): Promise<void> {}
}
