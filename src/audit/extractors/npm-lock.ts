import type { Dependency, Extraction, Extractor } from '../types.js';
import {
  ExtractError,
  isObject,
  jsonKeyLines,
  nameFromInstallPath,
  npmSourceOf,
  parseJsonStrict,
  splitAt,
} from './util.js';

const K = '\u0000';

function directNames(root: Record<string, any> | undefined): Set<string> {
  const out = new Set<string>();
  if (!root) return out;
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    if (isObject(root[field])) for (const n of Object.keys(root[field])) out.add(n);
  }
  return out;
}

/** v2/v3: the flat `packages` map keyed by install path. */
function fromPackages(file: string, lock: Record<string, any>, lines: Map<string, number>): Dependency[] {
  const packages = lock.packages as Record<string, any>;
  const out: Dependency[] = [];
  const workspaceFolders = new Set<string>();
  const linkTargets = new Set<string>();
  const direct = directNames(packages['']);
  for (const [key, entry] of Object.entries(packages)) {
    if (key === '' || !isObject(entry)) continue;
    if (!key.includes('node_modules/')) {
      // a workspace or `file:` folder of the project itself
      workspaceFolders.add(key);
      for (const n of directNames(entry)) direct.add(n);
    }
    if (entry.link === true && typeof entry.resolved === 'string') linkTargets.add(entry.resolved);
  }
  for (const [key, entry] of Object.entries(packages)) {
    if (key === '' || !isObject(entry)) continue;
    const line = lines.get(`packages${K}${key}`);
    const installName = key.includes('node_modules/') ? nameFromInstallPath(key) : undefined;
    if (!installName) {
      if (linkTargets.has(key)) continue; // reported through the link that installs it
      const name = typeof entry.name === 'string' ? entry.name : key.split('/').pop()!;
      out.push({
        ecosystem: 'npm',
        name,
        version: typeof entry.version === 'string' ? entry.version : '',
        source: 'workspace',
        resolved: key,
        file,
        line,
        path: key,
      });
      continue;
    }
    const name = typeof entry.name === 'string' && entry.name !== installName ? entry.name : installName;
    const topLevel = key === `node_modules/${installName}`;
    const dep: Dependency = {
      ecosystem: 'npm',
      name,
      version: typeof entry.version === 'string' ? entry.version : '',
      source: 'registry',
      file,
      line,
      path: key,
    };
    if (name !== installName) dep.alias = installName;
    if (entry.link === true) {
      const target = String(entry.resolved ?? '');
      dep.source = workspaceFolders.has(target) ? 'workspace' : 'link';
      dep.resolved = target;
      const t = packages[target];
      if (isObject(t) && typeof t.version === 'string') dep.version = t.version;
      if (isObject(t) && typeof t.name === 'string') dep.name = t.name;
    } else {
      if (typeof entry.resolved === 'string') dep.resolved = entry.resolved;
      dep.source = npmSourceOf(dep.resolved);
      if (/^(git|github|file|https?):/.test(dep.version)) {
        dep.source = npmSourceOf(dep.version);
        dep.resolved ??= dep.version;
      }
    }
    if (typeof entry.integrity === 'string') dep.integrity = entry.integrity;
    if (entry.dev === true) dep.dev = true;
    if (entry.optional === true) dep.optional = true;
    if (entry.devOptional === true) {
      dep.dev = true;
      dep.optional = true;
    }
    if (topLevel && direct.has(installName)) dep.direct = true;
    out.push(dep);
  }
  return out;
}

/** v1: the nested `dependencies` tree. Versions carry aliases (`npm:real@1.0.0`), git and file specs. */
function fromDependencies(
  file: string,
  lock: Record<string, any>,
  lines: Map<string, number>,
  rootDirect: Set<string>,
): Dependency[] {
  const out: Dependency[] = [];
  const walk = (deps: Record<string, any>, keyPath: string[], installPath: string) => {
    for (const [installName, entry] of Object.entries(deps)) {
      if (!isObject(entry)) continue;
      const kp = [...keyPath, installName];
      const p = `${installPath}node_modules/${installName}`;
      let version = typeof entry.version === 'string' ? entry.version : '';
      let name = installName;
      let alias: string | undefined;
      if (version.startsWith('npm:')) {
        const s = splitAt(version.slice(4));
        name = s.name;
        version = s.rest;
        alias = installName;
      }
      const dep: Dependency = {
        ecosystem: 'npm',
        name,
        version,
        source: 'registry',
        file,
        line: lines.get(kp.join(K)),
        path: p,
      };
      if (alias) dep.alias = alias;
      if (typeof entry.resolved === 'string') dep.resolved = entry.resolved;
      if (/^(git|github|gitlab|bitbucket|file|https?):|^git\+/.test(version)) {
        dep.source = npmSourceOf(version);
        dep.resolved ??= version;
        dep.version = '';
      } else dep.source = npmSourceOf(dep.resolved);
      if (dep.source === 'file') dep.source = 'link';
      if (typeof entry.integrity === 'string') dep.integrity = entry.integrity;
      if (entry.dev === true) dep.dev = true;
      if (entry.optional === true) dep.optional = true;
      if (keyPath.length === 1 && rootDirect.has(installName)) dep.direct = true;
      out.push(dep);
      if (isObject(entry.dependencies)) walk(entry.dependencies, [...kp, 'dependencies'], `${p}/`);
    }
  };
  walk(lock.dependencies, ['dependencies'], '');
  return out;
}

export const npmLockExtractor: Extractor = {
  id: 'package-lock',
  ecosystem: 'npm',
  description: 'npm package-lock.json / npm-shrinkwrap.json (lockfileVersion 1, 2 and 3)',
  matches: (b) => b === 'package-lock.json' || b === 'npm-shrinkwrap.json' || b === '.package-lock.json',
  async extract(file, text, ctx): Promise<Extraction> {
    const lock = parseJsonStrict(text);
    if (!isObject(lock)) throw new ExtractError('not a package-lock object');
    const version = lock.lockfileVersion;
    if (![1, 2, 3].includes(version)) {
      throw new ExtractError(`unsupported lockfileVersion ${JSON.stringify(version)} (supported: 1, 2, 3)`);
    }
    const lines = jsonKeyLines(text);
    let dependencies: Dependency[];
    if (isObject(lock.packages)) dependencies = fromPackages(file, lock, lines);
    else if (isObject(lock.dependencies)) {
      let direct = new Set<string>();
      const manifest = await ctx.readSibling('package.json');
      if (manifest) {
        try {
          direct = directNames(JSON.parse(manifest));
        } catch {
          /* a broken package.json only loses the direct marks */
        }
      }
      dependencies = fromDependencies(file, lock, lines, direct);
    } else if (version === 1) dependencies = [];
    else throw new ExtractError('no "packages" or "dependencies" section');
    return { file, format: `package-lock@${version}`, ecosystem: 'npm', dependencies, warnings: [] };
  },
};
