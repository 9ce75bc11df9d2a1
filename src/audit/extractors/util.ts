import type { DependencySource } from '../types.js';

/** An extraction failure; the audit reports it as `could not extract from "<file>": <message>`. */
export class ExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractError';
  }
}

/**
 * Maps every object/array key of pretty-printed JSON to its 1-based line, by key path joined
 * with `\u0000` (`packages\u0000node_modules/chalk`). One pass over the lines; compact JSON
 * simply yields fewer entries (locations are then omitted, never wrong).
 */
export function jsonKeyLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const stack: { indent: number; key: string }[] = [];
  const lines = text.split('\n');
  const open = /^(\s*)"((?:[^"\\]|\\.)*)"\s*:\s*[{[]\s*$/;
  const close = /^(\s*)[}\]]/;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = open.exec(line);
    if (m) {
      const indent = m[1]!.length;
      while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
      stack.push({ indent, key: m[2]!.replace(/\\(.)/g, '$1') });
      const path = stack.map((s) => s.key).join('\u0000');
      if (!out.has(path)) out.set(path, i + 1);
      continue;
    }
    const c = close.exec(line);
    if (c) {
      const indent = c[1]!.length;
      while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    }
  }
  return out;
}

/** Finds 1-based lines of substrings quickly (binary search over line starts). */
export class LineFinder {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  /** Line of the first occurrence of `needle` at or after `from`, or undefined. */
  find(needle: string, from = 0): number | undefined {
    const i = this.text.indexOf(needle, from);
    return i < 0 ? undefined : this.lineAt(i);
  }
}

/** Parses JSON with comments and trailing commas (bun.lock, some tools' JSONC). */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === ',') {
      let j = i + 1;
      while (j < n && /\s/.test(text[j]!)) j++;
      if (text[j] === '}' || text[j] === ']') i++;
      else {
        out += ch;
        i++;
      }
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out);
}

export function parseJsonStrict(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ExtractError(`not valid JSON (${(err as Error).message})`);
  }
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Classifies an npm-style `resolved` / version spec: registry, git, url, file or link. */
export function npmSourceOf(resolved: string | undefined): DependencySource {
  if (!resolved) return 'registry';
  if (
    /^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(resolved) ||
    /^[\w.-]+\/[\w.-]+(#.*)?$/.test(resolved)
  )
    return 'git';
  if (/^(file:|\.{0,2}\/)/.test(resolved)) return 'file';
  if (/^link:/.test(resolved)) return 'link';
  if (/^workspace:/.test(resolved)) return 'workspace';
  if (/^https?:\/\//.test(resolved)) {
    if (/^https?:\/\/codeload\.github\.com\//.test(resolved)) return 'git';
    // tarballs of a registry follow `<registry>/<name>/-/<file>.tgz`
    return /\/-\/[^/]+\.tgz([?#].*)?$/.test(resolved) ? 'registry' : 'url';
  }
  return 'registry';
}

/** Splits `name@version` where the name may be scoped (`@scope/name@1.0.0`). */
export function splitAt(spec: string): { name: string; rest: string } {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  if (at < 0) return { name: spec, rest: '' };
  return { name: spec.slice(0, at), rest: spec.slice(at + 1) };
}

/** The package name at the end of an npm install path (`node_modules/a/node_modules/@s/b` -> `@s/b`). */
export function nameFromInstallPath(p: string): string {
  const i = p.lastIndexOf('node_modules/');
  return i < 0 ? p : p.slice(i + 'node_modules/'.length);
}

/**
 * Marks dev-only packages from a dependency graph: everything reachable from the production
 * roots is prod, the rest reachable from dev roots is dev.
 */
export function devOnly(
  prodRoots: Iterable<string>,
  devRoots: Iterable<string>,
  edges: (node: string) => Iterable<string>,
): { prod: Set<string>; dev: Set<string> } {
  const walk = (roots: Iterable<string>, skip: Set<string>) => {
    const seen = new Set<string>();
    const todo = [...roots];
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n) || skip.has(n)) continue;
      seen.add(n);
      for (const m of edges(n)) if (!seen.has(m)) todo.push(m);
    }
    return seen;
  };
  const prod = walk(prodRoots, new Set());
  const dev = walk(devRoots, prod);
  return { prod, dev };
}

/** Direct dependency names of a sibling package.json: production and dev roots with their specs. */
export interface ManifestRoots {
  prod: Map<string, string>;
  dev: Map<string, string>;
  optional: Set<string>;
  workspaces: string[];
}

export function manifestRoots(text: string | undefined): ManifestRoots | undefined {
  if (!text) return undefined;
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(pkg)) return undefined;
  const roots: ManifestRoots = { prod: new Map(), dev: new Map(), optional: new Set(), workspaces: [] };
  for (const f of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    if (isObject(pkg[f])) for (const [n, s] of Object.entries(pkg[f])) roots.prod.set(n, String(s));
  }
  if (isObject(pkg.optionalDependencies))
    for (const n of Object.keys(pkg.optionalDependencies)) roots.optional.add(n);
  if (isObject(pkg.devDependencies)) {
    for (const [n, s] of Object.entries(pkg.devDependencies))
      if (!roots.prod.has(n)) roots.dev.set(n, String(s));
  }
  const ws = Array.isArray(pkg.workspaces) ? pkg.workspaces : pkg.workspaces?.packages;
  if (Array.isArray(ws)) roots.workspaces = ws.map(String);
  return roots;
}

/** 1-based lines of each `[[table]]` header, in order (TOML arrays of tables). */
export function tomlArrayLines(text: string, table: string): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  const header = `[[${table}]]`;
  for (let i = 0; i < lines.length; i++) if (lines[i]!.trim() === header) out.push(i + 1);
  return out;
}
