import { type ScanOptions, scan } from '../scan.js';

export interface ScanTask {
  target: string;
  options: Omit<ScanOptions, 'signal' | 'extraAnalyzers'>;
}

/** Piscina worker entry: scans one target in a worker thread. */
export default async function scanInWorker(task: ScanTask) {
  return scan(task.target, task.options);
}
