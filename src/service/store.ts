import type { Category, Ecosystem, ScanReport } from '../core/types.js';
import { advisoryId, type OsvRecord, reportToOsv } from '../report/osv.js';
import type { SqlDb } from './db.js';
import { iocKind } from './iocs.js';
import type {
  JobPayload,
  JobRow,
  JobState,
  ScanResult,
  StatsBucket,
  StatsInterval,
  VerdictDetail,
  VerdictSummary,
} from './types.js';

type R = Record<string, any>;

function summary(r: R): VerdictSummary {
  return {
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    digest: r.digest,
    verdict: r.verdict,
    score: Number(r.score),
    categories: JSON.parse(r.categories),
    publisher: r.publisher ?? null,
    publishedAt: r.published_at ?? null,
    scannedAt: Number(r.scanned_at),
    latencyMs: r.latency_ms ?? null,
  };
}

const SUMMARY_COLS =
  'id, ecosystem, name, version, digest, verdict, score, categories, publisher, published_at, scanned_at, latency_ms';

/** Start of the bucket that holds `ms`, as a label: `2026-11-26`, `2026-W48`, `2026-Q4`. */
export function periodLabel(ms: number, interval: StatsInterval): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (interval === 'day') return d.toISOString().slice(0, 10);
  if (interval === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  // ISO week
  const t = new Date(Date.UTC(y, d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export interface SearchQuery {
  q?: string;
  ecosystem?: Ecosystem;
  verdict?: string;
  limit: number;
  offset: number;
}

export interface ClusterInput {
  id: number;
  ecosystem: Ecosystem;
  name: string;
  version: string;
  verdict: string;
  score: number;
  categories: Category[];
  publisher: string | null;
  scannedAt: number;
  latencyMs: number | null;
  iocs: string[];
  tlsh: Array<{ file: string; tlsh: string }>;
}

/**
 * The index's persistent state over SQLite or PostgreSQL (same logical schema, see
 * migrations.ts). Every write that must not half-happen runs in one transaction.
 */
export class Store {
  constructor(readonly db: SqlDb) {}

  /**
   * Stores a scan result and marks its job done. Idempotent: a second result for the same
   * ecosystem/name/version/digest (a retried job whose first run was cut short) inserts nothing.
   */
  async saveResult(
    payload: JobPayload,
    enqueuedAt: number | undefined,
    result: ScanResult,
    scannedAt = Date.now(),
  ): Promise<{ inserted: boolean }> {
    const { report } = result;
    const published = payload.publishedAt ?? publishedFromReport(report);
    const latency = published !== undefined ? Math.max(0, scannedAt - published) : null;
    return this.db.tx(async (tx) => {
      const ins = await tx.run(
        `INSERT INTO verdicts (ecosystem, name, version, digest, verdict, score, categories, reasons, publisher,
           report, published_at, enqueued_at, scanned_at, scan_ms, latency_ms, advisory_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ecosystem, name, version, digest) DO NOTHING RETURNING id`,
        [
          payload.ecosystem,
          payload.name,
          payload.version,
          result.digest,
          report.verdict,
          report.score,
          JSON.stringify(report.categories),
          JSON.stringify(report.reasons),
          result.publisher ?? null,
          JSON.stringify(report),
          published ?? null,
          enqueuedAt ?? null,
          scannedAt,
          report.stats.durationMs,
          latency,
          report.verdict === 'malicious' || report.verdict === 'suspicious'
            ? advisoryId(payload.ecosystem, payload.name, payload.version)
            : null,
        ],
      );
      const id = ins.rows[0]?.id as number | undefined;
      if (id !== undefined) {
        for (const c of new Set(report.categories)) {
          await tx.run(
            'INSERT INTO verdict_categories (verdict_id, category) VALUES (?, ?) ON CONFLICT DO NOTHING',
            [id, c],
          );
        }
        const iocs = new Set(report.findings.filter((f) => !f.suppressed).flatMap((f) => f.iocs ?? []));
        for (const v of iocs) {
          await tx.run('INSERT INTO iocs (verdict_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
            id,
            iocKind(v),
            v.slice(0, 2000),
          ]);
        }
        for (const h of result.payloadHashes) {
          await tx.run(
            'INSERT INTO payload_hashes (verdict_id, file, tlsh) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
            [id, h.file, h.tlsh],
          );
        }
      }
      await tx.run(
        `UPDATE index_jobs SET state = 'done', finished_at = ?, lease_until = NULL, last_error = NULL
         WHERE ecosystem = ? AND name = ? AND version = ?`,
        [scannedAt, payload.ecosystem, payload.name, payload.version],
      );
      return { inserted: id !== undefined };
    });
  }

  async getVerdict(ecosystem: Ecosystem, name: string, version: string): Promise<VerdictDetail | undefined> {
    const rows = await this.db.all<R>(
      `SELECT * FROM verdicts WHERE ecosystem = ? AND name = ? AND version = ? ORDER BY scanned_at DESC, id DESC LIMIT 1`,
      [ecosystem, name, version],
    );
    const r = rows[0];
    if (!r) return undefined;
    const iocs = await this.db.all<R>('SELECT value FROM iocs WHERE verdict_id = ? ORDER BY value', [r.id]);
    return {
      ...summary(r),
      reasons: JSON.parse(r.reasons),
      report: JSON.parse(r.report) as ScanReport,
      iocs: iocs.map((i) => i.value),
      scanMs: Number(r.scan_ms),
    };
  }

  /** Versions of a package the index has verdicts for, newest scan first. */
  async versionsOf(ecosystem: Ecosystem, name: string, limit = 50): Promise<VerdictSummary[]> {
    const rows = await this.db.all<R>(
      `SELECT ${SUMMARY_COLS} FROM verdicts WHERE ecosystem = ? AND name = ? ORDER BY scanned_at DESC LIMIT ?`,
      [ecosystem, name, limit],
    );
    return rows.map(summary);
  }

  async search(query: SearchQuery): Promise<{ total: number; results: VerdictSummary[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.q) {
      where.push('LOWER(name) LIKE ?');
      params.push(`%${query.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
    }
    const esc = query.q ? " ESCAPE '\\'" : '';
    if (esc) where[0] += esc;
    if (query.ecosystem) {
      where.push('ecosystem = ?');
      params.push(query.ecosystem);
    }
    if (query.verdict) {
      where.push('verdict = ?');
      params.push(query.verdict);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.all<R>(`SELECT COUNT(*) AS n FROM verdicts ${w}`, params);
    const rows = await this.db.all<R>(
      `SELECT ${SUMMARY_COLS} FROM verdicts ${w} ORDER BY
         CASE verdict WHEN 'malicious' THEN 0 WHEN 'suspicious' THEN 1 ELSE 2 END, scanned_at DESC, id DESC
       LIMIT ? OFFSET ?`,
      [...params, query.limit, query.offset],
    );
    return { total: Number(total[0]?.n ?? 0), results: rows.map(summary) };
  }

  /** Latest malicious (and optionally suspicious) detections. */
  async recentDetections(
    limit: number,
    opts: { ecosystem?: Ecosystem; includeSuspicious?: boolean } = {},
  ): Promise<VerdictSummary[]> {
    const verdicts = opts.includeSuspicious ? ['malicious', 'suspicious'] : ['malicious'];
    const params: unknown[] = [...verdicts];
    let w = `verdict IN (${verdicts.map(() => '?').join(', ')})`;
    if (opts.ecosystem) {
      w += ' AND ecosystem = ?';
      params.push(opts.ecosystem);
    }
    const rows = await this.db.all<R>(
      `SELECT ${SUMMARY_COLS} FROM verdicts WHERE ${w} ORDER BY scanned_at DESC, id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map(summary);
  }

  /** Detections per period x ecosystem x category (a detection counts once per category). */
  async stats(opts: {
    interval: StatsInterval;
    from?: number;
    to?: number;
    ecosystem?: Ecosystem;
    verdict: 'malicious' | 'suspicious';
  }): Promise<{
    buckets: StatsBucket[];
    series: Array<{ period: string; ecosystem: Ecosystem; count: number }>;
    totals: Record<string, number>;
  }> {
    const params: unknown[] = [opts.verdict];
    let w = 'v.verdict = ?';
    if (opts.from !== undefined) {
      w += ' AND v.scanned_at >= ?';
      params.push(opts.from);
    }
    if (opts.to !== undefined) {
      w += ' AND v.scanned_at < ?';
      params.push(opts.to);
    }
    if (opts.ecosystem) {
      w += ' AND v.ecosystem = ?';
      params.push(opts.ecosystem);
    }
    // Group by UTC day in SQL (integer division works in both dialects), roll up in JS.
    const rows = await this.db.all<R>(
      `SELECT v.ecosystem AS ecosystem, COALESCE(c.category, 'uncategorised') AS category,
              (v.scanned_at / 86400000) AS day, COUNT(*) AS n
       FROM verdicts v LEFT JOIN verdict_categories c ON c.verdict_id = v.id
       WHERE ${w} GROUP BY v.ecosystem, c.category, (v.scanned_at / 86400000)`,
      params,
    );
    const dayRows = await this.db.all<R>(
      `SELECT v.ecosystem AS ecosystem, (v.scanned_at / 86400000) AS day, COUNT(*) AS n
       FROM verdicts v WHERE ${w} GROUP BY v.ecosystem, (v.scanned_at / 86400000)`,
      params,
    );
    const seriesMap = new Map<string, { period: string; ecosystem: Ecosystem; count: number }>();
    for (const r of dayRows) {
      const period = periodLabel(Math.floor(Number(r.day)) * 86_400_000, opts.interval);
      const key = `${period}\0${r.ecosystem}`;
      const b = seriesMap.get(key) ?? { period, ecosystem: r.ecosystem, count: 0 };
      b.count += Number(r.n);
      seriesMap.set(key, b);
    }
    const series = [...seriesMap.values()].sort(
      (a, b) => a.period.localeCompare(b.period) || a.ecosystem.localeCompare(b.ecosystem),
    );
    const totalsRows = await this.db.all<R>(
      `SELECT v.ecosystem AS ecosystem, COUNT(*) AS n FROM verdicts v WHERE ${w} GROUP BY v.ecosystem`,
      params,
    );
    const map = new Map<string, StatsBucket>();
    for (const r of rows) {
      const period = periodLabel(Math.floor(Number(r.day)) * 86_400_000, opts.interval);
      const key = `${period}\0${r.ecosystem}\0${r.category}`;
      const b = map.get(key) ?? { period, ecosystem: r.ecosystem, category: r.category, count: 0 };
      b.count += Number(r.n);
      map.set(key, b);
    }
    const buckets = [...map.values()].sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        a.ecosystem.localeCompare(b.ecosystem) ||
        a.category.localeCompare(b.category),
    );
    const totals: Record<string, number> = {};
    for (const r of totalsRows) totals[r.ecosystem] = Number(r.n);
    return { buckets, series, totals };
  }

  /** Detection latency (publish -> stored verdict) percentiles per ecosystem and per day. */
  async latency(opts: { from?: number } = {}): Promise<{
    overall: Record<string, { count: number; p50: number; p95: number; max: number }>;
    daily: Array<{ day: string; ecosystem: string; p50: number; count: number }>;
  }> {
    const params: unknown[] = [];
    let w = 'latency_ms IS NOT NULL';
    if (opts.from !== undefined) {
      w += ' AND scanned_at >= ?';
      params.push(opts.from);
    }
    const rows = await this.db.all<R>(
      `SELECT ecosystem, latency_ms, scanned_at FROM verdicts WHERE ${w} ORDER BY scanned_at DESC LIMIT 20000`,
      params,
    );
    const pct = (xs: number[], p: number) =>
      xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))] ?? 0;
    const byEco = new Map<string, number[]>();
    const byDay = new Map<string, number[]>();
    for (const r of rows) {
      const l = Number(r.latency_ms);
      (byEco.get(r.ecosystem) ?? byEco.set(r.ecosystem, []).get(r.ecosystem)!).push(l);
      const k = `${periodLabel(Number(r.scanned_at), 'day')}\0${r.ecosystem}`;
      (byDay.get(k) ?? byDay.set(k, []).get(k)!).push(l);
    }
    const overall: Record<string, { count: number; p50: number; p95: number; max: number }> = {};
    for (const [eco, xs] of byEco) {
      xs.sort((a, b) => a - b);
      overall[eco] = { count: xs.length, p50: pct(xs, 0.5), p95: pct(xs, 0.95), max: xs[xs.length - 1] ?? 0 };
    }
    const daily = [...byDay.entries()]
      .map(([k, xs]) => {
        xs.sort((a, b) => a - b);
        const [day, ecosystem] = k.split('\0') as [string, string];
        return { day, ecosystem, p50: pct(xs, 0.5), count: xs.length };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || a.ecosystem.localeCompare(b.ecosystem));
    return { overall, daily };
  }

  /** IOCs seen in malicious/suspicious verdicts, with how many package versions carry them. */
  async iocs(opts: {
    kind?: string;
    q?: string;
    limit: number;
    offset: number;
  }): Promise<Array<{ value: string; kind: string; packages: number; firstSeen: number; lastSeen: number }>> {
    const params: unknown[] = [];
    let w = "v.verdict IN ('malicious', 'suspicious')";
    if (opts.kind) {
      w += ' AND i.kind = ?';
      params.push(opts.kind);
    }
    if (opts.q) {
      w += ' AND i.value LIKE ?';
      params.push(`%${opts.q}%`);
    }
    const rows = await this.db.all<R>(
      `SELECT i.value AS value, i.kind AS kind, COUNT(DISTINCT v.id) AS packages,
              MIN(v.scanned_at) AS first_seen, MAX(v.scanned_at) AS last_seen
       FROM iocs i JOIN verdicts v ON v.id = i.verdict_id WHERE ${w}
       GROUP BY i.value, i.kind ORDER BY COUNT(DISTINCT v.id) DESC, i.value LIMIT ? OFFSET ?`,
      [...params, opts.limit, opts.offset],
    );
    return rows.map((r) => ({
      value: r.value,
      kind: r.kind,
      packages: Number(r.packages),
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
    }));
  }

  /** Package versions carrying one IOC. */
  async packagesWithIoc(value: string, limit = 100): Promise<VerdictSummary[]> {
    const rows = await this.db.all<R>(
      `SELECT ${SUMMARY_COLS.split(', ')
        .map((c) => `v.${c}`)
        .join(', ')} FROM verdicts v JOIN iocs i ON i.verdict_id = v.id
       WHERE i.value = ? ORDER BY v.scanned_at DESC LIMIT ?`,
      [value, limit],
    );
    return rows.map(summary);
  }

  /** OSV records for malicious detections (optionally suspicious too), newest first. */
  async osvRecords(opts: {
    since?: number;
    limit: number;
    includeSuspicious?: boolean;
    ecosystem?: Ecosystem;
  }): Promise<OsvRecord[]> {
    const verdicts = opts.includeSuspicious ? ['malicious', 'suspicious'] : ['malicious'];
    const params: unknown[] = [...verdicts];
    let w = `verdict IN (${verdicts.map(() => '?').join(', ')})`;
    if (opts.ecosystem) {
      w += ' AND ecosystem = ?';
      params.push(opts.ecosystem);
    }
    if (opts.since !== undefined) {
      w += ' AND scanned_at >= ?';
      params.push(opts.since);
    }
    const rows = await this.db.all<R>(
      `SELECT report, scanned_at FROM verdicts WHERE ${w} ORDER BY scanned_at DESC, id DESC LIMIT ?`,
      [...params, opts.limit],
    );
    const out: OsvRecord[] = [];
    for (const r of rows) {
      const rec = reportToOsv(JSON.parse(r.report) as ScanReport, new Date(Number(r.scanned_at)));
      if (rec) out.push(rec);
    }
    return out;
  }

  /** The OSV record of one advisory id (`BGL-NPM-…`), if that version was flagged. */
  async osvRecord(id: string): Promise<OsvRecord | undefined> {
    const rows = await this.db.all<R>(
      `SELECT report, scanned_at FROM verdicts WHERE advisory_id = ? ORDER BY scanned_at DESC, id DESC LIMIT 1`,
      [id],
    );
    const r = rows[0];
    return r ? reportToOsv(JSON.parse(r.report) as ScanReport, new Date(Number(r.scanned_at))) : undefined;
  }

  /** Detections with their IOCs and payload hashes, for campaign clustering. */
  async clusterInputs(limit = 5000): Promise<ClusterInput[]> {
    const rows = await this.db.all<R>(
      `SELECT ${SUMMARY_COLS} FROM verdicts WHERE verdict IN ('malicious', 'suspicious')
       ORDER BY scanned_at DESC LIMIT ?`,
      [limit],
    );
    if (!rows.length) return [];
    const ids = rows.map((r) => Number(r.id));
    const byId = new Map<number, ClusterInput>();
    for (const r of rows) {
      byId.set(Number(r.id), {
        id: Number(r.id),
        ecosystem: r.ecosystem,
        name: r.name,
        version: r.version,
        verdict: r.verdict,
        score: Number(r.score),
        categories: JSON.parse(r.categories),
        publisher: r.publisher ?? null,
        scannedAt: Number(r.scanned_at),
        latencyMs: r.latency_ms ?? null,
        iocs: [],
        tlsh: [],
      });
    }
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const marks = chunk.map(() => '?').join(', ');
      for (const r of await this.db.all<R>(
        `SELECT verdict_id, value FROM iocs WHERE verdict_id IN (${marks})`,
        chunk,
      ))
        byId.get(Number(r.verdict_id))?.iocs.push(r.value);
      for (const r of await this.db.all<R>(
        `SELECT verdict_id, file, tlsh FROM payload_hashes WHERE verdict_id IN (${marks})`,
        chunk,
      ))
        byId.get(Number(r.verdict_id))?.tlsh.push({ file: r.file, tlsh: r.tlsh });
    }
    return [...byId.values()];
  }

  async verdictCounts(): Promise<Record<string, Record<string, number>>> {
    const rows = await this.db.all<R>(
      'SELECT ecosystem, verdict, COUNT(*) AS n FROM verdicts GROUP BY ecosystem, verdict',
    );
    const out: Record<string, Record<string, number>> = {};
    for (const r of rows) (out[r.ecosystem] ??= {})[r.verdict] = Number(r.n);
    return out;
  }

  async countVerdictRows(): Promise<number> {
    return Number((await this.db.all<R>('SELECT COUNT(*) AS n FROM verdicts'))[0]?.n ?? 0);
  }

  async jobs(opts: { state?: JobState; limit: number; offset: number }): Promise<JobRow[]> {
    const params: unknown[] = [];
    let w = '';
    if (opts.state) {
      w = 'WHERE state = ?';
      params.push(opts.state);
    }
    const rows = await this.db.all<R>(
      `SELECT * FROM index_jobs ${w} ORDER BY enqueued_at DESC, id DESC LIMIT ? OFFSET ?`,
      [...params, opts.limit, opts.offset],
    );
    return rows.map((r) => ({
      ecosystem: r.ecosystem,
      name: r.name,
      version: r.version,
      feed: r.feed,
      state: r.state,
      attempts: Number(r.attempts),
      lastError: r.last_error ?? null,
      publishedAt: r.published_at ?? null,
      enqueuedAt: Number(r.enqueued_at),
      finishedAt: r.finished_at ?? null,
    }));
  }

  async getCursor(feed: string): Promise<string | undefined> {
    const rows = await this.db.all<R>('SELECT cursor FROM feed_state WHERE feed = ?', [feed]);
    return rows[0]?.cursor;
  }

  async setCursor(feed: string, cursor: string, tx: SqlDb = this.db): Promise<void> {
    await tx.run(
      `INSERT INTO feed_state (feed, cursor, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      [feed, cursor, Date.now()],
    );
  }

  async feeds(): Promise<Array<{ feed: string; cursor: string; updatedAt: number }>> {
    const rows = await this.db.all<R>('SELECT feed, cursor, updated_at FROM feed_state ORDER BY feed');
    return rows.map((r) => ({ feed: r.feed, cursor: r.cursor, updatedAt: Number(r.updated_at) }));
  }
}

function publishedFromReport(report: ScanReport): number | undefined {
  const p = report.package?.source.registry?.publishedAt;
  if (typeof p !== 'string') return undefined;
  const t = Date.parse(p);
  return Number.isNaN(t) ? undefined : t;
}
