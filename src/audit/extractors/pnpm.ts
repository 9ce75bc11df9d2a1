import { parse } from 'yaml';
import type { Dependency, Extraction, Extractor } from '../types.js';
import { devOnly, ExtractError, isObject, npmSourceOf, splitAt } from './util.js';

/** `/@s/n@1.0.0(peer@2)` (v6/v9) or `/@s/n/1.0.0_peer@2` (v5) -> name and version. */
function parseKey(key: string, v5: boolean): { name: string; version: string } {
  let k = key.startsWith('/') ? key.slice(1) : key;
  if (v5 && !k.includes('@', k.startsWith('@') ? 1 : 0)) {
    k = k.split('_')[0]!;
    const i = k.lastIndexOf('/');
    return { name: k.slice(0, i), version: k.slice(i + 1) };
  }
  const paren = k.indexOf('(');
  if (paren > 0) k = k.slice(0, paren);
  const { name, rest } = splitAt(k);
  return { name, version: v5 ? rest.split('_')[0]! : rest };
}

/** Importer reference -> package key (`4.1.2` -> `chalk@4.1.2`, alias `lodash@4.17.21` stays). */
function refToKey(name: string, ref: string, v5: boolean, v9: boolean): string | undefined {
  if (ref.startsWith('link:')) return undefined;
  const base = ref.replace(/\(.*$/, '');
  if (
    /^[a-z@]/i.test(base) &&
    base.includes('@', base.startsWith('@') ? 1 : 0) &&
    !/^(file|https?|git)/.test(base)
  )
    return v9 ? ref : `/${ref}`;
  if (ref.startsWith('/')) return ref;
  if (/^(file:|https?:|github\.com|git)/.test(ref)) return v9 ? `${name}@${ref}` : ref;
  if (v9) return `${name}@${ref}`;
  return v5 ? `/${name}/${ref}` : `/${name}@${ref}`;
}

export const pnpmExtractor: Extractor = {
  id: 'pnpm-lock',
  ecosystem: 'npm',
  description: 'pnpm-lock.yaml (lockfileVersion 5.x, 6.x and 9.x)',
  matches: (b) => b === 'pnpm-lock.yaml' || b === 'shrinkwrap.yaml',
  extract(file, text): Extraction {
    let doc: unknown;
    try {
      doc = parse(text, { maxAliasCount: -1 });
    } catch (err) {
      throw new ExtractError(`not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
    if (!isObject(doc) || doc.lockfileVersion === undefined)
      throw new ExtractError('no lockfileVersion: not a pnpm lockfile');
    const lv = Number.parseFloat(String(doc.lockfileVersion));
    if (!(lv >= 5 && lv < 10))
      throw new ExtractError(
        `unsupported pnpm lockfileVersion ${doc.lockfileVersion} (supported: 5.x, 6.x, 9.x)`,
      );
    const v5 = lv < 6;
    const v9 = lv >= 9;
    const packages = (isObject(doc.packages) ? doc.packages : {}) as Record<string, any>;
    const snapshots = (isObject(doc.snapshots) ? doc.snapshots : {}) as Record<string, any>;
    const keyLine = new Map<string, number>();
    const lines = text.split('\n');
    let inPackages = false;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^\S/.test(l)) inPackages = l.startsWith('packages:');
      else if (inPackages) {
        const m = /^ {2}(['"]?)(.+?)\1:\s*$/.exec(l);
        if (m) keyLine.set(m[2]!, i + 1);
      }
    }
    const importers: Record<string, any> = isObject(doc.importers)
      ? doc.importers
      : {
          '.': {
            dependencies: doc.dependencies,
            devDependencies: doc.devDependencies,
            optionalDependencies: doc.optionalDependencies,
          },
        };
    const nodes = new Map<string, Dependency>();
    const pkgKeyOf = (k: string) => (v9 ? k.replace(/\(.*$/, '') : k);
    for (const [key, entry] of Object.entries(packages)) {
      if (!isObject(entry)) continue;
      const parsed = parseKey(key, v5);
      const res = isObject(entry.resolution) ? entry.resolution : {};
      const name = typeof entry.name === 'string' ? entry.name : parsed.name;
      let version = typeof entry.version === 'string' ? entry.version : parsed.version;
      const dep: Dependency = {
        ecosystem: 'npm',
        name,
        version,
        source: 'registry',
        file,
        line: keyLine.get(key),
      };
      if (typeof res.integrity === 'string') dep.integrity = res.integrity;
      if (typeof res.tarball === 'string') {
        dep.resolved = res.tarball;
        dep.source = npmSourceOf(res.tarball);
        if (res.tarball.startsWith('file:')) dep.source = 'file';
      } else if (typeof res.directory === 'string') {
        dep.source = 'file';
        dep.resolved = res.directory;
      } else if (typeof res.repo === 'string') {
        dep.source = 'git';
        dep.resolved = `${res.repo}#${res.commit ?? ''}`;
      }
      if (/^(file:|link:|https?:|git)/.test(version) || /^[\w.-]+\.(com|org)\//.test(version)) {
        if (dep.source === 'registry') dep.source = npmSourceOf(version);
        dep.resolved ??= version;
        version = '';
        dep.version = typeof entry.version === 'string' ? entry.version : '';
      }
      if (entry.dev === true) dep.dev = true;
      if (entry.optional === true) dep.optional = true;
      nodes.set(key, dep);
    }
    // snapshots (v9) carry the graph and the optional flag
    const graph = new Map<string, string[]>();
    const depsOf = (entry: any) => ({
      ...(entry?.dependencies ?? {}),
      ...(entry?.optionalDependencies ?? {}),
    });
    const source = v9 ? snapshots : packages;
    for (const [key, entry] of Object.entries(source)) {
      if (v9 && entry?.optional === true) {
        const n = nodes.get(pkgKeyOf(key));
        if (n) n.optional = true;
      }
      graph.set(
        key,
        Object.entries(depsOf(entry))
          .map(([n, r]) => refToKey(n, String(r), v5, v9))
          .filter((x): x is string => !!x),
      );
    }
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    for (const [importerPath, imp] of Object.entries(importers)) {
      if (!isObject(imp)) continue;
      for (const field of ['dependencies', 'optionalDependencies', 'devDependencies']) {
        const deps = imp[field];
        if (!isObject(deps)) continue;
        for (const [n, v] of Object.entries(deps)) {
          const ref = isObject(v) ? String(v.version) : String(v);
          if (ref.startsWith('link:')) {
            nodes.set(`link:${importerPath}:${n}`, {
              ecosystem: 'npm',
              name: n,
              version: '',
              source: 'workspace',
              resolved: ref.slice(5),
              file,
              direct: true,
            });
            continue;
          }
          const k = refToKey(n, ref, v5, v9);
          if (!k) continue;
          (field === 'devDependencies' ? devRoots : prodRoots).push(k);
          const node = nodes.get(pkgKeyOf(k));
          if (node) {
            node.direct = true;
            if (n !== node.name) node.alias = n;
          }
        }
      }
    }
    if (v9) {
      const { prod, dev } = devOnly(prodRoots, devRoots, (k) => graph.get(k) ?? []);
      const prodPackages = new Set([...prod].map(pkgKeyOf));
      for (const k of dev) {
        const n = nodes.get(pkgKeyOf(k));
        if (n && !prodPackages.has(pkgKeyOf(k))) n.dev = true;
      }
    }
    return {
      file,
      format: `pnpm-lock@${doc.lockfileVersion}`,
      ecosystem: 'npm',
      dependencies: [...nodes.values()],
      warnings: [],
    };
  },
};
