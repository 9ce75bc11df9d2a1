import { rank } from '../../core/contexts.js';
import type { Artifact, ExecutionContext, PackageContext } from '../../core/types.js';
import type { EntryPoint } from './metadata.js';

/** Import roots where a distribution's top-level packages live. */
export function importRoots(files: Iterable<string>): string[] {
  const roots = new Set<string>(['', 'src/', 'lib/']);
  for (const f of files) {
    const m = /^([^/]+\.data\/(?:purelib|platlib)\/)/.exec(f);
    if (m) roots.add(m[1]!);
  }
  return [...roots];
}

/**
 * The file a Python import names, searched the way the installed package would be laid out:
 * `a.b` -> `a/b.py` or `a/b/__init__.py` under each import root. Relative imports (`level` > 0)
 * resolve against the importing file's package.
 */
export function resolveModule(
  module: string,
  files: Set<string>,
  roots: string[],
  from?: string,
  level = 0,
): string | undefined {
  const rel = module.replace(/\./g, '/');
  const bases: string[] = [];
  if (level > 0 && from !== undefined) {
    const parts = from.split('/');
    parts.pop();
    for (let i = 1; i < level; i++) parts.pop();
    bases.push(parts.length ? `${parts.join('/')}/` : '');
  } else {
    bases.push(...roots);
    // Scripts next to each other import siblings by bare name (setup.py importing helper.py).
    if (from?.includes('/')) bases.push(`${from.slice(0, from.lastIndexOf('/') + 1)}`);
  }
  for (const base of bases) {
    const stem = rel ? `${base}${rel}` : base.replace(/\/$/, '');
    const candidates = rel || stem ? [`${stem}.py`, `${stem}/__init__.py`] : ['__init__.py'];
    for (const c of candidates) if (files.has(c)) return c;
  }
  return undefined;
}

const TEST_DIR = /(^|\/)(tests?|testing|docs?|examples?|benchmarks?)\//;

/**
 * Entry points of a Python distribution and when each runs:
 * setup.py / in-tree PEP 517 backends -> install; `*.pth` and sitecustomize/usercustomize ->
 * startup (every interpreter start); `__init__.py`, top-level modules and console/gui entry
 * points -> import.
 */
export function pypiEntryPoints(artifact: Artifact): Map<string, ExecutionContext> {
  const paths = artifact.files.map((f) => f.path);
  const files = new Set(paths);
  const roots = importRoots(paths);
  const entries = new Map<string, ExecutionContext>();
  const set = (file: string | undefined, ctx: ExecutionContext) => {
    if (!file) return;
    const current = entries.get(file);
    if (!current || rank(ctx) > rank(current)) entries.set(file, ctx);
  };
  const manifest = artifact.manifest as {
    buildBackend?: string;
    backendPath?: string[];
    entryPoints?: EntryPoint[];
    distKind?: string;
  };
  if (files.has('setup.py')) set('setup.py', 'install');
  if (manifest.buildBackend && manifest.backendPath && manifest.backendPath.length > 0) {
    const backendRoots = manifest.backendPath.map((p) =>
      p === '.' || p === '' ? '' : `${p.replace(/\/$/, '')}/`,
    );
    const mod = manifest.buildBackend.split(':')[0]!;
    set(resolveModule(mod, files, backendRoots), 'install');
  }
  for (const p of paths) {
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (p.endsWith('.pth')) continue; // contextOf() answers for .pth files (not code other analyzers parse)
    if (base === 'sitecustomize.py' || base === 'usercustomize.py') set(p, 'startup');
    else if (base === '__init__.py' && !TEST_DIR.test(p)) set(p, 'import');
  }
  // Modules of the import roots are importable by name (`import pkg.mod` runs mod's top level):
  // top-level modules, and modules inside packages (folders with __init__.py).
  for (const root of roots) {
    for (const p of paths) {
      if (!p.startsWith(root) || !p.endsWith('.py') || TEST_DIR.test(p)) continue;
      const rest = p.slice(root.length);
      if (rest === 'setup.py' || /(^|\/)(conftest|test_[^/]*|[^/]*_test)\.py$/.test(rest)) continue;
      if (rest.includes('/')) {
        const dir = p.slice(0, p.lastIndexOf('/'));
        if (!files.has(`${dir}/__init__.py`)) continue;
      }
      set(p, 'import');
    }
  }
  for (const ep of manifest.entryPoints ?? []) set(resolveModule(ep.module, files, roots), 'import');
  return entries;
}

export function pypiPackageContext(artifact: Artifact): PackageContext {
  const entryPoints = pypiEntryPoints(artifact);
  return {
    artifact,
    entryPoints,
    contextOf: (p) => entryPoints.get(p) ?? (p.endsWith('.pth') ? 'startup' : 'runtime'),
  };
}
