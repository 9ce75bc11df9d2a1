import os from 'node:os';
import { SingleBar } from 'cli-progress';
import { Piscina } from 'piscina';
import type { ScanReport } from '../core/types.js';
import type { ScanOptions } from '../scan.js';
import { type IntelSettings, type ScanTask, scanTask } from './scan-worker.js';

export interface RunOptions {
  concurrency: number;
  progress: boolean;
  scanOptions: Omit<ScanOptions, 'signal' | 'extraAnalyzers'>;
  /** Look targets up in the known-malware database and apply name heuristics (INTEL-/NAME- rules). */
  intel?: IntelSettings;
}

export function defaultConcurrency(): number {
  return Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
}

/**
 * Scans targets concurrently in worker threads (one in-process scan when there is a single
 * target or concurrency 1). Results keep the order of the targets; a failing target yields an
 * error report and never stops the others.
 */
export async function runScans(targets: string[], options: RunOptions): Promise<ScanReport[]> {
  const bar =
    options.progress && targets.length > 1
      ? new SingleBar({
          format: 'scanning [{bar}] {value}/{total} {target}',
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        })
      : undefined;
  bar?.start(targets.length, 0, { target: '' });
  const tick = (target: string) => bar?.increment(1, { target });
  try {
    if (targets.length === 1 || options.concurrency <= 1) {
      const out: ScanReport[] = [];
      for (const t of targets) {
        out.push(await scanTask({ target: t, options: options.scanOptions, intel: options.intel }));
        tick(t);
      }
      return out;
    }
    const pool = new Piscina({
      filename: new URL('./scan-worker.js', import.meta.url).href,
      maxThreads: Math.min(options.concurrency, targets.length),
      minThreads: 1,
      idleTimeout: 1000,
    });
    try {
      return await Promise.all(
        targets.map(async (target) => {
          const task: ScanTask = { target, options: options.scanOptions, intel: options.intel };
          const report = (await pool.run(task)) as ScanReport;
          tick(target);
          return report;
        }),
      );
    } finally {
      await pool.destroy();
    }
  } finally {
    bar?.stop();
  }
}
