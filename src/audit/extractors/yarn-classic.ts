import * as yarnLockfile from '@yarnpkg/lockfile';
import type { Dependency, Extraction, Extractor } from '../types.js';
import { devOnly, ExtractError, isObject, manifestRoots, npmSourceOf, splitAt } from './util.js';

// CommonJS module: its functions are on the namespace under Node, on `.default` under some loaders
const parseYarnV1: typeof yarnLockfile.parse =
  (yarnLockfile as any).parse ?? (yarnLockfile as any).default.parse;

/** `alias@npm:real@^1` -> the real name; `name@^1` -> name. */
function patternName(pattern: string): { installName: string; realName: string; range: string } {
  const { name, rest } = splitAt(pattern);
  if (rest.startsWith('npm:')) {
    const inner = splitAt(rest.slice(4));
    return { installName: name, realName: inner.name, range: inner.rest };
  }
  return { installName: name, realName: name, range: rest };
}

export const yarnClassicExtractor: Extractor = {
  id: 'yarn-classic',
  ecosystem: 'npm',
  description: 'yarn.lock v1 (Yarn classic)',
  matches: (b) => b === 'yarn.lock',
  sniff: (text) => !/^__metadata:/m.test(text),
  async extract(file, text, ctx): Promise<Extraction> {
    let parsed: ReturnType<typeof yarnLockfile.parse>;
    try {
      parsed = parseYarnV1(text);
    } catch (err) {
      throw new ExtractError(`not a valid yarn v1 lockfile (${(err as Error).message})`);
    }
    if (parsed.type === 'conflict')
      throw new ExtractError('the lockfile contains unresolved merge conflicts');
    const warnings: string[] = [];
    if (parsed.type === 'merge')
      warnings.push('the lockfile had merge conflict markers that yarn can auto-merge');
    // header lines: `"a@^1", a@^2:` at column 0
    const patternLine = new Map<string, number>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (!l || l[0] === ' ' || l[0] === '#' || !l.trimEnd().endsWith(':')) continue;
      for (const p of l.trimEnd().slice(0, -1).split(/,\s*/)) patternLine.set(p.replace(/^"|"$/g, ''), i + 1);
    }
    const byPattern = parsed.object as Record<string, any>;
    const nodes = new Map<string, Dependency>();
    const nodeOfPattern = new Map<string, string>();
    const edges = new Map<string, string[]>();
    for (const [pattern, entry] of Object.entries(byPattern)) {
      if (!isObject(entry)) continue;
      const { installName, realName } = patternName(pattern);
      const version = typeof entry.version === 'string' ? entry.version : '';
      const id = `${installName}@${version}@${entry.resolved ?? ''}`;
      nodeOfPattern.set(pattern, id);
      if (nodes.has(id)) continue;
      const dep: Dependency = {
        ecosystem: 'npm',
        name: realName,
        version,
        source: npmSourceOf(entry.resolved),
        file,
        line: patternLine.get(pattern),
      };
      if (installName !== realName) dep.alias = installName;
      if (typeof entry.resolved === 'string') dep.resolved = entry.resolved;
      if (/^(file|link):/.test(patternName(pattern).range)) dep.source = 'link';
      if (
        /^(git|github|https?):|^git\+|^[\w-]+\/[\w.-]+(#|$)/.test(patternName(pattern).range) &&
        dep.source === 'registry'
      )
        dep.source = 'git';
      if (typeof entry.integrity === 'string') dep.integrity = entry.integrity;
      nodes.set(id, dep);
      edges.set(id, [
        ...Object.entries({ ...(entry.dependencies ?? {}), ...(entry.optionalDependencies ?? {}) }).map(
          ([n, r]) => `${n}@${r}`,
        ),
      ]);
    }
    const roots = manifestRoots(await ctx.readSibling('package.json'));
    if (roots) {
      const rootIds = (m: Map<string, string>) =>
        [...m].map(([n, s]) => nodeOfPattern.get(`${n}@${s}`)).filter((x): x is string => !!x);
      const prodIds = rootIds(roots.prod);
      const devIds = rootIds(roots.dev);
      const { dev } = devOnly(prodIds, devIds, (id) =>
        (edges.get(id) ?? []).map((p) => nodeOfPattern.get(p)).filter((x): x is string => !!x),
      );
      for (const id of dev) nodes.get(id)!.dev = true;
      for (const id of [...prodIds, ...devIds]) nodes.get(id)!.direct = true;
      for (const [n, s] of roots.prod) {
        const id = nodeOfPattern.get(`${n}@${s}`);
        if (id && roots.optional.has(n)) nodes.get(id)!.optional = true;
      }
    } else warnings.push('no package.json next to yarn.lock: direct and dev dependencies are not marked');
    return { file, format: 'yarn-classic', ecosystem: 'npm', dependencies: [...nodes.values()], warnings };
  },
};
