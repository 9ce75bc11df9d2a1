import { XMLParser } from 'fast-xml-parser';
import { BeagleError, errorMessage } from '../../core/errors.js';
import { httpGet } from '../../core/http.js';
import type { JobPayload } from '../types.js';
import type { Feed, PollResult } from './types.js';

export interface PypiFeedOptions {
  /** XML-RPC endpoint, e.g. https://pypi.org/pypi */
  xmlrpcUrl: string;
  /** RSS fallbacks, e.g. https://pypi.org/rss/updates.xml and https://pypi.org/rss/packages.xml */
  rssUrls: string[];
  /** Starting point without a stored cursor: `now` or a serial. */
  since: string;
  timeoutMs: number;
  /** Most events handled per poll. */
  batchSize: number;
}

/** PEP 503 normalised project name: how the index keys PyPI jobs and verdicts. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** PyPI changelog actions that mean a version became downloadable (or is about to). */
function announcesRelease(action: string): boolean {
  return action === 'new release' || /^add (?:\S+ )?file /.test(action);
}

export function xmlRpcCall(method: string, params: Array<number | string>): string {
  const p = params
    .map(
      (v) =>
        `<param><value>${typeof v === 'number' ? `<int>${v}</int>` : `<string>${escapeXml(v)}</string>`}</value></param>`,
    )
    .join('');
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${p}</params></methodCall>`;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

type XmlValue = Record<string, any> | string | number;

/** Decodes an XML-RPC `<value>` parsed by fast-xml-parser (arrays, ints, strings, structs). */
export function decodeXmlRpcValue(v: XmlValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object') return v;
  if ('array' in v) {
    const data = v.array?.data;
    const values = data?.value === undefined ? [] : Array.isArray(data.value) ? data.value : [data.value];
    return values.map(decodeXmlRpcValue);
  }
  for (const k of ['int', 'i4', 'i8', 'double']) if (k in v) return Number(v[k]);
  if ('boolean' in v) return String(v.boolean) === '1';
  if ('string' in v) return String(v.string ?? '');
  if ('nil' in v) return null;
  if ('struct' in v) {
    const members =
      v.struct?.member === undefined
        ? []
        : Array.isArray(v.struct.member)
          ? v.struct.member
          : [v.struct.member];
    return Object.fromEntries(members.map((m: any) => [String(m.name), decodeXmlRpcValue(m.value)]));
  }
  if ('#text' in v) return String(v['#text']);
  return '';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'item',
});

/**
 * Follows PyPI's changelog through XML-RPC `changelog_since_serial(serial)`: each event is
 * `[name, version, timestamp, action, serial]` and the cursor is the last serial handled, so a
 * restart resumes exactly. When XML-RPC fails (PyPI has deprecated parts of it) the follower
 * reads the RSS update feeds instead, keeping the serial untouched so XML-RPC resumes without a
 * gap once it answers again; RSS only shows the latest items, so it is a best-effort bridge.
 */
export class PypiFeed implements Feed {
  readonly name = 'pypi';
  /** Last RSS item time handled while on the fallback (in memory; XML-RPC serial is the truth). */
  private rssSince = 0;
  lastSource: 'xmlrpc' | 'rss' | undefined;

  constructor(readonly options: PypiFeedOptions) {}

  private async call(method: string, params: Array<number | string>, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.options.xmlrpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: xmlRpcCall(method, params),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new BeagleError(
        'network',
        `pypi feed: cannot reach ${this.options.xmlrpcUrl} (${errorMessage(err)})`,
      );
    }
    const text = await res.text();
    if (!res.ok) throw new BeagleError('http', `pypi feed: XML-RPC answered HTTP ${res.status}`);
    const doc = parser.parse(text);
    const resp = doc?.methodResponse;
    if (!resp) throw new BeagleError('bad-response', 'pypi feed: not an XML-RPC response');
    if (resp.fault) {
      const fault = decodeXmlRpcValue(resp.fault.value) as { faultString?: string };
      throw new BeagleError('http', `pypi feed: XML-RPC fault: ${fault?.faultString ?? 'unknown'}`);
    }
    return decodeXmlRpcValue(resp.params?.param?.value);
  }

  async poll(cursor: string | undefined, signal?: AbortSignal): Promise<PollResult> {
    try {
      let serial: number;
      if (cursor !== undefined) serial = Number(cursor);
      else if (this.options.since === 'now') {
        serial = Number(await this.call('changelog_last_serial', [], signal));
        this.lastSource = 'xmlrpc';
        return { jobs: [], cursor: String(serial), more: false };
      } else serial = Number(this.options.since);
      if (!Number.isFinite(serial)) throw new BeagleError('bad-response', `pypi feed: bad serial ${cursor}`);
      const events = await this.call('changelog_since_serial', [serial], signal);
      if (!Array.isArray(events))
        throw new BeagleError('bad-response', 'pypi feed: changelog is not an array');
      this.lastSource = 'xmlrpc';
      const batch = events.slice(0, this.options.batchSize);
      const jobs: JobPayload[] = [];
      let last = serial;
      for (const e of batch) {
        if (!Array.isArray(e) || e.length < 5) continue;
        const [name, version, ts, action, s] = e as [string, string | null, number, string, number];
        last = Math.max(last, Number(s));
        if (!name || !version || !announcesRelease(String(action))) continue;
        jobs.push({
          ecosystem: 'pypi',
          name: normalizePypiName(name),
          version,
          feed: 'pypi',
          publishedAt: Number(ts) * 1000,
        });
      }
      return { jobs, cursor: String(last), more: events.length > batch.length };
    } catch (err) {
      if (signal?.aborted || !this.options.rssUrls.length) throw err;
      const jobs = await this.pollRss(signal);
      this.lastSource = 'rss';
      // Keep the XML-RPC serial as the cursor: it resumes from there when it comes back.
      return {
        jobs,
        cursor: cursor ?? (this.options.since === 'now' ? '' : this.options.since),
        more: false,
      };
    }
  }

  /** Reads the RSS feeds: items link to https://pypi.org/project/NAME/VERSION/. */
  async pollRss(signal?: AbortSignal): Promise<JobPayload[]> {
    const jobs: JobPayload[] = [];
    let newest = this.rssSince;
    for (const url of this.options.rssUrls) {
      const body = await httpGet(url, {
        timeoutMs: this.options.timeoutMs,
        label: 'pypi rss',
        signal,
        maxBytes: 16 * 1024 * 1024,
      });
      const doc = parser.parse(body.toString('utf8'));
      const items: any[] = doc?.rss?.channel?.item ?? [];
      for (const item of items) {
        const link = String(item.link ?? '');
        const m = /\/project\/([^/]+)\/([^/]+)\/?$/.exec(link);
        const t = Date.parse(String(item.pubDate ?? ''));
        if (!m || Number.isNaN(t) || t < this.rssSince) continue;
        newest = Math.max(newest, t);
        jobs.push({
          ecosystem: 'pypi',
          name: normalizePypiName(decodeURIComponent(m[1]!)),
          version: decodeURIComponent(m[2]!),
          feed: 'pypi-rss',
          publishedAt: t,
        });
      }
    }
    this.rssSince = newest;
    return jobs;
  }
}
