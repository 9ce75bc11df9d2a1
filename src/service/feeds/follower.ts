import { errorMessage } from '../../core/errors.js';
import type { IndexMetrics } from '../metrics.js';
import type { Store } from '../store.js';
import type { JobQueue } from '../types.js';
import type { Feed } from './types.js';

export interface FollowerOptions {
  intervalMs: number;
  /** Back-off after a failed poll (doubles up to 16x). */
  errorDelayMs: number;
  metrics?: IndexMetrics;
  log?: (msg: string) => void;
  /** Called after new jobs were enqueued (wakes in-process workers). */
  onEnqueued?: (n: number) => void;
}

/**
 * Drives one feed: poll from the stored cursor, enqueue, then persist the new cursor. Jobs are
 * enqueued before the cursor moves, so a crash in between re-reads the same batch on restart
 * and the queue's per-version dedupe drops the repeats: no gaps, no duplicates.
 */
export class FeedFollower {
  private running = false;
  private loopDone?: Promise<void>;
  private abort = new AbortController();
  private sleeper?: () => void;
  polls = 0;
  errors = 0;
  lastError?: string;

  constructor(
    readonly feed: Feed,
    readonly queue: JobQueue,
    readonly store: Store,
    readonly options: FollowerOptions,
  ) {}

  /** One poll-enqueue-commit step; returns whether more is waiting. */
  async step(): Promise<{ enqueued: number; more: boolean }> {
    const cursor = await this.store.getCursor(this.feed.name);
    const res = await this.feed.poll(cursor === '' ? undefined : cursor, this.abort.signal);
    const added = await this.queue.enqueue(res.jobs);
    if (res.cursor !== cursor) await this.store.setCursor(this.feed.name, res.cursor);
    this.polls++;
    if (added) {
      this.options.metrics?.enqueued.labels(this.feed.name).inc(added);
      this.options.onEnqueued?.(added);
    }
    return { enqueued: added, more: res.more };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.sleeper = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.abort = new AbortController();
    this.loopDone = (async () => {
      let failures = 0;
      while (this.running) {
        try {
          const { more } = await this.step();
          failures = 0;
          if (!more) await this.sleep(this.options.intervalMs);
        } catch (err) {
          if (!this.running) break;
          failures++;
          this.errors++;
          this.lastError = errorMessage(err);
          this.options.metrics?.feedErrors.labels(this.feed.name).inc();
          this.options.log?.(`feed ${this.feed.name}: ${this.lastError}`);
          await this.sleep(this.options.errorDelayMs * 2 ** Math.min(4, failures - 1));
        }
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.sleeper?.();
    await this.loopDone;
  }
}
