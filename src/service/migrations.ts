import { type SqlDb, SqliteDb } from './db.js';

/**
 * Numbered migrations, one list per dialect, describing the same logical schema:
 *
 * - `index_jobs`: one row per ecosystem/name/version ever seen by a feed (the dedupe key) with
 *   its state (queued, active, done, parked), attempts, last error and lease. In embedded mode
 *   this table is the queue itself; in PostgreSQL mode pg-boss carries the work and this table
 *   records state for dedupe, parked jobs and latency.
 * - `verdicts`: one row per scanned ecosystem/name/version/digest (unique), with the report.
 * - `verdict_categories`, `iocs`, `payload_hashes`: normalised facts for stats, IOC search and
 *   campaign clustering.
 * - `feed_state`: each feed follower's persisted position.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE index_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  feed TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  run_after INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  worker TEXT,
  last_error TEXT,
  published_at INTEGER,
  enqueued_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (ecosystem, name, version)
);
CREATE INDEX index_jobs_ready ON index_jobs (state, run_after);
CREATE TABLE verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  verdict TEXT NOT NULL,
  score INTEGER NOT NULL,
  categories TEXT NOT NULL,
  reasons TEXT NOT NULL,
  publisher TEXT,
  report TEXT NOT NULL,
  published_at INTEGER,
  enqueued_at INTEGER,
  scanned_at INTEGER NOT NULL,
  scan_ms INTEGER NOT NULL,
  latency_ms INTEGER,
  UNIQUE (ecosystem, name, version, digest)
);
CREATE INDEX verdicts_by_verdict ON verdicts (verdict, scanned_at);
CREATE INDEX verdicts_by_name ON verdicts (name);
CREATE TABLE verdict_categories (
  verdict_id INTEGER NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  PRIMARY KEY (verdict_id, category)
);
CREATE TABLE iocs (
  verdict_id INTEGER NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (verdict_id, value)
);
CREATE INDEX iocs_by_value ON iocs (value);
CREATE TABLE payload_hashes (
  verdict_id INTEGER NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
  file TEXT NOT NULL,
  tlsh TEXT NOT NULL,
  PRIMARY KEY (verdict_id, file)
);
CREATE TABLE feed_state (
  feed TEXT PRIMARY KEY,
  cursor TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'OSV advisory id per flagged verdict',
    sql: `
ALTER TABLE verdicts ADD COLUMN advisory_id TEXT;
CREATE INDEX verdicts_by_advisory ON verdicts (advisory_id);
`,
  },
];

export const POSTGRES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE index_jobs (
  id BIGSERIAL PRIMARY KEY,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  feed TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  run_after BIGINT NOT NULL DEFAULT 0,
  lease_until BIGINT,
  worker TEXT,
  last_error TEXT,
  published_at BIGINT,
  enqueued_at BIGINT NOT NULL,
  finished_at BIGINT,
  UNIQUE (ecosystem, name, version)
);
CREATE INDEX index_jobs_ready ON index_jobs (state, run_after);
CREATE TABLE verdicts (
  id BIGSERIAL PRIMARY KEY,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  digest TEXT NOT NULL,
  verdict TEXT NOT NULL,
  score INTEGER NOT NULL,
  categories TEXT NOT NULL,
  reasons TEXT NOT NULL,
  publisher TEXT,
  report TEXT NOT NULL,
  published_at BIGINT,
  enqueued_at BIGINT,
  scanned_at BIGINT NOT NULL,
  scan_ms INTEGER NOT NULL,
  latency_ms BIGINT,
  UNIQUE (ecosystem, name, version, digest)
);
CREATE INDEX verdicts_by_verdict ON verdicts (verdict, scanned_at);
CREATE INDEX verdicts_by_name ON verdicts (name);
CREATE TABLE verdict_categories (
  verdict_id BIGINT NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  PRIMARY KEY (verdict_id, category)
);
CREATE TABLE iocs (
  verdict_id BIGINT NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (verdict_id, value)
);
CREATE INDEX iocs_by_value ON iocs (value);
CREATE TABLE payload_hashes (
  verdict_id BIGINT NOT NULL REFERENCES verdicts(id) ON DELETE CASCADE,
  file TEXT NOT NULL,
  tlsh TEXT NOT NULL,
  PRIMARY KEY (verdict_id, file)
);
CREATE TABLE feed_state (
  feed TEXT PRIMARY KEY,
  cursor TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'OSV advisory id per flagged verdict',
    sql: `
ALTER TABLE verdicts ADD COLUMN advisory_id TEXT;
CREATE INDEX verdicts_by_advisory ON verdicts (advisory_id);
`,
  },
];

/** Applies pending migrations; safe to call from several processes at once. */
export async function migrate(db: SqlDb, schema?: string): Promise<number[]> {
  const applied: number[] = [];
  if (db instanceof SqliteDb) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)',
    );
    for (const m of SQLITE_MIGRATIONS) {
      await db.tx(async (tx) => {
        const done = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
        if (done.length) return;
        db.exec(m.sql);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          Date.now(),
        ]);
        applied.push(m.version);
      });
    }
    return applied;
  }
  if (!schema || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  await db.tx(async (tx) => {
    // One migrator at a time across processes.
    await tx.run('SELECT pg_advisory_xact_lock(?)', [0x6265616]);
    await tx.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at BIGINT)`,
    );
    for (const m of POSTGRES_MIGRATIONS) {
      const done = await tx.all(`SELECT version FROM ${schema}.schema_migrations WHERE version = ?`, [
        m.version,
      ]);
      if (done.length) continue;
      await tx.run(`SET LOCAL search_path TO ${schema}`);
      await tx.run(m.sql);
      await tx.run(`INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }
  });
  return applied;
}
