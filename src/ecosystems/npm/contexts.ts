import path from 'node:path';
import { rank } from '../../core/contexts.js';
import type { Artifact, ExecutionContext, PackageContext } from '../../core/types.js';

/** npm lifecycle scripts that run when the package is installed as a dependency. */
export const INSTALL_SCRIPTS = [
  'preinstall',
  'install',
  'postinstall',
  'preprepare',
  'prepare',
  'postprepare',
];
/** Run on `npm install` inside the package's own folder, or by old npm versions on dependency install. */
export const LOCAL_INSTALL_SCRIPTS = [
  'prepublish',
  'prepack',
  'postpack',
  'preuninstall',
  'uninstall',
  'postuninstall',
];

const RUNTIMES =
  /(?:^|[\s;&|(])(?:node|nodejs|bun|deno(?:\s+run)?|sh|bash|zsh|python3?|py|ts-node|tsx|npx\s+tsx|pwsh|powershell(?:\.exe)?|cmd(?:\.exe)?\s+\/c|perl|ruby)((?:\s+-{1,2}[\w-]+(?:=\S+)?)*)\s+(["']?)([^\s"'&|;<>()]+)\2/g;

export function lifecycleScripts(manifest: Record<string, unknown>): Record<string, string> {
  const scripts = manifest.scripts;
  if (!scripts || typeof scripts !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(scripts as Record<string, unknown>))
    if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Package files a shell command runs: `node install.js`, `sh ./x.sh`, `node -e ... ` excluded.
 * This reads a shell command line, not code: a tokenizer over the command is what npm itself does.
 */
export function filesRunBy(command: string, files: Set<string>): string[] {
  const found: string[] = [];
  for (const m of command.matchAll(RUNTIMES)) {
    const flags = m[1] ?? '';
    if (/-(e|p|c|-eval|-print)\b/.test(flags)) continue;
    const candidate = m[3];
    if (!candidate) continue;
    const resolved = resolvePackagePath(candidate, files);
    if (resolved) found.push(resolved);
  }
  // A script that is just a path (`./install.sh`) or executable in the package.
  for (const token of command.split(/[\s;&|()]+/)) {
    const resolved = token && !token.startsWith('-') ? resolvePackagePath(token, files) : undefined;
    if (resolved && !found.includes(resolved)) found.push(resolved);
  }
  return found;
}

/** Resolves a path as Node would for a package file (extensions, index files). */
export function resolvePackagePath(spec: string, files: Set<string>): string | undefined {
  const clean = path.posix.normalize(spec.replace(/^\.\//, '').replace(/\\/g, '/'));
  if (clean.startsWith('..') || clean.startsWith('/')) return undefined;
  const candidates = [
    clean,
    `${clean}.js`,
    `${clean}.cjs`,
    `${clean}.mjs`,
    `${clean}.json`,
    `${clean}/index.js`,
    `${clean}/index.cjs`,
    `${clean}/index.mjs`,
  ];
  return candidates.find((c) => files.has(c));
}

function exportTargets(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) exportTargets(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) exportTargets(v, out);
}

/** Entry points of an npm package and when each runs. */
export function npmEntryPoints(artifact: Artifact): Map<string, ExecutionContext> {
  const files = new Set(artifact.files.map((f) => f.path));
  const manifest = artifact.manifest;
  const entries = new Map<string, ExecutionContext>();
  const set = (file: string | undefined, ctx: ExecutionContext) => {
    if (!file) return;
    const current = entries.get(file);
    if (!current || rank(ctx) > rank(current)) entries.set(file, ctx);
  };
  const scripts = lifecycleScripts(manifest);
  for (const name of INSTALL_SCRIPTS) {
    const cmd = scripts[name];
    if (cmd) for (const f of filesRunBy(cmd, files)) set(f, 'install');
  }
  if (files.has('binding.gyp')) set('binding.gyp', 'install');
  const mainField = typeof manifest.main === 'string' ? manifest.main : 'index.js';
  set(resolvePackagePath(mainField, files), 'import');
  for (const field of ['module', 'browser']) {
    const v = manifest[field];
    if (typeof v === 'string') set(resolvePackagePath(v, files), 'import');
  }
  const exported: string[] = [];
  exportTargets(manifest.exports, exported);
  for (const e of exported) set(resolvePackagePath(e, files), 'import');
  const bin = manifest.bin;
  const bins = typeof bin === 'string' ? [bin] : bin && typeof bin === 'object' ? Object.values(bin) : [];
  for (const b of bins) if (typeof b === 'string') set(resolvePackagePath(b, files), 'runtime');
  return entries;
}

export function npmPackageContext(artifact: Artifact): PackageContext {
  const entryPoints = npmEntryPoints(artifact);
  return {
    artifact,
    entryPoints,
    contextOf: (p) => entryPoints.get(p) ?? 'runtime',
  };
}
