import type { Analyzer } from '../core/types.js';
import { type ScanOptions, scan } from '../scan.js';

/** Known-malware lookup settings a scan task carries (analyzers themselves cannot cross threads). */
export interface IntelSettings {
  /** Database file; default: the user cache. A missing database only disables the lookup. */
  db?: string;
}

export interface ScanTask {
  target: string;
  options: Omit<ScanOptions, 'signal' | 'extraAnalyzers'>;
  intel?: IntelSettings;
}

const intelAnalyzers = new Map<string, Promise<Analyzer>>();

/** One intel analyzer (and SQLite handle) per database per thread. */
export function intelAnalyzer(settings: IntelSettings): Promise<Analyzer> {
  const key = settings.db ?? '';
  let analyzer = intelAnalyzers.get(key);
  if (!analyzer) {
    analyzer = import('../intel/analyzer.js').then((m) => m.createIntelAnalyzer({ db: settings.db }));
    intelAnalyzers.set(key, analyzer);
  }
  return analyzer;
}

/** Scans one target, adding the intel analyzer when the task asks for it. */
export async function scanTask(task: ScanTask) {
  const extraAnalyzers = task.intel ? [await intelAnalyzer(task.intel)] : undefined;
  return scan(task.target, { ...task.options, extraAnalyzers });
}

/** Piscina worker entry: scans one target in a worker thread. */
export default scanTask;
