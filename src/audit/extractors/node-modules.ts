import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dependency, Extraction, Extractor } from '../types.js';
import { ExtractError, isObject, npmSourceOf } from './util.js';

interface Found {
  rel: string;
  manifest: Record<string, any>;
  link: boolean;
}

/** Walks an installed node_modules tree (nested and scoped folders), reading every package.json. */
async function walk(root: string, dir: string, out: Found[], warnings: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (dir === root) throw new ExtractError(`cannot read folder (${(err as Error).message})`);
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.name.startsWith('@') && e.isDirectory()) {
      await walk(root, full, out, warnings);
      continue;
    }
    if (!e.isDirectory() && !e.isSymbolicLink()) continue;
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(path.join(full, 'package.json'), 'utf8'));
    } catch {
      warnings.push(`${path.relative(root, full)}: no readable package.json; skipped`);
      continue;
    }
    if (!isObject(manifest)) continue;
    const rel = path.relative(path.dirname(root), full).split(path.sep).join('/');
    out.push({ rel, manifest, link: e.isSymbolicLink() });
    if (!e.isSymbolicLink()) await walk(root, path.join(full, 'node_modules'), out, warnings);
  }
}

export const nodeModulesExtractor: Extractor = {
  id: 'node_modules',
  ecosystem: 'npm',
  description:
    'an installed node_modules tree (package.json of every package; dev flags from .package-lock.json)',
  directory: true,
  matches: (b) => b === 'node_modules',
  async extract(dir): Promise<Extraction> {
    const found: Found[] = [];
    const warnings: string[] = [];
    await walk(dir, dir, found, warnings);
    let hidden: Record<string, any> = {};
    try {
      const h = JSON.parse(await readFile(path.join(dir, '.package-lock.json'), 'utf8'));
      if (isObject(h?.packages)) hidden = h.packages;
    } catch {
      /* npm < 7 or other installers write no hidden lockfile: no dev marks then */
    }
    const dependencies: Dependency[] = found.map((f) => {
      const m = f.manifest;
      const lock = hidden[f.rel];
      const dep: Dependency = {
        ecosystem: 'npm',
        name: typeof m.name === 'string' ? m.name : f.rel.split('node_modules/').pop()!,
        version: typeof m.version === 'string' ? m.version : '',
        source: f.link ? 'link' : 'registry',
        file: path.join(dir, f.rel.split('/').slice(1).join('/'), 'package.json'),
        path: f.rel,
      };
      const installName = f.rel.split('node_modules/').pop()!;
      if (installName !== dep.name) dep.alias = installName;
      const resolved = lock?.resolved ?? m._resolved;
      if (typeof resolved === 'string' && !f.link) {
        dep.resolved = resolved;
        dep.source = npmSourceOf(resolved);
      }
      const integrity = lock?.integrity ?? m._integrity;
      if (typeof integrity === 'string') dep.integrity = integrity;
      if (lock?.dev) dep.dev = true;
      if (lock?.optional) dep.optional = true;
      return dep;
    });
    return { file: dir, format: 'node_modules', ecosystem: 'npm', dependencies, warnings };
  },
};
