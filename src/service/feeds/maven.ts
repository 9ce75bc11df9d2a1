import { BeagleError } from '../../core/errors.js';
import { httpGetJson } from '../../core/http.js';
import type { JobPayload } from '../types.js';
import type { Feed, PollResult } from './types.js';

export interface MavenFeedOptions {
  /** Maven Central search (Solr) endpoint, e.g. https://search.maven.org/solrsearch/select */
  searchUrl: string;
  /** Starting point without a stored cursor: `now` or an epoch-ms timestamp. */
  since: string;
  rows: number;
  maxPages: number;
  timeoutMs: number;
}

interface SolrResponse {
  response?: {
    numFound?: number;
    start?: number;
    docs?: Array<{ id?: string; g?: string; a?: string; v?: string; timestamp?: number }>;
  };
}

/** Cursor: newest artifact timestamp handled, plus the ids seen at exactly that timestamp. */
interface MavenCursor {
  ts: number;
  ids: string[];
}

/**
 * Follows Maven Central's listing of newly indexed artifacts (search.maven.org `core=gav`,
 * newest first, `timestamp` in ms): pages back until it reaches the stored timestamp. Job names
 * are `groupId:artifactId`.
 */
export class MavenFeed implements Feed {
  readonly name = 'maven';
  constructor(readonly options: MavenFeedOptions) {}

  private url(start: number): string {
    const u = new URL(this.options.searchUrl);
    u.searchParams.set('q', '*:*');
    u.searchParams.set('core', 'gav');
    u.searchParams.set('sort', 'timestamp desc');
    u.searchParams.set('rows', String(this.options.rows));
    u.searchParams.set('start', String(start));
    u.searchParams.set('wt', 'json');
    return u.toString();
  }

  async poll(cursor: string | undefined, signal?: AbortSignal): Promise<PollResult> {
    let state: MavenCursor;
    if (cursor) state = JSON.parse(cursor) as MavenCursor;
    else if (this.options.since === 'now') state = { ts: Number.POSITIVE_INFINITY, ids: [] };
    else state = { ts: Number(this.options.since), ids: [] };
    const seen = new Set(state.ids);
    const found: Array<JobPayload & { publishedAt: number }> = [];
    let reached = false;
    let page = 0;
    for (; page < this.options.maxPages && !reached; page++) {
      const res = await httpGetJson<SolrResponse>(this.url(page * this.options.rows), {
        timeoutMs: this.options.timeoutMs,
        label: 'maven feed',
        signal,
        headers: { accept: 'application/json' },
        maxBytes: 32 * 1024 * 1024,
      });
      const docs = res?.response?.docs;
      if (!Array.isArray(docs))
        throw new BeagleError('bad-response', 'maven feed: listing has no response.docs');
      for (const d of docs) {
        const ts = Number(d.timestamp);
        if (!d.g || !d.a || !d.v || !Number.isFinite(ts)) continue;
        if (!Number.isFinite(state.ts)) {
          // First run with since=now: remember the head, enqueue nothing.
          return { jobs: [], cursor: JSON.stringify({ ts, ids: [`${d.g}:${d.a}:${d.v}`] }), more: false };
        }
        const id = `${d.g}:${d.a}:${d.v}`;
        if (ts < state.ts) {
          reached = true;
          break;
        }
        if (ts === state.ts && seen.has(id)) continue;
        found.push({
          ecosystem: 'maven',
          name: `${d.g}:${d.a}`,
          version: d.v,
          feed: 'maven',
          publishedAt: ts,
        });
      }
      if (docs.length < this.options.rows) break;
    }
    if (!Number.isFinite(state.ts))
      return { jobs: [], cursor: JSON.stringify({ ts: 0, ids: [] }), more: false };
    if (!found.length) return { jobs: [], cursor: JSON.stringify(state), more: false };
    const newest = Math.max(...found.map((f) => f.publishedAt));
    const ids = found.filter((f) => f.publishedAt === newest).map((f) => `${f.name}:${f.version}`);
    if (newest === state.ts) ids.push(...state.ids);
    found.reverse();
    return { jobs: found, cursor: JSON.stringify({ ts: newest, ids }), more: false };
  }
}
