import { createHash } from 'node:crypto';
import { BeagleError } from '../../core/errors.js';
import { httpGet, httpGetJson } from '../../core/http.js';
import type { LoadOptions } from '../types.js';
import { type PypiIndex, resolvePypiIndex } from './config.js';
import { normalizeName } from './metadata.js';

/** One file of a release as the JSON API lists it (`urls[]` / `releases[v][]`). */
export interface PypiFile {
  filename: string;
  url: string;
  packagetype: 'sdist' | 'bdist_wheel' | 'bdist_egg' | string;
  digests?: { sha256?: string; md5?: string; blake2b_256?: string };
  size?: number;
  yanked?: boolean;
  yanked_reason?: string | null;
  upload_time_iso_8601?: string;
  requires_python?: string | null;
}

/** The parts of `/pypi/NAME[/VERSION]/json` Beagle reads. */
export interface PypiRelease {
  info: {
    name: string;
    version: string;
    author?: string | null;
    author_email?: string | null;
    maintainer?: string | null;
    home_page?: string | null;
    project_urls?: Record<string, string> | null;
    summary?: string | null;
    yanked?: boolean;
    yanked_reason?: string | null;
  };
  urls: PypiFile[];
  releases?: Record<string, PypiFile[]>;
}

export interface PypiSpec {
  name: string;
  version?: string;
}

const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Parses `NAME`, `NAME==VERSION` (or `NAME@VERSION`). */
export function parsePypiSpec(spec: string): PypiSpec {
  const m = /^\s*([^=@<>!~\s]+)\s*(?:(?:==|@)\s*([^\s]+))?\s*$/.exec(spec);
  const name = m?.[1];
  if (!m || !name || !NAME_RE.test(name)) {
    throw new BeagleError(
      'invalid-target',
      `pypi:${spec}: not a valid PyPI project spec (use NAME or NAME==VERSION)`,
    );
  }
  const version = m[2];
  if (version !== undefined && !/^[A-Za-z0-9.!+_-]+$/.test(version)) {
    throw new BeagleError('invalid-target', `pypi:${spec}: "${version}" is not an exact version`);
  }
  return { name, version };
}

function wheelRank(filename: string): number {
  // Pure wheels first (same code everywhere), then the common Linux x86_64 build.
  if (/-py[23]?(\.py3)?-none-any\.whl$/i.test(filename) || /-none-any\.whl$/i.test(filename)) return 0;
  if (/manylinux.*x86_64\.whl$/i.test(filename)) return 1;
  if (/linux.*x86_64\.whl$/i.test(filename)) return 2;
  return 3;
}

/**
 * Which file of a release to scan: the sdist when there is one (its setup.py is what runs at
 * install), else the most portable wheel, else an egg. Non-yanked files are preferred.
 */
export function chooseFile(files: PypiFile[]): PypiFile | undefined {
  const live = files.filter((f) => !f.yanked);
  const pool = live.length > 0 ? live : files;
  const sdist = pool.find((f) => f.packagetype === 'sdist');
  if (sdist) return sdist;
  const wheels = pool
    .filter((f) => f.packagetype === 'bdist_wheel' || f.filename.endsWith('.whl'))
    .sort((a, b) => wheelRank(a.filename) - wheelRank(b.filename));
  if (wheels[0]) return wheels[0];
  return pool.find((f) => f.packagetype === 'bdist_egg' || f.filename.endsWith('.egg')) ?? pool[0];
}

export interface FetchedDistribution {
  release: PypiRelease;
  file: PypiFile;
  url: string;
  data: Buffer;
  index: PypiIndex;
  /** sha256 published by the index and whether the downloaded bytes match it. */
  integrity: { expected?: string; actual: string; verified: boolean };
}

export function releaseUrl(index: PypiIndex, spec: PypiSpec): string {
  const name = encodeURIComponent(normalizeName(spec.name));
  return spec.version
    ? `${index.jsonBase}${name}/${encodeURIComponent(spec.version)}/json`
    : `${index.jsonBase}${name}/json`;
}

/** Resolves a spec through the JSON API, downloads the chosen file and checks its sha256. */
export async function fetchPypiDistribution(
  spec: string,
  options: LoadOptions,
): Promise<FetchedDistribution> {
  const parsed = parsePypiSpec(spec);
  const label = `pypi:${spec}`;
  const index = resolvePypiIndex(options.env, options.registry);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (index.authorization) headers.authorization = index.authorization;
  const url = releaseUrl(index, parsed);
  const release = await httpGetJson<PypiRelease>(url, {
    headers,
    timeoutMs: options.timeoutMs,
    label,
    signal: options.signal,
    maxBytes: 64 * 1024 * 1024,
  });
  if (!release || typeof release !== 'object' || !release.info || !Array.isArray(release.urls)) {
    throw new BeagleError('bad-response', `${label}: ${url} is not a PyPI JSON API release document`);
  }
  if (parsed.version && release.info.version !== parsed.version) {
    throw new BeagleError(
      'bad-response',
      `${label}: index answered version ${release.info.version} for requested ${parsed.version}`,
    );
  }
  const file = chooseFile(release.urls);
  if (!file) {
    throw new BeagleError(
      'not-found',
      `${label}: release ${release.info.version} has no downloadable files (sdist, wheel or egg)`,
    );
  }
  const fileUrl = new URL(file.url, url);
  const sameHost = fileUrl.host === new URL(url).host;
  const data = await httpGet(fileUrl.toString(), {
    headers: sameHost && index.authorization ? { authorization: index.authorization } : {},
    timeoutMs: options.timeoutMs,
    label,
    signal: options.signal,
    maxBytes: options.limits.maxTotalBytes,
  });
  const actual = createHash('sha256').update(data).digest('hex');
  const expected = file.digests?.sha256?.toLowerCase();
  return {
    release,
    file,
    url: fileUrl.toString(),
    data,
    index,
    integrity: { expected, actual: `sha256:${actual}`, verified: !!expected && expected === actual },
  };
}
