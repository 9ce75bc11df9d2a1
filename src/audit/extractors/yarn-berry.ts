import { parse } from 'yaml';
import type { Dependency, DependencySource, Extraction, Extractor } from '../types.js';
import { devOnly, ExtractError, isObject, manifestRoots, splitAt } from './util.js';

/** Splits a berry resolution `name@protocol:rest` into its parts, unwrapping `patch:`. */
function parseResolution(resolution: string): {
  name: string;
  source: DependencySource;
  version: string;
  ref: string;
} {
  const { name, rest } = splitAt(resolution);
  const colon = rest.indexOf(':');
  const protocol = colon > 0 ? rest.slice(0, colon) : '';
  const body = colon > 0 ? rest.slice(colon + 1) : rest;
  switch (protocol) {
    case 'npm':
      return { name, source: 'registry', version: body, ref: resolution };
    case 'patch': {
      const inner = decodeURIComponent(body.split('#')[0]!);
      const r = parseResolution(inner);
      return { ...r, ref: resolution };
    }
    case 'workspace':
      return { name, source: 'workspace', version: '', ref: body };
    case 'file':
    case 'link':
    case 'portal':
      return { name, source: protocol === 'file' ? 'file' : 'link', version: '', ref: body };
    case 'git':
    case 'git+ssh':
    case 'git+https':
    case 'github':
      return { name, source: 'git', version: '', ref: rest };
    case 'http':
    case 'https':
      return {
        name,
        source:
          /#commit=|\.git(#|$)|^https?:\/\/(github|gitlab|bitbucket)\.(com|org)\/[^/]+\/[^/]+(\.git)?#/.test(
            rest,
          )
            ? 'git'
            : 'url',
        version: '',
        ref: rest,
      };
    default:
      return { name, source: 'url', version: '', ref: rest };
  }
}

export const yarnBerryExtractor: Extractor = {
  id: 'yarn-berry',
  ecosystem: 'npm',
  description: 'yarn.lock of Yarn 2+ (berry)',
  matches: (b) => b === 'yarn.lock',
  sniff: (text) => /^__metadata:/m.test(text),
  async extract(file, text, ctx): Promise<Extraction> {
    let doc: unknown;
    try {
      doc = parse(text, { uniqueKeys: false, maxAliasCount: -1 });
    } catch (err) {
      throw new ExtractError(`not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
    if (!isObject(doc) || !isObject(doc.__metadata))
      throw new ExtractError('no __metadata: not a Yarn berry lockfile');
    const keyLine = new Map<string, number>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l && l[0] !== ' ' && l[0] !== '#' && l.trimEnd().endsWith(':'))
        keyLine.set(l.trimEnd().slice(0, -1), i + 1);
    }
    const nodes = new Map<string, Dependency>();
    const nodeOfDescriptor = new Map<string, string>();
    const edges = new Map<string, string[]>();
    const warnings: string[] = [];
    for (const [key, entry] of Object.entries(doc)) {
      if (key === '__metadata' || !isObject(entry)) continue;
      const resolution = typeof entry.resolution === 'string' ? entry.resolution : '';
      if (!resolution) {
        warnings.push(`entry "${key}" has no resolution; skipped`);
        continue;
      }
      const r = parseResolution(resolution);
      const version = r.version || (typeof entry.version === 'string' ? entry.version : '');
      const installName = splitAt(key.split(/,\s*/)[0]!).name;
      for (const d of key.split(/,\s*/)) nodeOfDescriptor.set(d, resolution);
      const dep: Dependency = {
        ecosystem: 'npm',
        name: r.name,
        version: r.source === 'workspace' ? String(entry.version ?? '') : version,
        source: r.source,
        file,
        line: keyLine.get(key) ?? keyLine.get(`"${key}"`),
      };
      if (r.source !== 'registry') dep.resolved = r.ref;
      if (installName !== r.name) dep.alias = installName;
      if (typeof entry.checksum === 'string') dep.qualifier = `yarn-checksum:${entry.checksum}`;
      nodes.set(resolution, dep);
      edges.set(
        resolution,
        Object.entries({ ...(entry.dependencies ?? {}), ...(entry.optionalDependencies ?? {}) }).map(
          ([n, range]) => `${n}@${range}`,
        ),
      );
    }
    const roots = manifestRoots(await ctx.readSibling('package.json'));
    if (roots) {
      const find = (n: string, s: string) =>
        nodeOfDescriptor.get(`${n}@${s}`) ?? nodeOfDescriptor.get(`${n}@npm:${s}`);
      const ids = (m: Map<string, string>) =>
        [...m].map(([n, s]) => find(n, s)).filter((x): x is string => !!x);
      const prodIds = ids(roots.prod);
      const devIds = ids(roots.dev);
      // other workspaces' own dependencies are production roots too
      for (const [res, dep] of nodes)
        if (dep.source === 'workspace' && dep.resolved !== '.') prodIds.push(res);
      const { dev } = devOnly(prodIds, devIds, (id) =>
        (edges.get(id) ?? []).map((d) => nodeOfDescriptor.get(d)).filter((x): x is string => !!x),
      );
      for (const id of dev) nodes.get(id)!.dev = true;
      for (const id of [...ids(roots.prod), ...devIds]) nodes.get(id)!.direct = true;
      for (const n of roots.optional) {
        const id = find(n, roots.prod.get(n)!);
        if (id) nodes.get(id)!.optional = true;
      }
    } else warnings.push('no package.json next to yarn.lock: direct and dev dependencies are not marked');
    // a `patch:` entry is the same registry artifact as the entry it patches: report it once
    const merged = new Map<string, Dependency>();
    for (const d of nodes.values()) {
      const k = `${d.name}@${d.version}@${d.source}@${d.resolved ?? ''}`;
      const prev = merged.get(k);
      if (!prev) {
        merged.set(k, d);
        continue;
      }
      prev.direct ||= d.direct;
      prev.optional ||= d.optional;
      if (!d.dev) delete prev.dev;
    }
    return { file, format: 'yarn-berry', ecosystem: 'npm', dependencies: [...merged.values()], warnings };
  },
};
