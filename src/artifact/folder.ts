import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { BeagleError } from '../core/errors.js';
import type { ReadLimits } from '../core/limits.js';
import { EntryCollector, type ReadResult } from './collector.js';

// VCS metadata and installed dependencies are not part of the package being scanned.
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules']);

/** Reads an unpacked package folder with the same limits and link rules as archives. */
export async function readFolder(root: string, limits: ReadLimits, label: string): Promise<ReadResult> {
  const collector = new EntryCollector({ limits, label });
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (SKIP_DIRS.has(entry.name)) continue;
        collector.countEntry();
        await walk(abs);
      } else if (entry.isSymbolicLink()) {
        collector.addNonFile(rel, 'symlink', await readlink(abs));
      } else if (entry.isFile()) {
        const st = await lstat(abs);
        if (!collector.acceptsSize(rel, st.size)) {
          collector.countEntry();
          continue;
        }
        collector.addFile(rel, await readFile(abs), st.mode);
      } else {
        collector.addNonFile(rel, 'special');
      }
    }
  };
  try {
    await walk(root);
  } catch (err) {
    if (err instanceof BeagleError) throw err;
    throw new BeagleError('io', `${label}: cannot read folder (${(err as Error).message})`);
  }
  return collector.result();
}
