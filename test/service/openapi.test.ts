import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildApi } from '../../src/service/api.js';
import { SqliteDb } from '../../src/service/db.js';
import { IndexMetrics } from '../../src/service/metrics.js';
import { migrate } from '../../src/service/migrations.js';
import { SqlQueue } from '../../src/service/queue/sql-queue.js';
import { Store } from '../../src/service/store.js';
import { tempDir } from './helpers.js';

/** Fastify route -> OpenAPI path template (`:ecosystem` -> `{ecosystem}`, wildcard -> name/version). */
function toOpenApi(url: string): string[] {
  if (url.endsWith('/*')) {
    const base = url.slice(0, -2).replace(/:(\w+)/g, '{$1}');
    return [`${base}/{name}/{version}`, `${base}/{name}`];
  }
  return [url.replace(/:(\w+)/g, '{$1}')];
}

describe('docs/openapi.yaml', () => {
  let app: FastifyInstance;
  let db: SqliteDb;
  const tmp = tempDir();
  const routes: string[] = [];

  beforeAll(async () => {
    db = new SqliteDb(`${tmp.dir}/o.db`);
    await migrate(db);
    app = await buildApi({
      store: new Store(db),
      queue: new SqlQueue(db, { leaseMs: 1000, maxAttempts: 1, retryBaseMs: 1 }),
      metrics: new IndexMetrics(),
      onRoute: (method, url) => {
        if (method === 'GET') routes.push(url);
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    tmp.cleanup();
  });

  it('documents every GET route the API serves, and nothing it does not', () => {
    const doc = YAML.parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8'));
    const documented = new Set(Object.keys(doc.paths));
    const served = new Set(routes.filter((r) => r !== '/assets/:file').flatMap(toOpenApi));
    expect(served.size).toBeGreaterThan(10);
    expect([...served].filter((p) => !documented.has(p))).toEqual([]);
    expect([...documented].filter((p) => !served.has(p))).toEqual([]);
  });
});
