import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ini from 'ini';

/** Registry settings resolved the way npm does: env, project .npmrc, user .npmrc, global npmrc. */
export interface NpmConfig {
  /** Default registry, always ending with `/`. */
  registry: string;
  /** `@scope` -> registry URL. */
  scopes: Map<string, string>;
  /** Raw `//host/path/:key` entries for auth lookup. */
  auth: Map<string, string>;
}

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Expands `${VAR}` references like npm does. */
function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? '');
}

function readNpmrc(file: string): Record<string, unknown> {
  try {
    return ini.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** Project .npmrc lives at the nearest folder with a package.json, else cwd. */
function projectNpmrc(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    try {
      readFileSync(path.join(dir, 'package.json'));
      return path.join(dir, '.npmrc');
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.join(cwd, '.npmrc');
      dir = parent;
    }
  }
}

export function loadNpmConfig(cwd: string, env: NodeJS.ProcessEnv, override?: string): NpmConfig {
  const userFile =
    env.NPM_CONFIG_USERCONFIG ?? env.npm_config_userconfig ?? path.join(os.homedir(), '.npmrc');
  const globalFile = env.NPM_CONFIG_GLOBALCONFIG ?? env.npm_config_globalconfig;
  const layers = [globalFile ? readNpmrc(globalFile) : {}, readNpmrc(userFile), readNpmrc(projectNpmrc(cwd))];
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (typeof v === 'string') merged[k] = expandEnv(v, env);
  }
  const envRegistry = env.NPM_CONFIG_REGISTRY ?? env.npm_config_registry;
  const registry = withSlash(override ?? envRegistry ?? merged.registry ?? DEFAULT_NPM_REGISTRY);
  const scopes = new Map<string, string>();
  const auth = new Map<string, string>();
  for (const [k, v] of Object.entries(merged)) {
    const scope = /^(@[^:]+):registry$/.exec(k);
    if (scope) scopes.set(scope[1]!, withSlash(v));
    else if (k.startsWith('//')) auth.set(k, v);
  }
  return { registry, scopes, auth };
}

export function registryFor(config: NpmConfig, name: string): string {
  if (name.startsWith('@')) {
    const scope = name.slice(0, name.indexOf('/'));
    const scoped = config.scopes.get(scope);
    if (scoped) return scoped;
  }
  return config.registry;
}

/**
 * Authorization header for a URL, matching npm's "nerf dart" keys: the longest
 * `//host/path/` prefix of the URL that has `_authToken`, `_auth` or username/_password.
 */
export function authHeaderFor(config: NpmConfig, url: string): string | undefined {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter(Boolean);
  for (let i = segments.length; i >= 0; i--) {
    const nerf = `//${u.host}/${segments.slice(0, i).join('/')}${i > 0 ? '/' : ''}`;
    const token = config.auth.get(`${nerf}:_authToken`);
    if (token) return `Bearer ${token}`;
    const basic = config.auth.get(`${nerf}:_auth`);
    if (basic) return `Basic ${basic}`;
    const user = config.auth.get(`${nerf}:username`);
    const pass = config.auth.get(`${nerf}:_password`);
    if (user && pass) {
      const decoded = Buffer.from(pass, 'base64').toString('utf8');
      return `Basic ${Buffer.from(`${user}:${decoded}`).toString('base64')}`;
    }
  }
  return undefined;
}
