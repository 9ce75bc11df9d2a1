import os from 'node:os';
import type { Ecosystem } from '../core/types.js';

/** Everything the index service can be told; CLI options and BEAGLE_* env map onto this. */
export interface IndexConfig {
  /** `sqlite:PATH` / a file path (embedded), or `postgres://...` (PostgreSQL + pg-boss). */
  database: string;
  /** PostgreSQL schema for Beagle's tables (pg-boss uses `<schema>_boss`). */
  pgSchema: string;
  /** Registry base URL per ecosystem; unset: the scanner's default (and .npmrc / pip.conf / settings.xml). */
  registries: Partial<Record<Ecosystem, string>> & { npm: string };
  feeds: {
    npm: { enabled: boolean; changesUrl: string; since: string; batchSize: number; lookbackHours: number };
    pypi: { enabled: boolean; xmlrpcUrl: string; rssUrls: string[]; since: string; batchSize: number };
    maven: { enabled: boolean; searchUrl: string; since: string; rows: number };
    intervalMs: number;
  };
  worker: {
    /** Concurrent jobs per worker process. */
    concurrency: number;
    /** Scanner threads (0: scan on the main thread). */
    threads: number;
    leaseMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    timeoutMs: number;
    pollMs: number;
  };
  serve: { host: string; port: number };
  /** Folder with curated campaign indicator sets (data/campaigns). */
  campaignsDir?: string;
}

export function defaultConfig(): IndexConfig {
  const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return {
    database: 'sqlite:beagle-index.db',
    pgSchema: 'beagle',
    registries: { npm: 'https://registry.npmjs.org/' },
    feeds: {
      npm: {
        enabled: true,
        changesUrl: 'https://replicate.npmjs.com/registry/_changes',
        since: 'now',
        batchSize: 200,
        lookbackHours: 72,
      },
      pypi: {
        enabled: true,
        xmlrpcUrl: 'https://pypi.org/pypi',
        rssUrls: ['https://pypi.org/rss/updates.xml', 'https://pypi.org/rss/packages.xml'],
        since: 'now',
        batchSize: 1000,
      },
      maven: {
        enabled: true,
        searchUrl: 'https://search.maven.org/solrsearch/select',
        since: 'now',
        rows: 200,
      },
      intervalMs: 30_000,
    },
    worker: {
      concurrency: cpus,
      threads: cpus,
      leaseMs: 5 * 60_000,
      maxAttempts: 5,
      retryBaseMs: 30_000,
      timeoutMs: 60_000,
      pollMs: 1000,
    },
    serve: { host: '127.0.0.1', port: 8080 },
  };
}

export function isPostgres(database: string): boolean {
  return /^postgres(?:ql)?:\/\//.test(database);
}

export function sqlitePath(database: string): string {
  return database.startsWith('sqlite:') ? database.slice('sqlite:'.length) : database;
}
