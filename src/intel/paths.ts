import os from 'node:os';
import path from 'node:path';

/**
 * Beagle's per-user cache folder: `$BEAGLE_CACHE_DIR`, else the platform's cache location
 * (`$XDG_CACHE_HOME/beagle` or `~/.cache/beagle`, `~/Library/Caches/beagle`, `%LOCALAPPDATA%\beagle\Cache`).
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BEAGLE_CACHE_DIR) return path.resolve(env.BEAGLE_CACHE_DIR);
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'beagle');
  if (process.platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'beagle', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'beagle');
}

/** The intel database file (`BEAGLE_DB` overrides). */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BEAGLE_DB ? path.resolve(env.BEAGLE_DB) : path.join(cacheDir(env), 'intel.sqlite');
}
