import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { bunExtractor } from './extractors/bun.js';
import { gradleExtractor } from './extractors/gradle.js';
import { nodeModulesExtractor } from './extractors/node-modules.js';
import { npmLockExtractor } from './extractors/npm-lock.js';
import { pipfileExtractor } from './extractors/pipfile.js';
import { pnpmExtractor } from './extractors/pnpm.js';
import { poetryExtractor } from './extractors/poetry.js';
import { pomExtractor } from './extractors/pom.js';
import { pylockExtractor } from './extractors/pylock.js';
import { requirementsExtractor } from './extractors/requirements.js';
import { ExtractError } from './extractors/util.js';
import { uvExtractor } from './extractors/uv.js';
import { yarnBerryExtractor } from './extractors/yarn-berry.js';
import { yarnClassicExtractor } from './extractors/yarn-classic.js';
import type { Extraction, Extractor } from './types.js';

/** Every supported lockfile / manifest format, one extractor each. */
export const EXTRACTORS: Extractor[] = [
  npmLockExtractor,
  yarnClassicExtractor,
  yarnBerryExtractor,
  pnpmExtractor,
  bunExtractor,
  nodeModulesExtractor,
  requirementsExtractor,
  poetryExtractor,
  uvExtractor,
  pipfileExtractor,
  pylockExtractor,
  pomExtractor,
  gradleExtractor,
];

/** A file that could not be extracted: the audit reports it and exits 2, keeping other results. */
export interface ExtractFailure {
  file: string;
  message: string;
}

const MAX_LOCKFILE_BYTES = 256 * 1024 * 1024;

export function extractorFor(file: string, text?: string): Extractor | undefined {
  const base = path.basename(file);
  const candidates = EXTRACTORS.filter((e) => e.matches(base));
  if (candidates.length <= 1 || text === undefined) return candidates[0];
  return candidates.find((e) => !e.sniff || e.sniff(text)) ?? candidates[0];
}

function fail(file: string, message: string): ExtractFailure {
  return { file, message: `could not extract from "${file}": ${message}` };
}

/** Reads and extracts one lockfile, manifest or node_modules folder. Never throws. */
export async function extractPath(file: string): Promise<Extraction | ExtractFailure> {
  let st: import('node:fs').Stats;
  try {
    st = await stat(file);
  } catch (err) {
    return fail(
      file,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message,
    );
  }
  const ctx = {
    readSibling: async (rel: string) => {
      try {
        return await readFile(path.join(path.dirname(file), rel), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
  try {
    if (st.isDirectory()) {
      const ex = extractorFor(file);
      if (!ex?.directory)
        return fail(file, 'is a folder (pass a lockfile, or the folder to audit without --file)');
      return await ex.extract(file, '', ctx);
    }
    if (st.size > MAX_LOCKFILE_BYTES)
      return fail(file, `file is ${st.size} bytes, over the ${MAX_LOCKFILE_BYTES}-byte limit`);
    const data = await readFile(file);
    const text = data.toString('utf8');
    const ex = extractorFor(file, text);
    if (!ex || ex.directory) {
      if (path.basename(file) === 'package.json') {
        return fail(
          file,
          'package.json alone does not pin versions; audit its lockfile (run `npm install --package-lock-only` to create one)',
        );
      }
      return fail(file, `unsupported format (supported: ${supportedNames()})`);
    }
    if (text.includes('\u0000')) return fail(file, 'binary content where a text lockfile was expected');
    return await ex.extract(file, text, ctx);
  } catch (err) {
    if (err instanceof ExtractError) return fail(file, err.message);
    return fail(file, `internal error: ${(err as Error).message}`);
  }
}

export function supportedNames(): string {
  return [
    'package-lock.json',
    'npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
    'bun.lock',
    'node_modules/',
    'requirements*.txt',
    'poetry.lock',
    'uv.lock',
    'Pipfile.lock',
    'pylock.toml',
    'pom.xml',
    'gradle.lockfile',
  ].join(', ');
}

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.venv',
  'venv',
  '.tox',
  'target',
  'build',
  'dist',
  '.gradle',
]);

/**
 * Lockfiles and manifests in a folder (recursively when asked). A folder named `node_modules`
 * is itself an installed tree. Throws an ExtractError when nothing supported is there.
 */
export async function discover(dir: string, recursive: boolean): Promise<string[]> {
  if (path.basename(path.resolve(dir)) === 'node_modules') return [dir];
  const out: string[] = [];
  const visit = async (d: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      throw new ExtractError(`cannot read folder "${d}" (${(err as Error).message})`);
    }
    const files = entries.filter((e) => e.isFile()).map((e) => e.name);
    for (const f of files.sort()) {
      if (f === 'bun.lockb' && files.includes('bun.lock')) continue;
      if (EXTRACTORS.some((e) => !e.directory && e.matches(f)) && !/^constraints/i.test(f))
        out.push(path.join(d, f));
    }
    if (!recursive || depth > 6) return;
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'))
        await visit(path.join(d, e.name), depth + 1);
    }
  };
  await visit(dir, 0);
  if (out.length === 0) {
    const manifests = [
      'package.json',
      'pyproject.toml',
      'setup.py',
      'build.gradle',
      'build.gradle.kts',
    ].filter((m) => existsSync(path.join(dir, m)));
    if (manifests.length) {
      throw new ExtractError(
        `"${dir}" has ${manifests.join(', ')} but no lockfile; versions are not pinned there (create one: npm install --package-lock-only, poetry lock, uv lock, gradle dependencies --write-locks)`,
      );
    }
    throw new ExtractError(
      `no supported lockfile or manifest in "${dir}"${recursive ? ' or below' : ' (use --recursive to search subfolders)'}; supported: ${supportedNames()}`,
    );
  }
  return out;
}
