import type { Dependency, Extraction, Extractor } from '../types.js';
import { ExtractError, isObject, jsonKeyLines, parseJsonStrict } from './util.js';

export const pipfileExtractor: Extractor = {
  id: 'pipfile-lock',
  ecosystem: 'pypi',
  description: 'Pipfile.lock (pipenv)',
  matches: (b) => b === 'Pipfile.lock',
  extract(file, text): Extraction {
    const doc = parseJsonStrict(text);
    if (!isObject(doc) || !isObject(doc._meta)) throw new ExtractError('no "_meta": not a Pipfile.lock');
    const lines = jsonKeyLines(text);
    const indexes = new Map<string, string>();
    for (const s of Array.isArray(doc._meta.sources) ? doc._meta.sources : []) {
      if (isObject(s)) indexes.set(String(s.name), String(s.url));
    }
    const dependencies: Dependency[] = [];
    for (const section of ['default', 'develop']) {
      const deps = doc[section];
      if (deps === undefined) continue;
      if (!isObject(deps)) throw new ExtractError(`"${section}" is not an object`);
      for (const [name, e] of Object.entries(deps)) {
        if (!isObject(e)) continue;
        const dep: Dependency = {
          ecosystem: 'pypi',
          name,
          version: '',
          source: 'registry',
          file,
          line: lines.get(`${section}\u0000${name}`),
          direct: true,
        };
        if (typeof e.version === 'string') {
          const pin = /^===?\s*(\S+)$/.exec(e.version);
          if (pin) dep.version = pin[1]!;
          else dep.spec = e.version;
        }
        if (section === 'develop') dep.dev = true;
        if (typeof e.markers === 'string') dep.qualifier = e.markers;
        if (Array.isArray(e.hashes) && e.hashes.length) dep.integrity = e.hashes.join(' ');
        if (typeof e.git === 'string') {
          dep.source = 'git';
          dep.resolved = `${e.git}${e.ref ? `@${e.ref}` : ''}`;
        } else if (typeof e.file === 'string') {
          dep.source = /^https?:/.test(e.file) ? 'url' : 'file';
          dep.resolved = e.file;
        } else if (typeof e.path === 'string') {
          dep.source = 'link';
          dep.resolved = e.path;
        }
        if (typeof e.index === 'string' && indexes.has(e.index)) {
          const url = indexes.get(e.index)!;
          if (!/^https:\/\/pypi\.org\/simple\/?$/.test(url)) dep.registry = url;
        }
        dependencies.push(dep);
      }
    }
    return { file, format: 'pipfile-lock', ecosystem: 'pypi', dependencies, warnings: [] };
  },
};
