import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BeagleError, errorMessage } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import { normalizeName } from './normalize.js';
import type { Advisory } from './osv.js';
import { defaultDbPath } from './paths.js';
import { inRange, type OsvRange } from './versions.js';

const SCHEMA_VERSION = 1;

/** A known-malware advisory that matches a package version. */
export interface IntelMatch {
  id: string;
  summary: string;
  details: string;
  aliases: string[];
  sources: string[];
  references: string[];
  iocs: string[];
  published?: string;
  modified: string;
  /** The advisory's affected package name as published. */
  name: string;
  /** How the version matched: every version, the explicit list, or a range. */
  matchedBy: 'all-versions' | 'versions' | 'range';
}

export interface SourceStatus {
  name: string;
  location: string;
  updatedAt: string;
  records: number;
}

export interface StoreStatus {
  path: string;
  advisories: number;
  packages: Record<Ecosystem, number>;
  sources: SourceStatus[];
  /** ISO time of the most recent successful update of any source. */
  lastUpdate?: string;
  verdicts: number;
}

interface AffectedDbRow {
  advisory_id: string;
  name: string;
  all_versions: number;
  versions: string;
  ranges: string;
  summary: string;
  details: string;
  aliases: string;
  sources: string;
  refs: string;
  iocs: string;
  published: string | null;
  modified: string;
}

/**
 * The embedded known-malware database (SQLite, WAL): advisories, their affected packages keyed
 * by ecosystem and normalised name, source bookkeeping, and the `--deep` verdict cache.
 */
export class IntelStore {
  readonly db: Database.Database;
  private readonly lookupStmt: Database.Statement;

  private constructor(
    readonly file: string,
    readonly readonly: boolean,
  ) {
    try {
      if (!readonly) mkdirSync(path.dirname(file), { recursive: true });
      this.db = new Database(file, { readonly, fileMustExist: readonly });
    } catch (err) {
      throw new BeagleError('intel-db', `cannot open the intel database "${file}": ${errorMessage(err)}`);
    }
    if (!readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.migrate();
    } else {
      const v = this.db.pragma('user_version', { simple: true });
      if (v !== SCHEMA_VERSION) {
        throw new BeagleError(
          'intel-db',
          `intel database "${file}" has schema ${v}, expected ${SCHEMA_VERSION}; run \`beagle db update\``,
        );
      }
    }
    this.lookupStmt = this.db.prepare(
      `SELECT a.advisory_id, a.name, a.all_versions, a.versions, a.ranges,
              d.summary, d.details, d.aliases, d.sources, d.refs, d.iocs, d.published, d.modified
         FROM affected a JOIN advisories d ON d.id = a.advisory_id
        WHERE a.ecosystem = ? AND a.norm = ?`,
    );
  }

  /** Opens (creating when needed) the database; `readonly` refuses to create it. */
  static open(file: string = defaultDbPath(), options: { readonly?: boolean } = {}): IntelStore {
    return new IntelStore(file, options.readonly ?? false);
  }

  private migrate(): void {
    const v = this.db.pragma('user_version', { simple: true }) as number;
    if (v === SCHEMA_VERSION) return;
    if (v !== 0) {
      this.db.exec(
        'DROP TABLE IF EXISTS affected; DROP TABLE IF EXISTS advisories; DROP TABLE IF EXISTS sources;',
      );
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS advisories (
        id TEXT PRIMARY KEY, modified TEXT NOT NULL, published TEXT, summary TEXT NOT NULL, details TEXT NOT NULL,
        aliases TEXT NOT NULL, sources TEXT NOT NULL, refs TEXT NOT NULL, iocs TEXT NOT NULL, origin TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS affected (
        advisory_id TEXT NOT NULL REFERENCES advisories(id) ON DELETE CASCADE, ecosystem TEXT NOT NULL,
        name TEXT NOT NULL, norm TEXT NOT NULL, all_versions INTEGER NOT NULL, versions TEXT NOT NULL, ranges TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS affected_lookup ON affected(ecosystem, norm);
      CREATE INDEX IF NOT EXISTS affected_advisory ON affected(advisory_id);
      CREATE TABLE IF NOT EXISTS sources (
        name TEXT PRIMARY KEY, location TEXT NOT NULL, updated_at TEXT NOT NULL, records INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, report TEXT NOT NULL, created_at TEXT NOT NULL);
    `);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  /** Upserts advisories in one transaction; newer `modified` wins, withdrawn records are removed. */
  importAdvisories(advisories: Iterable<Advisory>, origin: string): { imported: number; removed: number } {
    const getMod = this.db.prepare('SELECT modified FROM advisories WHERE id = ?');
    const del = this.db.prepare('DELETE FROM advisories WHERE id = ?');
    const delAff = this.db.prepare('DELETE FROM affected WHERE advisory_id = ?');
    const ins = this.db.prepare(
      `INSERT INTO advisories (id, modified, published, summary, details, aliases, sources, refs, iocs, origin)
       VALUES (@id, @modified, @published, @summary, @details, @aliases, @sources, @refs, @iocs, @origin)`,
    );
    const insAff = this.db.prepare(
      'INSERT INTO affected (advisory_id, ecosystem, name, norm, all_versions, versions, ranges) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    let imported = 0;
    let removed = 0;
    const run = this.db.transaction((list: Iterable<Advisory>) => {
      for (const a of list) {
        const existing = getMod.get(a.id) as { modified: string } | undefined;
        if (existing && existing.modified > a.modified) continue;
        if (existing) {
          delAff.run(a.id);
          del.run(a.id);
        }
        if (a.withdrawn) {
          if (existing) removed++;
          continue;
        }
        ins.run({
          id: a.id,
          modified: a.modified,
          published: a.published ?? null,
          summary: a.summary,
          details: a.details.slice(0, 20_000),
          aliases: JSON.stringify(a.aliases),
          sources: JSON.stringify(a.sources),
          refs: JSON.stringify(a.references),
          iocs: JSON.stringify(a.iocs),
          origin,
        });
        for (const af of a.affected) {
          insAff.run(
            a.id,
            af.ecosystem,
            af.name,
            af.norm,
            af.allVersions ? 1 : 0,
            JSON.stringify(af.versions),
            JSON.stringify(af.ranges),
          );
        }
        imported++;
      }
    });
    run(advisories);
    return { imported, removed };
  }

  recordSource(name: string, location: string, records: number): void {
    this.db
      .prepare(
        `INSERT INTO sources (name, location, updated_at, records) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET location = excluded.location, updated_at = excluded.updated_at, records = excluded.records`,
      )
      .run(name, location, new Date().toISOString(), records);
  }

  /**
   * Advisories matching a package version. An empty version (unpinned manifest entry) only
   * matches advisories that cover every version.
   */
  lookup(ecosystem: Ecosystem, name: string, version: string): IntelMatch[] {
    const rows = this.lookupStmt.all(ecosystem, normalizeName(ecosystem, name)) as AffectedDbRow[];
    const out: IntelMatch[] = [];
    for (const row of rows) {
      let matchedBy: IntelMatch['matchedBy'] | undefined;
      if (row.all_versions) matchedBy = 'all-versions';
      else if (version) {
        const versions = JSON.parse(row.versions) as string[];
        if (versions.includes(version)) matchedBy = 'versions';
        else if (
          (JSON.parse(row.ranges) as OsvRange[]).some(
            (r) => r.type !== 'GIT' && inRange(ecosystem, version, r),
          )
        )
          matchedBy = 'range';
      }
      if (!matchedBy) continue;
      if (out.some((m) => m.id === row.advisory_id)) continue;
      out.push({
        id: row.advisory_id,
        name: row.name,
        summary: row.summary,
        details: row.details,
        aliases: JSON.parse(row.aliases),
        sources: JSON.parse(row.sources),
        references: JSON.parse(row.refs),
        iocs: JSON.parse(row.iocs),
        published: row.published ?? undefined,
        modified: row.modified,
        matchedBy,
      });
    }
    return out;
  }

  status(): StoreStatus {
    const count = (sql: string, ...args: unknown[]) => (this.db.prepare(sql).get(...args) as { n: number }).n;
    const sources = (
      this.db
        .prepare('SELECT name, location, updated_at AS updatedAt, records FROM sources ORDER BY name')
        .all() as SourceStatus[]
    ).map((s) => ({ ...s }));
    const lastUpdate = sources
      .map((s) => s.updatedAt)
      .sort()
      .pop();
    return {
      path: this.file,
      advisories: count('SELECT COUNT(*) AS n FROM advisories'),
      packages: {
        npm: count('SELECT COUNT(DISTINCT norm) AS n FROM affected WHERE ecosystem = ?', 'npm'),
        pypi: count('SELECT COUNT(DISTINCT norm) AS n FROM affected WHERE ecosystem = ?', 'pypi'),
        maven: count('SELECT COUNT(DISTINCT norm) AS n FROM affected WHERE ecosystem = ?', 'maven'),
      },
      sources,
      lastUpdate,
      verdicts: count('SELECT COUNT(*) AS n FROM verdicts'),
    };
  }

  getVerdict<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT report FROM verdicts WHERE key = ?').get(key) as
      | { report: string }
      | undefined;
    return row ? (JSON.parse(row.report) as T) : undefined;
  }

  putVerdict(keys: string[], report: unknown): void {
    if (this.readonly) return;
    const stmt = this.db.prepare(
      'INSERT OR REPLACE INTO verdicts (key, report, created_at) VALUES (?, ?, ?)',
    );
    const json = JSON.stringify(report);
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const k of keys) stmt.run(k, json, now);
    })();
  }

  clearVerdicts(): number {
    return this.db.prepare('DELETE FROM verdicts').run().changes;
  }

  close(): void {
    this.db.close();
  }
}
