import type { Dependency, Extraction, Extractor } from '../types.js';
import { devOnly, ExtractError, isObject, npmSourceOf, parseJsonc, splitAt } from './util.js';

/** bun.lock (text lockfile of Bun >= 1.1.39; JSONC with trailing commas). */
export const bunExtractor: Extractor = {
  id: 'bun-lock',
  ecosystem: 'npm',
  description: 'bun.lock (Bun text lockfile; the binary bun.lockb is not supported)',
  matches: (b) => b === 'bun.lock' || b === 'bun.lockb',
  extract(file, text): Extraction {
    if (file.endsWith('.lockb')) {
      throw new ExtractError(
        'bun.lockb is a binary format; run `bun install --save-text-lockfile` to get bun.lock',
      );
    }
    let doc: unknown;
    try {
      doc = parseJsonc(text);
    } catch (err) {
      throw new ExtractError(`not valid JSONC (${(err as Error).message})`);
    }
    if (!isObject(doc) || !isObject(doc.packages)) throw new ExtractError('no "packages": not a bun.lock');
    const keyLine = new Map<string, number>();
    const lines = text.split('\n');
    let inPackages = false;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^ {2}"packages"\s*:/.test(l)) inPackages = true;
      else if (/^ {2}"/.test(l)) inPackages = false;
      else if (inPackages) {
        const m = /^ {4}"((?:[^"\\]|\\.)+)"\s*:/.exec(l);
        if (m) keyLine.set(m[1]!, i + 1);
      }
    }
    const packages = doc.packages as Record<string, unknown>;
    const nodes = new Map<string, Dependency>();
    const edges = new Map<string, string[]>();
    const resolveFrom = (key: string, dep: string): string | undefined => {
      let base = key;
      for (;;) {
        const k = base ? `${base}/${dep}` : dep;
        if (k in packages) return k;
        if (!base) return undefined;
        // drop the last package name (possibly scoped) from the key path
        const parts = base.split('/');
        parts.pop();
        if (parts.length && parts[parts.length - 1]!.startsWith('@')) parts.pop();
        base = parts.join('/');
      }
    };
    for (const [key, value] of Object.entries(packages)) {
      if (!Array.isArray(value) || typeof value[0] !== 'string') continue;
      const { name, rest } = splitAt(value[0]);
      const installName = (() => {
        const parts = key.split('/');
        const last = parts.pop()!;
        const prev = parts.pop();
        return prev?.startsWith('@') ? `${prev}/${last}` : last;
      })();
      const dep: Dependency = {
        ecosystem: 'npm',
        name,
        version: rest,
        source: 'registry',
        file,
        line: keyLine.get(key),
      };
      if (installName !== name) dep.alias = installName;
      const info = value.find((v, i) => i > 0 && isObject(v)) as Record<string, any> | undefined;
      if (/^workspace:/.test(rest)) {
        dep.source = 'workspace';
        dep.resolved = rest.slice('workspace:'.length);
        dep.version = '';
      } else if (/^(file:|link:|github:|git\+|git:|https?:)/.test(rest) || /^[\w.-]+\/[\w.-]+#/.test(rest)) {
        dep.source = npmSourceOf(rest);
        dep.resolved = rest;
        dep.version = typeof info?.version === 'string' ? info.version : '';
      } else {
        if (typeof value[1] === 'string' && value[1]) dep.resolved = value[1];
        if (typeof value[3] === 'string') dep.integrity = value[3];
      }
      if (key.includes('/') && !key.startsWith('@')) dep.path = key;
      if (info?.os || info?.cpu) dep.qualifier = [info.os, info.cpu].flat().filter(Boolean).join(',');
      nodes.set(key, dep);
      edges.set(
        key,
        Object.keys({ ...(info?.dependencies ?? {}), ...(info?.optionalDependencies ?? {}) })
          .map((d) => resolveFrom(key, d))
          .filter((x): x is string => !!x),
      );
    }
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    const optional = new Set<string>();
    for (const ws of Object.values(isObject(doc.workspaces) ? doc.workspaces : {})) {
      if (!isObject(ws)) continue;
      for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
        if (!isObject(ws[field])) continue;
        for (const n of Object.keys(ws[field])) {
          if (!(n in packages)) continue;
          (field === 'devDependencies' ? devRoots : prodRoots).push(n);
          if (field === 'optionalDependencies') optional.add(n);
          nodes.get(n)!.direct = true;
        }
      }
    }
    const { dev } = devOnly(prodRoots, devRoots, (k) => edges.get(k) ?? []);
    for (const k of dev) nodes.get(k)!.dev = true;
    for (const k of optional) nodes.get(k)!.optional = true;
    return {
      file,
      format: `bun-lock@${doc.lockfileVersion ?? '?'}`,
      ecosystem: 'npm',
      dependencies: [...nodes.values()],
      warnings: [],
    };
  },
};
