import { parse } from 'smol-toml';
import type { Dependency, Extraction, Extractor } from '../types.js';
import { devOnly, ExtractError, isObject, tomlArrayLines } from './util.js';

const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

export const uvExtractor: Extractor = {
  id: 'uv-lock',
  ecosystem: 'pypi',
  description: 'uv.lock (uv lockfile version 1)',
  matches: (b) => b === 'uv.lock',
  extract(file, text): Extraction {
    let doc: Record<string, any>;
    try {
      doc = parse(text);
    } catch (err) {
      throw new ExtractError(`not valid TOML (${(err as Error).message.split('\n')[0]})`);
    }
    if (doc.version === undefined || !Array.isArray(doc.package))
      throw new ExtractError('no version / [[package]]: not a uv.lock');
    const lines = tomlArrayLines(text, 'package');
    const byName = new Map<string, Dependency>();
    const edges = new Map<string, string[]>();
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    const direct = new Set<string>();
    const deps: Dependency[] = [];
    doc.package.forEach((p: Record<string, any>, i: number) => {
      if (!isObject(p) || typeof p.name !== 'string') throw new ExtractError(`package #${i + 1} has no name`);
      const key = norm(p.name);
      const src = isObject(p.source) ? p.source : {};
      const names = (list: unknown) =>
        Array.isArray(list) ? list.map((d: any) => norm(String(d?.name ?? ''))) : [];
      const optionalDeps = Object.values(
        isObject(p['optional-dependencies']) ? p['optional-dependencies'] : {},
      ).flatMap(names);
      edges.set(key, [...names(p.dependencies), ...optionalDeps]);
      const isProject = 'editable' in src || 'virtual' in src;
      if (isProject) {
        prodRoots.push(...names(p.dependencies), ...optionalDeps);
        for (const n of [...names(p.dependencies), ...optionalDeps]) direct.add(n);
        for (const group of Object.values(isObject(p['dev-dependencies']) ? p['dev-dependencies'] : {})) {
          devRoots.push(...names(group));
          for (const n of names(group)) direct.add(n);
        }
      }
      const dep: Dependency = {
        ecosystem: 'pypi',
        name: p.name,
        version: String(p.version ?? ''),
        source: 'registry',
        file,
        line: lines[i],
      };
      if (typeof src.registry === 'string') {
        if (!/^https:\/\/pypi\.org\/simple\/?$/.test(src.registry)) dep.registry = src.registry;
      } else if (typeof src.git === 'string') {
        dep.source = 'git';
        dep.resolved = src.git;
      } else if (typeof src.url === 'string') {
        dep.source = 'url';
        dep.resolved = src.url;
      } else if (typeof src.path === 'string') {
        dep.source = 'file';
        dep.resolved = src.path;
      } else if (isProject) {
        dep.source = 'workspace';
        dep.resolved = String(src.editable ?? src.virtual);
      }
      const hashes = [p.sdist, ...(Array.isArray(p.wheels) ? p.wheels : [])]
        .map((f: any) => (typeof f?.hash === 'string' ? f.hash : ''))
        .filter(Boolean);
      if (hashes.length) dep.integrity = hashes.join(' ');
      byName.set(key, dep);
      deps.push(dep);
    });
    if (prodRoots.length || devRoots.length) {
      const { dev } = devOnly(prodRoots, devRoots, (k) => edges.get(k) ?? []);
      for (const k of dev) {
        const d = byName.get(k);
        if (d) d.dev = true;
      }
      for (const k of direct) {
        const d = byName.get(k);
        if (d) d.direct = true;
      }
    }
    return { file, format: `uv-lock@${doc.version}`, ecosystem: 'pypi', dependencies: deps, warnings: [] };
  },
};
