import { parse } from 'smol-toml';
import type { Dependency, Extraction, Extractor } from '../types.js';
import { devOnly, ExtractError, isObject, tomlArrayLines } from './util.js';

export const poetryExtractor: Extractor = {
  id: 'poetry-lock',
  ecosystem: 'pypi',
  description: 'poetry.lock (Poetry 1.x and 2.x)',
  matches: (b) => b === 'poetry.lock',
  async extract(file, text, ctx): Promise<Extraction> {
    let doc: Record<string, any>;
    try {
      doc = parse(text);
    } catch (err) {
      throw new ExtractError(`not valid TOML (${(err as Error).message.split('\n')[0]})`);
    }
    if (!Array.isArray(doc.package)) throw new ExtractError('no [[package]] tables: not a poetry.lock');
    const lines = tomlArrayLines(text, 'package');
    // direct dependencies from pyproject.toml, when it sits next to the lockfile
    const direct = new Set<string>();
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
    try {
      const py = await ctx.readSibling('pyproject.toml');
      if (py) {
        const p = parse(py) as Record<string, any>;
        const poetry = p.tool?.poetry ?? {};
        for (const n of Object.keys(poetry.dependencies ?? {})) prodRoots.push(norm(n));
        for (const r of p.project?.dependencies ?? []) {
          const m = /^[A-Za-z0-9._-]+/.exec(String(r));
          if (m) prodRoots.push(norm(m[0]));
        }
        for (const n of Object.keys(poetry['dev-dependencies'] ?? {})) devRoots.push(norm(n));
        for (const [g, v] of Object.entries(poetry.group ?? {}) as [string, any][])
          for (const n of Object.keys(v?.dependencies ?? {}))
            (g === 'main' ? prodRoots : devRoots).push(norm(n));
        for (const n of [...prodRoots, ...devRoots]) direct.add(n);
      }
    } catch {
      /* a broken pyproject only loses the direct and dev marks */
    }
    // Poetry >= 1.5 without `groups` records no dev flag: derive it from the graph
    const edges = new Map<string, string[]>();
    for (const p of doc.package as Record<string, any>[]) {
      if (isObject(p) && typeof p.name === 'string')
        edges.set(norm(p.name), Object.keys(isObject(p.dependencies) ? p.dependencies : {}).map(norm));
    }
    const graphDev =
      prodRoots.length || devRoots.length
        ? devOnly(prodRoots, devRoots, (n) => edges.get(n) ?? []).dev
        : new Set<string>();
    const dependencies: Dependency[] = doc.package.map((p: Record<string, any>, i: number) => {
      if (!isObject(p) || typeof p.name !== 'string') throw new ExtractError(`package #${i + 1} has no name`);
      const dep: Dependency = {
        ecosystem: 'pypi',
        name: p.name,
        version: String(p.version ?? ''),
        source: 'registry',
        file,
        line: lines[i],
      };
      const groups: string[] | undefined = Array.isArray(p.groups) ? p.groups : undefined;
      if (p.category === 'dev' || (groups && !groups.includes('main'))) dep.dev = true;
      else if (!groups && p.category === undefined && graphDev.has(norm(p.name))) dep.dev = true;
      if (p.optional === true) dep.optional = true;
      if (typeof p.markers === 'string') dep.qualifier = p.markers;
      else if (isObject(p.markers)) dep.qualifier = Object.values(p.markers).join(' or ');
      const src = p.source;
      if (isObject(src)) {
        const type = String(src.type ?? '');
        if (type === 'git') {
          dep.source = 'git';
          dep.resolved = `${src.url}@${src.resolved_reference ?? src.reference ?? ''}`;
        } else if (type === 'url') {
          dep.source = 'url';
          dep.resolved = String(src.url);
        } else if (type === 'file' || type === 'directory') {
          dep.source = type === 'directory' ? 'link' : 'file';
          dep.resolved = String(src.url);
        } else if (type === 'legacy' || type === 'explicit') {
          dep.registry = String(src.url);
        }
      }
      const files = Array.isArray(p.files) ? p.files : (doc.metadata?.files?.[p.name] ?? []);
      const hashes = files.map((f: any) => String(f?.hash ?? '')).filter((h: string) => h.includes(':'));
      if (hashes.length) dep.integrity = hashes.join(' ');
      if (direct.size && direct.has(norm(p.name))) dep.direct = true;
      return dep;
    });
    return { file, format: 'poetry-lock', ecosystem: 'pypi', dependencies, warnings: [] };
  },
};
