import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseIni } from './metadata.js';

export const DEFAULT_PYPI_INDEX = 'https://pypi.org/simple/';

/** Where the PyPI JSON API lives and how to authenticate to it. */
export interface PypiIndex {
  /** JSON API base ending with `/`: `<base>NAME/VERSION/json`. */
  jsonBase: string;
  /** The index URL as configured (pip's `index-url`), credentials removed. */
  indexUrl: string;
  /** `Basic ...` when the index URL carried `user:password@`. */
  authorization?: string;
  /** Where the setting came from, for messages. */
  origin: string;
}

function readConf(file: string): Record<string, Record<string, string>> {
  try {
    return parseIni(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** pip's configuration files, lowest priority first (global, user, PIP_CONFIG_FILE). */
export function pipConfigFiles(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? os.homedir();
  const xdg = env.XDG_CONFIG_HOME ?? path.join(home, '.config');
  const dirs = (env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':').filter(Boolean);
  const files = [
    ...dirs.map((d) => path.join(d, 'pip', 'pip.conf')),
    '/etc/pip.conf',
    path.join(home, '.pip', 'pip.conf'),
    path.join(xdg, 'pip', 'pip.conf'),
  ];
  if (env.PIP_CONFIG_FILE && env.PIP_CONFIG_FILE !== os.devNull) files.push(env.PIP_CONFIG_FILE);
  return files;
}

/**
 * Converts a pip index URL (the PEP 503 "simple" API) to the JSON API base next to it:
 * `https://pypi.org/simple/` -> `https://pypi.org/pypi/`. A URL that is not a simple index is
 * taken to be the JSON API base itself (`http://127.0.0.1:8080/pypi/`).
 */
export function jsonBaseOf(indexUrl: string): string {
  const u = new URL(indexUrl);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  let p = u.pathname.replace(/\/+$/, '');
  if (/\/simple$/.test(p)) p = `${p.slice(0, -'/simple'.length)}/pypi`;
  else if (/\/\+simple$/.test(p)) p = p.slice(0, -'/+simple'.length);
  u.pathname = `${p}/`;
  return u.toString();
}

/**
 * The index to query, resolved like pip: explicit override, then PIP_INDEX_URL, then pip.conf
 * (`[global]`/`[install]`/`[download]` `index-url`, later files win), else PyPI.
 */
export function resolvePypiIndex(env: NodeJS.ProcessEnv, override?: string): PypiIndex {
  let chosen: { url: string; origin: string } | undefined;
  if (override) chosen = { url: override, origin: '--registry' };
  else if (env.PIP_INDEX_URL) chosen = { url: env.PIP_INDEX_URL, origin: 'PIP_INDEX_URL' };
  else if (env.PIP_CONFIG_FILE !== os.devNull) {
    for (const file of pipConfigFiles(env)) {
      const conf = readConf(file);
      for (const section of ['global', 'download', 'install']) {
        const v = conf[section]?.['index-url'] ?? conf[section]?.index_url;
        if (v) chosen = { url: v, origin: file };
      }
    }
  }
  const url = chosen?.url ?? DEFAULT_PYPI_INDEX;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL(DEFAULT_PYPI_INDEX);
  }
  const authorization =
    parsed.username || parsed.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
      : undefined;
  const clean = new URL(parsed.toString());
  clean.username = '';
  clean.password = '';
  return {
    jsonBase: jsonBaseOf(parsed.toString()),
    indexUrl: clean.toString(),
    authorization,
    origin: chosen?.origin ?? 'default',
  };
}
