import { createHash } from 'node:crypto';
import { BeagleError, errorCode, errorMessage } from '../core/errors.js';
import type { ScanReport } from '../core/types.js';
import { loadOptions, type ScanOptions, scanArtifact } from '../scan.js';
import { loadTarget } from '../sources/resolve.js';

export interface DeepTask {
  target: string;
  options: Omit<ScanOptions, 'signal' | 'extraAnalyzers'>;
}

/**
 * Scans one pinned artifact (in a worker thread) and stamps every finding with the SHA-256 of
 * the file it points at (`evidence.contentHash`, the key suppressions quote), or of the artifact.
 */
export default async function deepScanInWorker(task: DeepTask): Promise<ScanReport> {
  const started = Date.now();
  try {
    const { artifact, plugin } = await loadTarget(task.target, loadOptions(task.options));
    const report = await scanArtifact(artifact, { plugin, target: task.target, started });
    const hashes = new Map<string, string>();
    const artifactHash = artifact.source.integrity?.actual ?? '';
    for (const f of report.findings) {
      let h = f.file ? hashes.get(f.file) : undefined;
      if (f.file && !h) {
        const file = artifact.files.find((x) => x.path === f.file);
        if (file) {
          h = `sha256:${createHash('sha256').update(file.data).digest('hex')}`;
          hashes.set(f.file, h);
        }
      }
      f.evidence = { ...f.evidence, contentHash: h ?? artifactHash };
    }
    return report;
  } catch (err) {
    return {
      schemaVersion: 1,
      target: task.target,
      verdict: 'error',
      score: 0,
      categories: [],
      reasons: [],
      findings: [],
      stats: { files: 0, bytes: 0, parsedFiles: 0, unparsedFiles: 0, durationMs: Date.now() - started },
      errors: [
        {
          target: task.target,
          code: errorCode(err),
          message:
            err instanceof BeagleError
              ? errorMessage(err)
              : `${task.target}: internal error: ${errorMessage(err)}`,
        },
      ],
      warnings: [],
    };
  }
}
