import type { Category, Ecosystem, ScanReport, Verdict } from '../core/types.js';

export const ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'pypi', 'maven'];

/** One package version a feed announced: the unit of work. */
export interface JobPayload {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** Which feed announced it (`npm`, `pypi`, `pypi-rss`, `maven`, `manual`). */
  feed: string;
  /** Registry publish time (epoch ms) when the feed knows it: detection latency starts here. */
  publishedAt?: number;
}

export type JobState = 'queued' | 'active' | 'done' | 'parked';

export interface LeasedJob {
  /** Queue-specific id (row id in embedded mode, pg-boss uuid in PostgreSQL mode). */
  id: string;
  payload: JobPayload;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  enqueuedAt: number;
}

export interface QueueCounts {
  queued: number;
  active: number;
  done: number;
  parked: number;
}

export interface JobRow {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  feed: string;
  state: JobState;
  attempts: number;
  lastError: string | null;
  publishedAt: number | null;
  enqueuedAt: number;
  finishedAt: number | null;
}

/**
 * Where feed followers put work and workers take it. Enqueueing is idempotent per
 * ecosystem/name/version; a leased job that is neither completed nor failed before its lease
 * runs out becomes available again (a killed worker never loses a job).
 */
export interface JobQueue {
  /** Adds the jobs not seen before; returns how many were new. */
  enqueue(jobs: JobPayload[]): Promise<number>;
  /** Leases up to `max` ready jobs for `leaseMs`. */
  lease(worker: string, max: number): Promise<LeasedJob[]>;
  /** Marks a job finished (its verdict is already stored). */
  complete(job: LeasedJob): Promise<void>;
  /**
   * Records a failed attempt. Retryable failures come back after an exponential backoff until
   * `maxAttempts`; then, or for a permanent failure, the job is parked with its error.
   */
  fail(job: LeasedJob, error: string, retryable: boolean): Promise<'retry' | 'parked'>;
  /** Puts parked jobs back in the queue (all, or one ecosystem/name/version). */
  requeueParked(key?: { ecosystem: Ecosystem; name: string; version: string }): Promise<number>;
  counts(): Promise<QueueCounts>;
  close(): Promise<void>;
}

/** What the worker stores for one scanned version. */
export interface ScanResult {
  report: ScanReport;
  digest: string;
  /** TLSH digests of files that carry findings (payload similarity). */
  payloadHashes: Array<{ file: string; tlsh: string }>;
  publisher?: string;
}

export interface VerdictSummary {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  digest: string;
  verdict: Verdict | 'error';
  score: number;
  categories: Category[];
  publisher: string | null;
  publishedAt: number | null;
  scannedAt: number;
  latencyMs: number | null;
}

export interface VerdictDetail extends VerdictSummary {
  reasons: string[];
  report: ScanReport;
  iocs: string[];
  scanMs: number;
}

export type StatsInterval = 'day' | 'week' | 'quarter';

export interface StatsBucket {
  period: string;
  ecosystem: Ecosystem;
  category: string;
  count: number;
}
