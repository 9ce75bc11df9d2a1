import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Ecosystem } from '../core/types.js';
import { type Campaign, clusterCampaigns, defaultCampaignsDir, loadIndicatorSets } from './campaigns.js';
import type { FeedFollower } from './feeds/follower.js';
import { normalizePypiName } from './feeds/pypi.js';
import type { IndexMetrics } from './metrics.js';
import type { Store } from './store.js';
import { ECOSYSTEMS, type JobQueue } from './types.js';
import { writeZip } from './zip.js';

export interface ApiOptions {
  store: Store;
  queue: JobQueue;
  metrics: IndexMetrics;
  followers?: FeedFollower[];
  campaignsDir?: string;
  /** Folder with the dashboard's static files (default: the repository's `web/`). */
  webDir?: string;
  logger?: boolean;
  /** Called for every route registered (used to check docs/openapi.yaml covers the API). */
  onRoute?: (method: string, url: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const ECO = { type: 'string', enum: [...ECOSYSTEMS] } as const;
const LIMIT = { type: 'integer', minimum: 1, maximum: 500, default: 50 } as const;
const OFFSET = { type: 'integer', minimum: 0, maximum: 100000, default: 0 } as const;
const TIME = { type: 'string', maxLength: 40 } as const;

function parseTime(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) throw new HttpError(400, `${field}: not an ISO date or epoch milliseconds`);
  return t;
}

/** Splits `name/version` (npm scoped names keep their `@scope/`), or a bare name. */
export function splitNameVersion(eco: Ecosystem, rest: string): { name: string; version?: string } {
  const parts = rest.split('/').filter((p) => p !== '');
  if (!parts.length) throw new HttpError(400, 'package name missing');
  const scoped = eco === 'npm' && parts[0]!.startsWith('@');
  const nameLen = scoped ? 2 : 1;
  if (parts.length < nameLen || parts.length > nameLen + 1)
    throw new HttpError(400, 'expected {name} or {name}/{version}');
  const name = parts.slice(0, nameLen).join('/');
  const version = parts[nameLen];
  if (name.length > 300 || (version && version.length > 200))
    throw new HttpError(400, 'name or version too long');
  return { name, version };
}

function webFile(dir: string, name: string): Buffer | undefined {
  try {
    return readFileSync(`${dir}/${name}`);
  } catch {
    return undefined;
  }
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The index's HTTP API (see docs/openapi.yaml) and dashboard. Bad requests get a 4xx with a
 * reason; anything unexpected is a bare 500 `internal error` — no messages or stacks leak.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { store, queue, metrics } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 600 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  if (options.onRoute) {
    const cb = options.onRoute;
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) cb(String(m), r.url);
    });
  }
  const sets = loadIndicatorSets(options.campaignsDir ?? defaultCampaignsDir());
  let campaignCache: { at: number; campaigns: Campaign[] } | undefined;
  async function campaigns(): Promise<Campaign[]> {
    if (campaignCache && Date.now() - campaignCache.at < 15_000) return campaignCache.campaigns;
    const list = clusterCampaigns(await store.clusterInputs(), sets);
    campaignCache = { at: Date.now(), campaigns: list };
    return list;
  }

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (err.validation) {
      return reply.status(400).send({ error: 'bad-request', message: `invalid request: ${err.message}` });
    }
    if (status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ error: status === 404 ? 'not-found' : 'bad-request', message: err.message });
    }
    app.log.error(err);
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send({ error: 'not-found', message: `no such resource: ${req.method} ${req.url.split('?')[0]}` });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  // --- health & metrics -------------------------------------------------------------------
  app.get('/health', async () => {
    const counts = await queue.counts();
    return {
      status: 'ok',
      queue: counts,
      feeds: (options.followers ?? []).map((f) => ({
        feed: f.feed.name,
        polls: f.polls,
        errors: f.errors,
        lastError: f.lastError ? 'poll failed' : null,
      })),
    };
  });
  app.get('/metrics', async (_req, reply) => {
    const counts = await queue.counts();
    for (const [state, n] of Object.entries(counts)) metrics.queueJobs.labels(state).set(n);
    const v = await store.verdictCounts();
    for (const [eco, byVerdict] of Object.entries(v))
      for (const [verdict, n] of Object.entries(byVerdict)) metrics.verdicts.labels(eco, verdict).set(n);
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  // --- verdicts ---------------------------------------------------------------------------
  app.get<{ Params: { ecosystem: Ecosystem; '*': string } }>(
    '/api/v1/packages/:ecosystem/*',
    { schema: { params: { type: 'object', properties: { ecosystem: ECO, '*': { type: 'string' } } } } },
    async (req) => {
      const eco = req.params.ecosystem;
      const split = splitNameVersion(eco, req.params['*']);
      const version = split.version;
      // PyPI names are case- and separator-insensitive; the index keys them PEP 503-normalised.
      const name = eco === 'pypi' ? normalizePypiName(split.name) : split.name;
      if (!version) {
        const versions = await store.versionsOf(eco, name);
        if (!versions.length) throw new HttpError(404, `${eco}/${name}: not in the index`);
        return { ecosystem: eco, name, versions };
      }
      const v = await store.getVerdict(eco, name, version);
      if (!v) {
        const jobs = await store.db.all<Record<string, any>>(
          'SELECT state, attempts, last_error FROM index_jobs WHERE ecosystem = ? AND name = ? AND version = ?',
          [eco, name, version],
        );
        const j = jobs[0];
        if (j)
          return {
            ecosystem: eco,
            name,
            version,
            status: j.state === 'parked' ? 'parked' : 'pending',
            attempts: Number(j.attempts),
            error: j.state === 'parked' ? j.last_error : undefined,
          };
        throw new HttpError(404, `${eco}/${name}@${version}: not in the index`);
      }
      return {
        status: 'scanned',
        ecosystem: v.ecosystem,
        name: v.name,
        version: v.version,
        digest: v.digest,
        verdict: v.verdict,
        score: v.score,
        categories: v.categories,
        reasons: v.reasons,
        iocs: v.iocs,
        publisher: v.publisher,
        publishedAt: v.publishedAt,
        scannedAt: v.scannedAt,
        latencyMs: v.latencyMs,
        findings: v.report.findings,
        stats: v.report.stats,
        errors: v.report.errors.map((e) => ({ code: e.code, message: e.message })),
      };
    },
  );

  app.get<{
    Querystring: { q?: string; ecosystem?: Ecosystem; verdict?: string; limit: number; offset: number };
  }>(
    '/api/v1/search',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            ecosystem: ECO,
            verdict: { type: 'string', enum: ['malicious', 'suspicious', 'clean', 'error'] },
            limit: LIMIT,
            offset: OFFSET,
          },
        },
      },
    },
    async (req) => {
      const { q, ecosystem, verdict, limit, offset } = req.query;
      const res = await store.search({ q: q?.trim() || undefined, ecosystem, verdict, limit, offset });
      return { ...res, limit, offset };
    },
  );

  app.get<{ Querystring: { limit: number; ecosystem?: Ecosystem; include?: string } }>(
    '/api/v1/detections/recent',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: LIMIT,
            ecosystem: ECO,
            include: { type: 'string', enum: ['malicious', 'suspicious'] },
          },
        },
      },
    },
    async (req) => ({
      detections: await store.recentDetections(req.query.limit, {
        ecosystem: req.query.ecosystem,
        includeSuspicious: req.query.include === 'suspicious',
      }),
    }),
  );

  app.get<{
    Querystring: {
      interval: 'day' | 'week' | 'quarter';
      from?: string;
      to?: string;
      ecosystem?: Ecosystem;
      verdict: 'malicious' | 'suspicious';
    };
  }>(
    '/api/v1/stats',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            interval: { type: 'string', enum: ['day', 'week', 'quarter'], default: 'day' },
            from: TIME,
            to: TIME,
            ecosystem: ECO,
            verdict: { type: 'string', enum: ['malicious', 'suspicious'], default: 'malicious' },
          },
        },
      },
    },
    async (req) => {
      const from = parseTime(req.query.from, 'from');
      const to = parseTime(req.query.to, 'to');
      if (from !== undefined && to !== undefined && from >= to)
        throw new HttpError(400, 'from must be before to');
      const res = await store.stats({
        interval: req.query.interval,
        from,
        to,
        ecosystem: req.query.ecosystem,
        verdict: req.query.verdict,
      });
      return { interval: req.query.interval, verdict: req.query.verdict, ...res };
    },
  );

  app.get<{ Querystring: { from?: string } }>(
    '/api/v1/stats/latency',
    { schema: { querystring: { type: 'object', properties: { from: TIME } } } },
    async (req) => store.latency({ from: parseTime(req.query.from, 'from') }),
  );

  app.get<{ Querystring: { kind?: string; q?: string; limit: number; offset: number } }>(
    '/api/v1/iocs',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: ['domain', 'ip', 'url', 'webhook', 'wallet', 'email', 'other'] },
            q: { type: 'string', maxLength: 200 },
            limit: LIMIT,
            offset: OFFSET,
          },
        },
      },
    },
    async (req) => ({ iocs: await store.iocs(req.query) }),
  );

  app.get<{ Querystring: { value: string; limit: number } }>(
    '/api/v1/iocs/packages',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'string', minLength: 1, maxLength: 2000 }, limit: LIMIT },
        },
      },
    },
    async (req) => ({
      value: req.query.value,
      packages: await store.packagesWithIoc(req.query.value, req.query.limit),
    }),
  );

  // --- OSV feed ---------------------------------------------------------------------------
  app.get<{ Querystring: { since?: string; limit: number; include?: string } }>(
    '/api/v1/osv',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            since: TIME,
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
            include: { type: 'string', enum: ['malicious', 'suspicious'] },
          },
        },
      },
    },
    async (req) =>
      store.osvRecords({
        since: parseTime(req.query.since, 'since'),
        limit: req.query.limit,
        includeSuspicious: req.query.include === 'suspicious',
      }),
  );
  app.get<{ Params: { id: string } }>(
    '/api/v1/osv/:id',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^BGL-[A-Z]+-[0-9a-f]{12}(\\.json)?$' } },
        },
      },
    },
    async (req) => {
      const id = req.params.id.replace(/\.json$/, '');
      const rec = await store.osvRecord(id);
      if (!rec) throw new HttpError(404, `${id}: no such advisory`);
      return rec;
    },
  );

  // OSV-Scanner's offline database layout: one all.zip of `<id>.json` records per ecosystem.
  const OSV_ECOS: Record<string, Ecosystem> = { npm: 'npm', PyPI: 'pypi', Maven: 'maven' };
  app.get<{ Params: { ecosystem: string }; Querystring: { include?: string } }>(
    '/api/v1/osv/:ecosystem/all.zip',
    {
      schema: {
        params: {
          type: 'object',
          properties: { ecosystem: { type: 'string', enum: Object.keys(OSV_ECOS) } },
        },
        querystring: {
          type: 'object',
          properties: { include: { type: 'string', enum: ['malicious', 'suspicious'] } },
        },
      },
    },
    async (req, reply) => {
      const eco = OSV_ECOS[req.params.ecosystem]!;
      const records = await store.osvRecords({
        limit: 60_000,
        includeSuspicious: req.query.include === 'suspicious',
        ecosystem: eco,
      });
      const zip = writeZip(
        records.map((r) => ({ name: `${r.id}.json`, data: Buffer.from(JSON.stringify(r)) })),
      );
      reply.type('application/zip').header('content-disposition', 'attachment; filename="all.zip"');
      return zip;
    },
  );

  // --- campaigns, jobs, feeds -------------------------------------------------------------
  app.get('/api/v1/campaigns', async () => ({ campaigns: await campaigns() }));
  app.get<{ Params: { id: string } }>(
    '/api/v1/campaigns/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^C-[0-9a-f]{10}$' } } },
      },
    },
    async (req) => {
      const c = (await campaigns()).find((x) => x.id === req.params.id);
      if (!c) throw new HttpError(404, `${req.params.id}: no such campaign`);
      return c;
    },
  );
  app.get('/api/v1/indicator-sets', async () => ({
    sets: sets.map((s) => ({
      id: s.id,
      version: s.version,
      updated: s.updated,
      name: s.name,
      actor: s.actor,
      references: s.references ?? [],
    })),
  }));
  app.get<{
    Querystring: { state?: 'queued' | 'active' | 'done' | 'parked'; limit: number; offset: number };
  }>(
    '/api/v1/jobs',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string', enum: ['queued', 'active', 'done', 'parked'] },
            limit: LIMIT,
            offset: OFFSET,
          },
        },
      },
    },
    async (req) => ({ counts: await queue.counts(), jobs: await store.jobs(req.query) }),
  );
  app.get('/api/v1/feeds', async () => ({ feeds: await store.feeds() }));

  // --- dashboard --------------------------------------------------------------------------
  const webDir = options.webDir ?? fileURLToPath(new URL('../../web', import.meta.url));
  const assets: Record<string, { type: string; file: string }> = {
    'app.js': { type: 'text/javascript; charset=utf-8', file: 'app.js' },
    'style.css': { type: 'text/css; charset=utf-8', file: 'style.css' },
  };
  const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const html = webFile(webDir, 'index.html');
    if (!html) throw new HttpError(404, 'dashboard not installed');
    reply.header('content-security-policy', CSP).type('text/html; charset=utf-8');
    return html;
  };
  app.get('/', sendIndex);
  app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
    const a = assets[req.params.file];
    const body = a && webFile(webDir, a.file);
    if (!a || !body) throw new HttpError(404, 'no such asset');
    reply.header('content-security-policy', CSP).header('cache-control', 'no-cache').type(a.type);
    return body;
  });
  return app;
}
