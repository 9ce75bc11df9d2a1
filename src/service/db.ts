import Database from 'better-sqlite3';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';
export type Row = Record<string, unknown>;

/**
 * The small SQL surface the index needs, over SQLite (better-sqlite3) or PostgreSQL (pg).
 * Statements use `?` placeholders; the PostgreSQL adapter numbers them. Timestamps are epoch
 * milliseconds (INTEGER / BIGINT), JSON is stored as text, so one logical schema fits both.
 */
export interface SqlDb {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<{ changes: number; rows: Row[] }>;
  /** Runs `fn` in a transaction; statements issued on `tx` belong to it. */
  tx<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` -> `$1..$n` outside string literals. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let inStr = false;
  for (const ch of sql) {
    if (ch === "'") inStr = !inStr;
    if (ch === '?' && !inStr) out += `$${++n}`;
    else out += ch;
  }
  return out;
}

function sqliteParam(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === undefined) return null;
  return v;
}

/** Serialises async work: better-sqlite3 is synchronous, but transactions span awaits. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

class SqliteTx implements SqlDb {
  readonly dialect = 'sqlite' as const;
  constructor(protected readonly db: Database.Database) {}
  async all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...params.map(sqliteParam)) as T[];
  }
  async run(sql: string, params: unknown[] = []): Promise<{ changes: number; rows: Row[] }> {
    const stmt = this.db.prepare(sql);
    if (stmt.reader) {
      const rows = stmt.all(...params.map(sqliteParam)) as Row[];
      return { changes: rows.length, rows };
    }
    const info = stmt.run(...params.map(sqliteParam));
    return { changes: info.changes, rows: [] };
  }
  tx<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {}
}

export class SqliteDb extends SqliteTx {
  private readonly mutex = new Mutex();
  constructor(readonly path: string) {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = ON');
    super(db);
  }
  override all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.mutex.lock(() => super.all<T>(sql, params));
  }
  override run(sql: string, params: unknown[] = []) {
    return this.mutex.lock(() => super.run(sql, params));
  }
  override tx<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return this.mutex.lock(async () => {
      const inner = new SqliteTx(this.db);
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(inner);
        this.db.exec('COMMIT');
        return out;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }
  override async close(): Promise<void> {
    await this.mutex.lock(async () => {
      if (this.db.open) this.db.close();
    });
  }
  /** Direct access for migrations (exec of multi-statement scripts). */
  exec(sql: string): void {
    this.db.exec(sql);
  }
}

const PG_TYPES = {
  getTypeParser(oid: number, format?: string) {
    // int8 (BIGINT, COUNT(*)) and numeric -> number: our values are epoch ms and counts.
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

type Queryable = pg.Pool | pg.PoolClient;

class PgTx implements SqlDb {
  readonly dialect = 'postgres' as const;
  constructor(
    protected readonly q: Queryable,
    readonly schema: string,
  ) {}
  private query(sql: string, params: unknown[]) {
    // Without parameters use the simple protocol, which allows multi-statement scripts.
    if (!params.length) return this.q.query(sql);
    return this.q.query(
      numberPlaceholders(sql),
      params.map((p) => (p === undefined ? null : p)),
    );
  }
  async all<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }
  async run(sql: string, params: unknown[] = []): Promise<{ changes: number; rows: Row[] }> {
    const res = await this.query(sql, params);
    return { changes: res.rowCount ?? 0, rows: res.rows };
  }
  tx<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {}
  /** The raw client, for libraries that join our transaction (pg-boss `db` option). */
  get raw(): Queryable {
    return this.q;
  }
}

export class PgDb extends PgTx {
  readonly pool: pg.Pool;
  constructor(connectionString: string, schema: string, poolSize = 10) {
    const pool = new pg.Pool({
      connectionString,
      application_name: `beagle:${schema}`,
      max: poolSize,
      types: PG_TYPES,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 10_000,
    });
    // A dropped connection is reported on the idle client; the pool replaces it.
    pool.on('error', () => {});
    super(pool, schema);
    this.pool = pool;
  }
  override async tx<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A connection killed while checked out emits 'error' on the client: without a listener
    // that would crash the process; the failing query rejects and the caller retries.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await fn(new PgTx(client, this.schema));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
  override async close(): Promise<void> {
    await this.pool.end();
  }
}

export function isPgTx(db: SqlDb): db is SqlDb & { raw: Queryable } {
  return db.dialect === 'postgres' && 'raw' in db;
}
