import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Ecosystem } from '../core/types.js';
import type { IndexMetrics } from './metrics.js';
import { runScanTask, type ScanTaskInput, type ScanTaskOutput } from './scan-task.js';
import type { Store } from './store.js';
import type { JobQueue, LeasedJob } from './types.js';

/** Failures worth retrying: the registry may be down or not yet have the new version everywhere. */
const PERMANENT = new Set(['invalid-target', 'unsupported', 'limit', 'corrupt-archive', 'invalid-package']);

export function isRetryable(code: string): boolean {
  return !PERMANENT.has(code);
}

export interface WorkerOptions {
  id: string;
  /** Concurrent jobs in this worker. */
  concurrency: number;
  /** Registry base URL per ecosystem. */
  registries: Partial<Record<Ecosystem, string>>;
  timeoutMs: number;
  /** Scan in worker threads (needs the built dist/); 0 scans on the main thread. */
  threads: number;
  /** Idle poll interval (ms). */
  pollMs: number;
  metrics?: IndexMetrics;
  log?: (msg: string) => void;
  /** Test hook: runs after a scan, before its result is stored. */
  beforeStore?: (job: LeasedJob) => Promise<void> | void;
}

/**
 * Leases jobs, scans them, stores the verdicts. Storage is idempotent (unique
 * ecosystem/name/version/digest), so a job re-run after a crash between store and ack yields
 * no duplicate verdict.
 */
export class IndexWorker {
  private running = false;
  private loops: Promise<void>[] = [];
  private pool?: Piscina;
  private readonly wakers = new Set<() => void>();
  processed = 0;

  constructor(
    readonly queue: JobQueue,
    readonly store: Store,
    readonly options: WorkerOptions,
  ) {
    if (options.threads > 0) {
      const file = fileURLToPath(new URL('./scan-task.js', import.meta.url));
      if (existsSync(file)) {
        this.pool = new Piscina({
          filename: file,
          maxThreads: options.threads,
          minThreads: 1,
          idleTimeout: 30_000,
        });
      }
    }
  }

  private async scan(input: ScanTaskInput): Promise<ScanTaskOutput> {
    if (this.pool) return (await this.pool.run(input)) as ScanTaskOutput;
    return runScanTask(input);
  }

  /** Processes one leased job to completion or a recorded failure. */
  async handle(job: LeasedJob): Promise<void> {
    const { payload } = job;
    const m = this.options.metrics;
    const started = Date.now();
    let out: ScanTaskOutput;
    try {
      out = await this.scan({
        ecosystem: payload.ecosystem,
        name: payload.name,
        version: payload.version,
        registry: this.options.registries[payload.ecosystem],
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      out = { ok: false, code: 'internal', message: err instanceof Error ? err.message : String(err) };
    }
    m?.scanSeconds.labels(payload.ecosystem).observe((Date.now() - started) / 1000);
    if (!out.ok) {
      const outcome = await this.queue.fail(job, `${out.code}: ${out.message}`, isRetryable(out.code));
      m?.failures.labels(payload.ecosystem, outcome).inc();
      this.options.log?.(
        `${payload.ecosystem}:${payload.name}@${payload.version} ${outcome}: ${out.message}`,
      );
      return;
    }
    await this.options.beforeStore?.(job);
    const scannedAt = Date.now();
    const saved = await this.store.saveResult(
      payload,
      job.enqueuedAt,
      { report: out.report, digest: out.digest, payloadHashes: out.payloadHashes, publisher: out.publisher },
      scannedAt,
    );
    await this.queue.complete(job);
    this.processed++;
    if (saved.inserted) {
      m?.scanned.labels(payload.ecosystem, out.report.verdict).inc();
      const published = payload.publishedAt;
      if (published !== undefined)
        m?.latencySeconds.labels(payload.ecosystem).observe((scannedAt - published) / 1000);
    }
  }

  private async loop(slot: number): Promise<void> {
    while (this.running) {
      let jobs: LeasedJob[] = [];
      try {
        jobs = await this.queue.lease(`${this.options.id}/${slot}`, 1);
      } catch (err) {
        this.options.log?.(`lease failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!jobs.length) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(t);
            this.wakers.delete(wake);
            resolve();
          };
          const t = setTimeout(wake, this.options.pollMs);
          this.wakers.add(wake);
        });
        continue;
      }
      for (const job of jobs) {
        try {
          await this.handle(job);
        } catch (err) {
          // Storage or queue unreachable: leave the lease to expire; the job comes back.
          this.options.log?.(
            `job ${job.payload.name}@${job.payload.version} interrupted: ${err instanceof Error ? err.message : String(err)}`,
          );
          await new Promise((r) => setTimeout(r, this.options.pollMs));
        }
      }
    }
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop(i));
    return this;
  }

  /** Wakes idle loops (new jobs were enqueued in this process). */
  poke(): void {
    for (const w of [...this.wakers]) w();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await Promise.all(this.loops);
    this.loops = [];
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
