import semver from 'semver';
import { BeagleError } from '../../core/errors.js';
import { httpGet, httpGetJson } from '../../core/http.js';
import type { LoadOptions } from '../types.js';
import { authHeaderFor, loadNpmConfig, registryFor } from './npmrc.js';

/** The parts of a registry packument (full document) Beagle reads. */
export interface Packument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, PackumentVersion>;
  time?: Record<string, string>;
  maintainers?: Array<{ name?: string; email?: string }>;
}

export interface PackumentVersion {
  name: string;
  version: string;
  dist?: { tarball?: string; integrity?: string; shasum?: string; fileCount?: number; unpackedSize?: number };
  _npmUser?: { name?: string; email?: string };
  scripts?: Record<string, string>;
  [key: string]: unknown;
}

export interface NpmSpec {
  name: string;
  /** Exact version, dist-tag or semver range; `latest` when omitted. */
  selector: string;
}

const NAME_RE = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9._~-][a-z0-9._~-]*$/i;

/** Splits `name@selector` / `@scope/name@selector`. */
export function parseNpmSpec(spec: string): NpmSpec {
  const at = spec.lastIndexOf('@');
  const hasSelector = at > 0;
  const name = hasSelector ? spec.slice(0, at) : spec;
  const selector = hasSelector ? spec.slice(at + 1) : 'latest';
  if (!NAME_RE.test(name) || name.length > 214) {
    throw new BeagleError('invalid-target', `${spec}: not a valid npm package name`);
  }
  return { name, selector: selector === '' ? 'latest' : selector };
}

export function looksLikeNpmSpec(target: string): boolean {
  try {
    parseNpmSpec(target);
    return true;
  } catch {
    return false;
  }
}

/** Picks the version a spec means: exact version, dist-tag, else the highest satisfying version. */
export function resolveVersion(packument: Packument, spec: NpmSpec): string {
  const versions = Object.keys(packument.versions ?? {});
  if (versions.includes(spec.selector)) return spec.selector;
  const tagged = packument['dist-tags']?.[spec.selector];
  if (tagged && versions.includes(tagged)) return tagged;
  const range = semver.validRange(spec.selector, { loose: true });
  if (range) {
    const latest = packument['dist-tags']?.latest;
    if (latest && semver.satisfies(latest, range)) return latest;
    const best = semver.maxSatisfying(versions, range);
    if (best) return best;
  }
  throw new BeagleError(
    'not-found',
    `npm:${spec.name}@${spec.selector}: no published version matches (${versions.length} versions known)`,
  );
}

export interface FetchedTarball {
  name: string;
  version: string;
  tarballUrl: string;
  data: Buffer;
  packument: Packument;
  meta: PackumentVersion;
}

export function packumentUrl(registry: string, name: string): string {
  return `${registry}${name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)}`;
}

/** Resolves a spec against the configured registry and downloads its tarball (not yet verified). */
export async function fetchNpmTarball(spec: string, options: LoadOptions): Promise<FetchedTarball> {
  const parsed = parseNpmSpec(spec);
  const config = loadNpmConfig(options.cwd, options.env, options.registry);
  const registry = registryFor(config, parsed.name);
  const label = `npm:${spec}`;
  const url = packumentUrl(registry, parsed.name);
  const headers: Record<string, string> = { accept: 'application/json' };
  const auth = authHeaderFor(config, url);
  if (auth) headers.authorization = auth;
  const packument = await httpGetJson<Packument>(url, {
    headers,
    timeoutMs: options.timeoutMs,
    label,
    signal: options.signal,
    maxBytes: 200 * 1024 * 1024,
  });
  if (!packument || typeof packument !== 'object' || !packument.versions) {
    throw new BeagleError('bad-response', `${label}: registry answer is not a packument`);
  }
  const version = resolveVersion(packument, parsed);
  const meta = packument.versions[version]!;
  const tarballUrl = meta.dist?.tarball;
  if (!tarballUrl) throw new BeagleError('bad-response', `${label}: version ${version} has no dist.tarball`);
  const tarAuth = authHeaderFor(config, tarballUrl);
  const data = await httpGet(tarballUrl, {
    headers: tarAuth ? { authorization: tarAuth } : {},
    timeoutMs: options.timeoutMs,
    label,
    signal: options.signal,
    maxBytes: options.limits.maxTotalBytes,
  });
  return { name: parsed.name, version, tarballUrl, data, packument, meta };
}
