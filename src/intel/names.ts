import { readFileSync } from 'node:fs';
import { dataUrl } from '../core/data.js';
import type { Ecosystem } from '../core/types.js';
import { normalizeName } from './normalize.js';

/** How a name imitates a popular one. */
export type SquatTechnique =
  | 'homoglyph' // 0/o, 1/l, rn/m, vv/w, i/l
  | 'separator' // cross-env -> crossenv, cross_env
  | 'scope' // @types/node -> @typess/node, types-node, @types-node/node
  | 'transposition' // lodash -> lodahs
  | 'edit' // one inserted, deleted or replaced character
  | 'affix' // lodash-js, node-lodash, python-requests
  | 'plural'; // request -> requests (when only one is popular)

export interface SquatHit {
  /** The popular package imitated. */
  target: string;
  /** 1-based popularity rank of the target in the snapshot. */
  targetRank: number;
  technique: SquatTechnique;
  /** Strong: a deliberate-looking trick against a top package (flagged as suspicious). */
  strong: boolean;
}

export interface PopularList {
  ecosystem: Ecosystem;
  /** Names in rank order as shipped. */
  names: string[];
}

const TARGETS: Record<Ecosystem, number> = { npm: 10_000, pypi: 5_000, maven: 5_000 };
const EDIT_TARGETS: Record<Ecosystem, number> = { npm: 5_000, pypi: 3_000, maven: 5_000 };
const STRONG_RANK = 5_000;
const MIN_EDIT_LENGTH = 5;

const PREFIXES: Record<Ecosystem, string[]> = {
  npm: ['node-', 'node', 'js-', 'nodejs-', 'npm-'],
  pypi: ['python-', 'python3-', 'py-', 'py3-', 'pip-'],
  maven: [],
};
const SUFFIXES: Record<Ecosystem, string[]> = {
  npm: ['-js', '.js', 'js', '-node', '-nodejs', '-npm', '-lib', '-dev', '-official', '-cli', '-pkg'],
  pypi: ['-python', '-py', 'py', '-py3', '-lib', '-dev', '-official', '-sdk', '-pkg', '3'],
  maven: [],
};

const REVERSE_SUFFIXES: Record<Ecosystem, string[]> = {
  npm: ['.js', '-js', 'js'],
  pypi: ['3', '-python'],
  maven: [],
};

/** Scopes that act as a namespace (DefinitelyTyped, Babel...): a `@types-x` scope is never theirs. */
const NAMESPACE_SCOPES = new Set([
  'types',
  'babel',
  'typescript-eslint',
  'aws-sdk',
  'octokit',
  'angular',
  'google-cloud',
  'azure',
]);

/** Characters that look alike, folded to one representative. */
function fold(s: string): string {
  return s
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/0/g, 'o')
    .replace(/[1i|]/g, 'l')
    .replace(/5/g, 's');
}

/** Name skeleton: no scope sigils or separators, homoglyphs folded. */
function skeleton(name: string): string {
  return fold(name.replace(/[@/._-]+/g, ''));
}

function withoutSeparators(name: string): string {
  return name.replace(/[@/._-]+/g, '');
}

/** Whether a and b are within one insertion, deletion, substitution or adjacent transposition. */
export function damerauOne(a: string, b: string): 'equal' | 'transposition' | 'edit' | undefined {
  if (a === b) return 'equal';
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return undefined;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return 'edit';
    if (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) return 'transposition';
    return undefined;
  }
  return la > lb
    ? a.slice(i + 1) === b.slice(i)
      ? 'edit'
      : undefined
    : a.slice(i) === b.slice(i + 1)
      ? 'edit'
      : undefined;
}

const scopeOf = (n: string) => (n.startsWith('@') ? n.slice(1, n.indexOf('/')) : undefined);

/** Precomputed lookups over one ecosystem's popular names. */
export class PopularIndex {
  readonly legit = new Set<string>();
  readonly rank = new Map<string, number>();
  private readonly skeletons = new Map<string, string[]>();
  private readonly editBuckets = new Map<string, string[]>();
  private readonly scopes = new Set<string>();

  constructor(readonly list: PopularList) {
    const eco = list.ecosystem;
    list.names.forEach((raw, i) => {
      const n = normalizeName(eco, raw).toLowerCase();
      if (this.rank.has(n)) return;
      this.rank.set(n, i + 1);
      this.legit.add(n);
      const s = scopeOf(n);
      if (s) this.scopes.add(s);
      if (i < TARGETS[eco]) {
        const k = skeleton(n);
        const arr = this.skeletons.get(k);
        if (arr) arr.push(n);
        else this.skeletons.set(k, [n]);
      }
      if (i < EDIT_TARGETS[eco] && n.length >= MIN_EDIT_LENGTH - 1) {
        // one edit keeps either the first or the last character: bucket by length and both ends
        for (const k of [`${n.length}<${n[0]}`, `${n.length}>${n[n.length - 1]}`]) {
          const arr = this.editBuckets.get(k);
          if (arr) arr.push(n);
          else this.editBuckets.set(k, [n]);
        }
      }
    });
  }

  isPopular(name: string): boolean {
    return this.legit.has(normalizeName(this.list.ecosystem, name).toLowerCase());
  }

  private hit(target: string, technique: SquatTechnique): SquatHit {
    const targetRank = this.rank.get(target)!;
    const strong =
      targetRank <= STRONG_RANK && ['homoglyph', 'separator', 'scope', 'transposition'].includes(technique);
    return { target, targetRank, technique, strong };
  }

  /** The popular package a name imitates, if any. Popular names themselves are never flagged. */
  check(name: string): SquatHit | undefined {
    const eco = this.list.ecosystem;
    const n = normalizeName(eco, name).toLowerCase();
    if (this.legit.has(n)) return undefined;
    const ownScope = scopeOf(n);
    // npm scopes and Maven groupIds are owned namespaces: a sibling in the same one is its owner's
    const groupOf = (x: string) => (eco === 'maven' ? x.slice(0, x.indexOf(':')) : undefined);
    const ownGroup = groupOf(n);
    const eligible = (t: string) =>
      t !== n && !(ownScope && scopeOf(t) === ownScope) && !(ownGroup && groupOf(t) === ownGroup);
    const best = (hits: SquatHit[]) =>
      hits.sort((a, b) => Number(b.strong) - Number(a.strong) || a.targetRank - b.targetRank)[0];
    const hits: SquatHit[] = [];
    // 1. same skeleton: separator, scope and homoglyph tricks
    for (const t of this.skeletons.get(skeleton(n)) ?? []) {
      if (!eligible(t)) continue;
      const scoped =
        t.startsWith('@') !== n.startsWith('@') || (scopeOf(t) && ownScope && scopeOf(t) !== ownScope);
      const technique: SquatTechnique = scoped
        ? 'scope'
        : withoutSeparators(t) === withoutSeparators(n)
          ? 'separator'
          : 'homoglyph';
      const hit = this.hit(t, technique);
      // a scoped name matching an unscoped popular one is usually its official successor, not a trick
      if ((scoped && ownScope && !scopeOf(t)) || (technique === 'homoglyph' && n.length < 5))
        hit.strong = false;
      hits.push(hit);
    }
    if (hits.length) return best(hits);
    // 2. scope games: @types-x/y, @typess/y, @babeljs/core
    if (ownScope && !this.scopes.has(ownScope)) {
      const rest = n.slice(n.indexOf('/') + 1);
      for (const s of this.scopes) {
        const bare = withoutSeparators(ownScope);
        const sBare = withoutSeparators(s);
        // a typo of the scope itself (@typess, @babeljs): suspicious whatever the package part
        const typo =
          ownScope === `${s}js` ||
          ownScope === `${s}-js` ||
          (s.length >= 5 && damerauOne(ownScope, s) !== undefined) ||
          (sBare.length >= 6 && bare !== sBare && damerauOne(bare, sBare) !== undefined);
        // an extended scope (@types-x, @typescript_eslinter) only when it copies a package of the real scope
        const extended =
          ownScope.startsWith(`${s}-`) || (sBare.length >= 6 && bare !== sBare && bare.startsWith(sBare));
        if (!typo && !extended) continue;
        const t = `@${s}/${rest}`;
        const sameNameTarget = this.legit.has(t)
          ? t
          : this.list.names.find(
              (x) => scopeOf(x.toLowerCase()) === s && x.toLowerCase().endsWith(`/${rest}`),
            );
        if (sameNameTarget) hits.push(this.hit(sameNameTarget.toLowerCase(), 'scope'));
        else if (typo || (extended && (rest === s || this.rank.has(rest) || NAMESPACE_SCOPES.has(s)))) {
          // the scope imitates a popular scope: report against its most popular package
          const first = this.list.names.find((x) => scopeOf(x.toLowerCase()) === s);
          if (first)
            hits.push({
              ...this.hit(first.toLowerCase(), 'scope'),
              strong: typo && (this.rank.get(first.toLowerCase()) ?? 1e9) <= STRONG_RANK,
            });
        }
      }
      if (hits.length) return best(hits);
    }
    // 3. one edit away (transposition, insertion, deletion, substitution)
    if (n.length >= MIN_EDIT_LENGTH) {
      const seen = new Set<string>();
      const keys: string[] = [];
      for (const len of [n.length - 1, n.length, n.length + 1])
        keys.push(`${len}<${n[0]}`, `${len}>${n[n.length - 1]}`);
      for (const key of keys) {
        for (const t of this.editBuckets.get(key) ?? []) {
          if (seen.has(t) || !eligible(t)) continue;
          seen.add(t);
          const k = damerauOne(n, t);
          if (!k || k === 'equal') continue;
          // a digit suffix (`lib2`, `v3`) is versioning, not a typo
          if (/\d$/.test(n) !== /\d$/.test(t) && withoutDigitsEqual(n, t)) continue;
          hits.push(this.hit(t, k === 'transposition' ? 'transposition' : 'edit'));
        }
      }
      if (hits.length) return best(hits);
    }
    // 4. affixes and plurals
    const candidates: [string, SquatTechnique][] = [];
    for (const p of PREFIXES[eco]) if (n.startsWith(p)) candidates.push([n.slice(p.length), 'affix']);
    for (const s of SUFFIXES[eco]) if (n.endsWith(s)) candidates.push([n.slice(0, -s.length), 'affix']);
    // the reverse: the popular name is this one plus an ecosystem suffix (`urllib` for `urllib3`)
    for (const s of REVERSE_SUFFIXES[eco]) candidates.push([`${n}${s}`, 'affix']);
    if (n.length >= 5) {
      if (n.endsWith('s')) candidates.push([n.slice(0, -1), 'plural']);
      else candidates.push([`${n}s`, 'plural']);
    }
    for (const [t, technique] of candidates) {
      const r = this.rank.get(t);
      if (r !== undefined && r <= TARGETS[eco] && t.length >= 2 && eligible(t))
        hits.push(this.hit(t, technique));
    }
    return best(hits);
  }
}

function withoutDigitsEqual(a: string, b: string): boolean {
  return a.replace(/\d+$/, '') === b.replace(/\d+$/, '');
}

const indexes = new Map<Ecosystem, PopularIndex>();

/** Reads a shipped snapshot (`data/popular/<eco>.txt`: one name a line, `#` comments). */
export function loadPopular(ecosystem: Ecosystem): PopularList {
  const text = readFileSync(dataUrl(`popular/${ecosystem}.txt`), 'utf8');
  return { ecosystem, names: text.split('\n').filter((l) => l && !l.startsWith('#')) };
}

/** The cached index of the shipped snapshot of an ecosystem. */
export function popularIndex(ecosystem: Ecosystem): PopularIndex {
  let idx = indexes.get(ecosystem);
  if (!idx) {
    idx = new PopularIndex(loadPopular(ecosystem));
    indexes.set(ecosystem, idx);
  }
  return idx;
}
