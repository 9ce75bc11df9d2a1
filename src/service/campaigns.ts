import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iocHost, iocKind } from './iocs.js';
import type { ClusterInput } from './store.js';

const require = createRequire(import.meta.url);
const DigestHashBuilder = require('tlsh/lib/digests/digest-hash-builder') as new () => {
  withHash(h: string): { build(): TlshDigest };
};
interface TlshDigest {
  calculateDifference(other: TlshDigest, len: boolean): number;
}

export type Level = 'high' | 'medium' | 'low';
const LEVELS: Level[] = ['low', 'medium', 'high'];

export interface IndicatorSet {
  id: string;
  version: string;
  updated?: string;
  name: string;
  actor: string;
  description?: string;
  references?: string[];
  indicators: {
    domains?: string[];
    ips?: string[];
    wallets?: string[];
    webhooks?: string[];
    urlPatterns?: string[];
    ipPortPatterns?: string[];
    namePatterns?: string[];
    publishers?: string[];
    tlsh?: string[];
  };
  tlshMaxDistance?: number;
  confidence?: Partial<Record<string, Level>>;
}

export interface Attribution {
  set: string;
  version: string;
  name: string;
  actor: string;
  confidence: Level;
  /** What matched: `webhooks: https://...`, `tlsh: pkg@1 index.js (d=12)`. */
  basis: string[];
  references: string[];
}

export interface ClusterLink {
  kind: 'ioc' | 'host' | 'tlsh' | 'publisher';
  value: string;
}

export interface Campaign {
  id: string;
  size: number;
  ecosystems: string[];
  categories: string[];
  firstSeen: number;
  lastSeen: number;
  members: Array<{
    ecosystem: string;
    name: string;
    version: string;
    verdict: string;
    score: number;
    categories: string[];
    publisher: string | null;
    scannedAt: number;
    latencyMs: number | null;
  }>;
  /** Shared traits that tie the members together, strongest first. */
  links: ClusterLink[];
  sharedIocs: string[];
  attribution: Attribution[];
}

export function defaultCampaignsDir(): string {
  return fileURLToPath(new URL('../../data/campaigns/', import.meta.url));
}

/** Loads every `*.json` indicator set in a folder; malformed files are skipped with a warning. */
export function loadIndicatorSets(
  dir: string = defaultCampaignsDir(),
  warn?: (m: string) => void,
): IndicatorSet[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: IndicatorSet[] = [];
  for (const f of files.sort()) {
    try {
      const set = JSON.parse(readFileSync(join(dir, f), 'utf8')) as IndicatorSet;
      if (!set.id || !set.version || !set.indicators) throw new Error('missing id/version/indicators');
      out.push(set);
    } catch (err) {
      warn?.(`campaigns: ${f}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

function digest(h: string): TlshDigest | undefined {
  try {
    return new DigestHashBuilder().withHash(h).build();
  } catch {
    return undefined;
  }
}

export function tlshDistance(a: string, b: string): number {
  const da = digest(a);
  const db = digest(b);
  if (!da || !db) return Number.POSITIVE_INFINITY;
  return da.calculateDifference(db, true);
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** IOC values worth clustering on (not generic hosts every package talks to). */
const GENERIC_HOSTS = new Set([
  'registry.npmjs.org',
  'pypi.org',
  'files.pythonhosted.org',
  'github.com',
  'raw.githubusercontent.com',
  'api.github.com',
  'repo1.maven.org',
  'localhost',
  '127.0.0.1',
  'www.w3.org',
  'example.com',
]);

export interface ClusterOptions {
  /** TLSH distance at or below which two payload files count as the same code. */
  tlshMaxDistance?: number;
  /** Publishers with at least this many detections link them. */
  publisherMinDetections?: number;
}

function matchSet(members: ClusterInput[], set: IndicatorSet): Attribution | undefined {
  const ind = set.indicators;
  const basis: Array<{ type: string; text: string }> = [];
  const lower = (xs?: string[]) => new Set((xs ?? []).map((x) => x.toLowerCase()));
  const exact: Record<string, Set<string>> = {
    ips: lower(ind.ips),
    wallets: new Set(ind.wallets ?? []),
    webhooks: lower(ind.webhooks),
  };
  const domains = lower(ind.domains);
  const re = (xs?: string[]) =>
    (xs ?? []).flatMap((x) => {
      try {
        return [new RegExp(x, 'i')];
      } catch {
        return [];
      }
    });
  const urlRes = re(ind.urlPatterns);
  const ipPortRes = re(ind.ipPortPatterns);
  const nameRes = re(ind.namePatterns);
  const publishers = lower(ind.publishers);
  const maxD = set.tlshMaxDistance ?? 60;
  for (const m of members) {
    const label = `${m.name}@${m.version}`;
    for (const ioc of m.iocs) {
      const v = ioc.toLowerCase();
      for (const [type, values] of Object.entries(exact)) {
        if (values.has(v) || values.has(ioc)) basis.push({ type, text: `${type}: ${ioc} (${label})` });
      }
      const host = iocHost(ioc) ?? (iocKind(ioc) === 'domain' ? v : undefined);
      if (host && [...domains].some((d) => host === d || host.endsWith(`.${d}`)))
        basis.push({ type: 'domains', text: `domains: ${host} (${label})` });
      for (const r of urlRes)
        if (r.test(ioc)) basis.push({ type: 'urlPatterns', text: `url: ${ioc} (${label})` });
      for (const r of ipPortRes)
        if (r.test(ioc)) basis.push({ type: 'ipPortPatterns', text: `ip:port: ${ioc} (${label})` });
    }
    for (const r of nameRes)
      if (r.test(m.name)) basis.push({ type: 'namePatterns', text: `name: ${m.name}` });
    if (m.publisher && publishers.has(m.publisher.toLowerCase()))
      basis.push({ type: 'publishers', text: `publisher: ${m.publisher} (${label})` });
    for (const h of m.tlsh) {
      for (const known of ind.tlsh ?? []) {
        const d = tlshDistance(h.tlsh, known);
        if (d <= maxD) basis.push({ type: 'tlsh', text: `tlsh: ${label} ${h.file} (distance ${d})` });
      }
    }
  }
  if (!basis.length) return undefined;
  const types = new Set(basis.map((b) => b.type));
  let level: Level = 'low';
  for (const t of types) {
    const l = set.confidence?.[t] ?? (t === 'namePatterns' ? 'low' : 'medium');
    if (LEVELS.indexOf(l) > LEVELS.indexOf(level)) level = l;
  }
  // Independent kinds of evidence agreeing raise the confidence one step.
  if (types.size >= 2 && level !== 'high') level = LEVELS[LEVELS.indexOf(level) + 1]!;
  return {
    set: set.id,
    version: set.version,
    name: set.name,
    actor: set.actor,
    confidence: level,
    basis: [...new Set(basis.map((b) => b.text))].slice(0, 20),
    references: set.references ?? [],
  };
}

/**
 * Groups detections into campaigns: members are linked when they share an IOC (or the host of
 * an IOC URL), when payload files are TLSH-similar, or when one publisher pushed several of
 * them. Groups of two or more, and single detections that match a curated indicator set, are
 * returned with the curated attributions that match and their confidence.
 */
export function clusterCampaigns(
  inputs: ClusterInput[],
  sets: IndicatorSet[],
  options: ClusterOptions = {},
): Campaign[] {
  const n = inputs.length;
  const uf = new UnionFind(n);
  const linkOf = new Map<number, ClusterLink[]>();
  const addLink = (i: number, link: ClusterLink) => {
    const xs = linkOf.get(i) ?? [];
    if (!xs.some((x) => x.kind === link.kind && x.value === link.value)) xs.push(link);
    linkOf.set(i, xs);
  };
  const byKey = new Map<string, number[]>();
  const add = (key: string, i: number) => {
    const xs = byKey.get(key) ?? [];
    xs.push(i);
    byKey.set(key, xs);
  };
  inputs.forEach((m, i) => {
    for (const ioc of new Set(m.iocs)) {
      const kind = iocKind(ioc);
      if (kind === 'other') continue;
      const host = iocHost(ioc);
      if (GENERIC_HOSTS.has((host ?? ioc).toLowerCase())) continue;
      add(`ioc\0${ioc}`, i);
      if (host && host !== ioc) add(`host\0${host.toLowerCase()}`, i);
    }
    if (m.publisher) add(`publisher\0${m.publisher.toLowerCase()}`, i);
  });
  const minPub = options.publisherMinDetections ?? 2;
  for (const [key, idx] of byKey) {
    const [kind, value] = key.split('\0') as [ClusterLink['kind'], string];
    if (idx.length < (kind === 'publisher' ? minPub : 2)) continue;
    for (const i of idx) {
      uf.union(idx[0]!, i);
      addLink(i, { kind, value });
    }
  }
  const maxD = options.tlshMaxDistance ?? 60;
  const hashes = inputs.flatMap((m, i) =>
    m.tlsh.map((h) => ({ i, h: h.tlsh, file: h.file, d: digest(h.tlsh) })).filter((x) => x.d),
  );
  const cap = Math.min(hashes.length, 3000);
  for (let a = 0; a < cap; a++) {
    for (let b = a + 1; b < cap; b++) {
      const x = hashes[a]!;
      const y = hashes[b]!;
      if (x.i === y.i) continue;
      const d = x.d!.calculateDifference(y.d!, true);
      if (d <= maxD) {
        uf.union(x.i, y.i);
        addLink(x.i, { kind: 'tlsh', value: `${x.file} ~ ${y.file} (distance ${d})` });
        addLink(y.i, { kind: 'tlsh', value: `${x.file} ~ ${y.file} (distance ${d})` });
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  }
  const out: Campaign[] = [];
  for (const idx of groups.values()) {
    const members = idx.map((i) => inputs[i]!);
    const attribution = sets
      .map((s) => matchSet(members, s))
      .filter((a): a is Attribution => !!a)
      .sort((a, b) => LEVELS.indexOf(b.confidence) - LEVELS.indexOf(a.confidence));
    if (members.length < 2 && !attribution.length) continue;
    const keys = members.map((m) => `${m.ecosystem}:${m.name}@${m.version}`).sort();
    const iocCount = new Map<string, number>();
    for (const m of members) for (const v of new Set(m.iocs)) iocCount.set(v, (iocCount.get(v) ?? 0) + 1);
    const links = new Map<string, ClusterLink>();
    for (const i of idx) for (const l of linkOf.get(i) ?? []) links.set(`${l.kind}\0${l.value}`, l);
    const order = { ioc: 0, tlsh: 1, host: 2, publisher: 3 };
    out.push({
      id: `C-${createHash('sha256').update(keys[0]!).digest('hex').slice(0, 10)}`,
      size: members.length,
      ecosystems: [...new Set(members.map((m) => m.ecosystem))].sort(),
      categories: [...new Set(members.flatMap((m) => m.categories))].sort(),
      firstSeen: Math.min(...members.map((m) => m.scannedAt)),
      lastSeen: Math.max(...members.map((m) => m.scannedAt)),
      members: members
        .sort((a, b) => b.scannedAt - a.scannedAt)
        .map((m) => ({
          ecosystem: m.ecosystem,
          name: m.name,
          version: m.version,
          verdict: m.verdict,
          score: m.score,
          categories: m.categories,
          publisher: m.publisher,
          scannedAt: m.scannedAt,
          latencyMs: m.latencyMs,
        })),
      links: [...links.values()].sort((a, b) => order[a.kind] - order[b.kind]).slice(0, 50),
      sharedIocs: [...iocCount.entries()]
        .filter(([, c]) => c >= 2 || members.length === 1)
        .map(([v]) => v)
        .sort(),
      attribution,
    });
  }
  return out.sort((a, b) => b.size - a.size || b.lastSeen - a.lastSeen);
}
