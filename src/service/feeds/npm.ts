import { BeagleError } from '../../core/errors.js';
import { httpGetJson } from '../../core/http.js';
import { type Packument, packumentUrl } from '../../ecosystems/npm/registry.js';
import type { JobPayload } from '../types.js';
import type { Feed, PollResult } from './types.js';

export interface NpmFeedOptions {
  /** CouchDB `_changes` endpoint, e.g. https://replicate.npmjs.com/registry/_changes */
  changesUrl: string;
  /** Registry for packuments, e.g. https://registry.npmjs.org/ */
  registry: string;
  /** Starting point when no cursor is stored: `now` (only new activity) or a sequence. */
  since: string;
  batchSize: number;
  /** Only versions published this recently (relative to the poll) are enqueued (ms). */
  lookbackMs: number;
  maxVersionsPerChange: number;
  timeoutMs: number;
  /** Parallel packument fetches. */
  fetchConcurrency?: number;
}

interface ChangesResponse {
  results?: Array<{ seq: unknown; id: string; deleted?: boolean; changes?: Array<{ rev: string }> }>;
  last_seq?: unknown;
  pending?: number;
}

function seqParam(seq: unknown): string {
  return typeof seq === 'string' ? seq : JSON.stringify(seq);
}

async function mapLimit<T, U>(items: T[], limit: number, fn: (t: T) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * Follows npm's CouchDB-style replication feed (`_changes?since=SEQ&limit=N`). A change names a
 * package document, not a version, so the follower reads the packument and enqueues the
 * versions published within the look-back window (already-known versions dedupe in the queue).
 * The cursor is the `last_seq` of the batch, persisted after its jobs are enqueued.
 */
export class NpmFeed implements Feed {
  readonly name = 'npm';
  constructor(readonly options: NpmFeedOptions) {}

  private url(since: string, extra = ''): string {
    const u = new URL(this.options.changesUrl);
    u.searchParams.set('since', since);
    u.searchParams.set('limit', String(this.options.batchSize));
    if (extra) for (const [k, v] of new URLSearchParams(extra)) u.searchParams.set(k, v);
    return u.toString();
  }

  async poll(cursor: string | undefined, signal?: AbortSignal): Promise<PollResult> {
    const since = cursor ?? this.options.since;
    const res = await httpGetJson<ChangesResponse>(this.url(since), {
      timeoutMs: this.options.timeoutMs,
      label: 'npm feed',
      signal,
      headers: { accept: 'application/json' },
      maxBytes: 64 * 1024 * 1024,
    });
    if (!res || !Array.isArray(res.results) || res.last_seq === undefined) {
      throw new BeagleError('bad-response', 'npm feed: _changes answer has no results/last_seq');
    }
    const ids = [
      ...new Set(
        res.results.filter((r) => !r.deleted && r.id && !r.id.startsWith('_design/')).map((r) => r.id),
      ),
    ];
    const now = Date.now();
    const perPackage = await mapLimit(ids, this.options.fetchConcurrency ?? 8, (id) =>
      this.versionsOf(id, now, signal),
    );
    const jobs = perPackage.flat();
    return {
      jobs,
      cursor: seqParam(res.last_seq),
      more: res.results.length >= this.options.batchSize || (res.pending ?? 0) > 0,
    };
  }

  private async versionsOf(name: string, now: number, signal?: AbortSignal): Promise<JobPayload[]> {
    let doc: Packument;
    try {
      doc = await httpGetJson<Packument>(packumentUrl(this.options.registry, name), {
        timeoutMs: this.options.timeoutMs,
        label: `npm feed: ${name}`,
        signal,
        headers: { accept: 'application/json' },
        maxBytes: 200 * 1024 * 1024,
      });
    } catch (err) {
      // Unpublished since the change: nothing to scan. Anything else must not skip the change.
      if (err instanceof BeagleError && err.code === 'not-found') return [];
      throw err;
    }
    const times = doc.time ?? {};
    const versions = Object.keys(doc.versions ?? {})
      .map((v) => ({ v, t: Date.parse(times[v] ?? '') }))
      .filter((x) => !Number.isNaN(x.t) && now - x.t <= this.options.lookbackMs)
      .sort((a, b) => b.t - a.t)
      .slice(0, this.options.maxVersionsPerChange);
    return versions.map((x) => ({
      ecosystem: 'npm',
      name: doc.name ?? name,
      version: x.v,
      feed: 'npm',
      publishedAt: x.t,
    }));
  }
}
