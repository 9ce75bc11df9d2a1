/**
 * Runs the built CLI (`node bin/beagle.js`) as a child process. `ensureBuilt()` rebuilds `dist/`
 * when any source file is newer than it, so `vitest run test/cli` works without `npm test`
 * (set BEAGLE_TEST_NO_BUILD=1 to test the dist/ as it is).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO_ROOT, 'bin/beagle.js');

function newestMtime(dir: string, ext: RegExp): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (ext.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (serialised across test files with flock) when it is missing or stale. */
export function ensureBuilt(): void {
  if (process.env.BEAGLE_TEST_NO_BUILD) return;
  const main = path.join(REPO_ROOT, 'dist/cli/main.js');
  const stale = () =>
    !existsSync(main) ||
    newestMtime(path.join(REPO_ROOT, 'src'), /\.ts$/) > newestMtime(path.join(REPO_ROOT, 'dist'), /\.js$/);
  if (!stale()) return;
  try {
    execFileSync('flock', ['/tmp/beagle-build.lock', 'npx', 'tsc', '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
  } catch (err) {
    // tsc still emits on type errors elsewhere in the tree; only a missing CLI is fatal.
    if (!existsSync(main)) throw err;
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/beagle.js ...args` and collects its output and exit code. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...(options.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
