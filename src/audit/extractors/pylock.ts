import { parse } from 'smol-toml';
import type { Dependency, Extraction, Extractor } from '../types.js';
import { ExtractError, isObject, tomlArrayLines } from './util.js';

/** PEP 751 `pylock.toml` / `pylock.<name>.toml`. */
export const pylockExtractor: Extractor = {
  id: 'pylock',
  ecosystem: 'pypi',
  description: 'pylock.toml (PEP 751 lock files, including pylock.<name>.toml)',
  matches: (b) => /^pylock(\.[^.]+)?\.toml$/.test(b),
  extract(file, text): Extraction {
    let doc: Record<string, any>;
    try {
      doc = parse(text);
    } catch (err) {
      throw new ExtractError(`not valid TOML (${(err as Error).message.split('\n')[0]})`);
    }
    if (doc['lock-version'] === undefined) throw new ExtractError('no lock-version: not a PEP 751 lock file');
    if (!String(doc['lock-version']).startsWith('1.')) {
      throw new ExtractError(`unsupported lock-version ${doc['lock-version']} (supported: 1.x)`);
    }
    const packages = Array.isArray(doc.packages) ? doc.packages : [];
    const lines = tomlArrayLines(text, 'packages');
    const dependencies: Dependency[] = packages.map((p: Record<string, any>, i: number) => {
      if (!isObject(p) || typeof p.name !== 'string') throw new ExtractError(`package #${i + 1} has no name`);
      const dep: Dependency = {
        ecosystem: 'pypi',
        name: p.name,
        version: String(p.version ?? ''),
        source: 'registry',
        file,
        line: lines[i],
      };
      if (typeof p.marker === 'string') {
        dep.qualifier = p.marker;
        const groups = [...p.marker.matchAll(/['"]([^'"]+)['"]\s+in\s+dependency_groups/g)].map((m) => m[1]);
        if (groups.length && groups.every((g) => /^(dev|test|tests|lint|docs|typing)$/.test(g!)))
          dep.dev = true;
        if (/\bin\s+extras\b/.test(p.marker)) dep.optional = true;
      }
      if (typeof p.index === 'string' && !/^https:\/\/pypi\.org\/simple\/?$/.test(p.index))
        dep.registry = p.index;
      if (isObject(p.vcs)) {
        dep.source = 'git';
        dep.resolved = `${p.vcs.url ?? p.vcs.path}@${p.vcs['commit-id'] ?? ''}`;
      } else if (isObject(p.directory)) {
        dep.source = 'link';
        dep.resolved = String(p.directory.path);
      } else if (isObject(p.archive)) {
        dep.source = p.archive.url ? 'url' : 'file';
        dep.resolved = String(p.archive.url ?? p.archive.path);
      }
      const files = [p.sdist, p.archive, ...(Array.isArray(p.wheels) ? p.wheels : [])].filter(isObject);
      const hashes = files.flatMap((f) =>
        Object.entries(isObject(f.hashes) ? f.hashes : {}).map(
          ([alg, h]) => `${alg}:${String(h).toLowerCase()}`,
        ),
      );
      if (hashes.length) dep.integrity = hashes.join(' ');
      return dep;
    });
    return { file, format: `pylock@${doc['lock-version']}`, ecosystem: 'pypi', dependencies, warnings: [] };
  },
};
