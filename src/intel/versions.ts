import semver from 'semver';
import type { Ecosystem } from '../core/types.js';

/** PEP 440 version parsed into comparable parts. */
interface Pep440 {
  epoch: number;
  release: number[];
  pre?: [number, number]; // a=0 b=1 rc=2
  post?: number;
  dev?: number;
  local: string;
}

const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d*)))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

function parsePep440(v: string): Pep440 | undefined {
  const m = PEP440.exec(v.trim());
  if (!m) return undefined;
  const preKind = m[3]?.toLowerCase();
  const out: Pep440 = {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2]!.split('.').map(Number),
    local: m[11] ?? '',
  };
  if (preKind) out.pre = [preKind.startsWith('a') ? 0 : preKind.startsWith('b') ? 1 : 2, Number(m[4] || 0)];
  if (m[5] !== undefined) out.post = Number(m[5]);
  else if (m[6]) out.post = Number(m[7] || 0);
  if (m[8]) out.dev = Number(m[9] || 0);
  return out;
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePep440(a: string, b: string): number | undefined {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (!x || !y) return undefined;
  if (x.epoch !== y.epoch) return cmpNum(x.epoch, y.epoch);
  const len = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < len; i++) {
    const c = cmpNum(x.release[i] ?? 0, y.release[i] ?? 0);
    if (c) return c;
  }
  // ordering within a release: dev < pre < (final) < post
  const key = (v: Pep440): number[] => {
    const pre = v.pre ? [v.pre[0], v.pre[1]] : v.post === undefined && v.dev !== undefined ? [-1, 0] : [3, 0];
    return [
      ...pre,
      v.post === undefined ? -1 : v.post,
      v.dev === undefined ? Number.POSITIVE_INFINITY : v.dev,
    ];
  };
  const kx = key(x);
  const ky = key(y);
  for (let i = 0; i < kx.length; i++) {
    const c = cmpNum(kx[i]!, ky[i]!);
    if (c) return c;
  }
  return x.local.localeCompare(y.local);
}

const MAVEN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];

function mavenTokens(v: string): (number | string)[] {
  return v
    .toLowerCase()
    .split(/[.-]|(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)/)
    .filter((t) => t !== '')
    .map((t) =>
      /^\d+$/.test(t)
        ? Number(t)
        : t === 'a'
          ? 'alpha'
          : t === 'b'
            ? 'beta'
            : t === 'm'
              ? 'milestone'
              : t === 'cr'
                ? 'rc'
                : t === 'ga' || t === 'final' || t === 'release'
                  ? ''
                  : t,
    );
}

/** Maven ComparableVersion, simplified: numbers numerically, known qualifiers in order, others lexically. */
export function compareMaven(a: string, b: string): number {
  const x = mavenTokens(a);
  const y = mavenTokens(b);
  const len = Math.max(x.length, y.length);
  for (let i = 0; i < len; i++) {
    const p = x[i] ?? (typeof y[i] === 'number' ? 0 : '');
    const q = y[i] ?? (typeof x[i] === 'number' ? 0 : '');
    if (typeof p === 'number' && typeof q === 'number') {
      if (p !== q) return cmpNum(p, q);
      continue;
    }
    if (typeof p === 'number') return 1;
    if (typeof q === 'number') return -1;
    const ip = MAVEN_QUALIFIERS.indexOf(p);
    const iq = MAVEN_QUALIFIERS.indexOf(q);
    if (ip >= 0 && iq >= 0) {
      if (ip !== iq) return cmpNum(ip, iq);
      continue;
    }
    if (ip >= 0) return -1;
    if (iq >= 0) return 1;
    const c = p.localeCompare(q);
    if (c) return c;
  }
  return 0;
}

/** Compares two versions by the ecosystem's rules; undefined when they cannot be ordered. */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number | undefined {
  if (ecosystem === 'npm') {
    const x = semver.valid(a, { loose: true });
    const y = semver.valid(b, { loose: true });
    if (!x || !y) return a === b ? 0 : undefined;
    return semver.compare(x, y, { loose: true });
  }
  if (ecosystem === 'pypi') return comparePep440(a, b) ?? (a === b ? 0 : undefined);
  return compareMaven(a, b);
}

export interface OsvRangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  events: OsvRangeEvent[];
}

/** Whether a range affects every version (`introduced: "0"` and nothing closes it). */
export function rangeCoversAll(range: OsvRange): boolean {
  if (range.type === 'GIT') return false;
  const closes = range.events.some(
    (e) => e.fixed !== undefined || e.last_affected !== undefined || e.limit !== undefined,
  );
  return !closes && range.events.some((e) => e.introduced === '0');
}

/** OSV range evaluation: events sorted by version; a version is affected between introduced and fixed/last_affected. */
export function inRange(ecosystem: Ecosystem, version: string, range: OsvRange): boolean {
  if (range.type === 'GIT') return false;
  const cmp = (a: string, b: string) =>
    a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : compareVersions(ecosystem, a, b);
  const events = range.events
    .map((e) => {
      const [kind, v] = Object.entries(e)[0] ?? [];
      return { kind: kind as keyof OsvRangeEvent, v: String(v) };
    })
    .filter((e) => e.kind);
  const limits = events.filter((e) => e.kind === 'limit');
  for (const l of limits) {
    const c = cmp(version, l.v);
    if (c === undefined || c >= 0) return false;
  }
  const ordered = events.filter((e) => e.kind !== 'limit').sort((a, b) => cmp(a.v, b.v) ?? 0);
  let affected = false;
  for (const e of ordered) {
    const c = cmp(version, e.v);
    if (c === undefined) continue;
    if (e.kind === 'introduced' && c >= 0) affected = true;
    else if (e.kind === 'fixed' && c >= 0) affected = false;
    else if (e.kind === 'last_affected' && c > 0) affected = false;
  }
  return affected;
}
