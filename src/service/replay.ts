import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** One npm package version to serve: files go into `package/` of a gzip tarball. */
export interface ReplayVersion {
  name: string;
  version: string;
  files: Record<string, string>;
  publishedAt: number;
  publisher?: string;
  scripts?: Record<string, string>;
}

export async function buildNpmTarball(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: `package/${name}`, mode: 0o644, mtime: new Date(0) }, body, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/**
 * A local npm registry replaying a recorded `_changes` feed (CouchDB replication format:
 * `since`/`limit` in, `results[{seq,id,changes}]`/`last_seq`/`pending` out) with packuments and
 * tarballs. Used by the index bench (and usable for demos: `beagle index --npm-changes-url`).
 */
export class NpmReplayServer {
  private server?: http.Server;
  url = '';
  private readonly changes: Array<{ seq: number; id: string }> = [];
  private readonly packuments = new Map<string, Record<string, any>>();
  private readonly tarballs = new Map<string, Buffer>();

  async add(v: ReplayVersion): Promise<void> {
    if (!this.url) throw new Error('start the server first');
    const tgz = await buildNpmTarball({
      'package.json': JSON.stringify({
        name: v.name,
        version: v.version,
        main: 'index.js',
        scripts: v.scripts ?? {},
      }),
      ...v.files,
    });
    const file = `${v.name.replace('/', '%2f')}-${v.version}.tgz`;
    this.tarballs.set(file, tgz);
    const doc = this.packuments.get(v.name) ?? { name: v.name, 'dist-tags': {}, versions: {}, time: {} };
    doc.versions[v.version] = {
      name: v.name,
      version: v.version,
      scripts: v.scripts ?? {},
      _npmUser: { name: v.publisher ?? 'publisher' },
      dist: {
        tarball: `${this.url}/-/${file}`,
        integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
      },
    };
    doc.time[v.version] = new Date(v.publishedAt).toISOString();
    doc['dist-tags'].latest = v.version;
    this.packuments.set(v.name, doc);
    this.changes.push({ seq: this.changes.length + 1, id: v.name });
  }

  get registry(): string {
    return `${this.url}/`;
  }
  get changesUrl(): string {
    return `${this.url}/_changes`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (u.pathname === '/_changes') {
        const head = this.changes.length;
        const raw = u.searchParams.get('since') ?? '0';
        const since = raw === 'now' ? head : Number(raw) || 0;
        const limit = Math.max(1, Number(u.searchParams.get('limit') ?? '1000'));
        const results = this.changes.slice(since, since + limit);
        const last = results.length ? results[results.length - 1]!.seq : since;
        return json(200, {
          results: results.map((c) => ({ seq: c.seq, id: c.id, changes: [{ rev: `1-${c.seq}` }] })),
          last_seq: last,
          pending: head - last,
        });
      }
      if (u.pathname.startsWith('/-/')) {
        const t = this.tarballs.get(u.pathname.slice(3));
        if (!t) return json(404, { error: 'not_found' });
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': t.length });
        return void res.end(t);
      }
      const doc = this.packuments.get(decodeURIComponent(u.pathname.slice(1)));
      return doc ? json(200, doc) : json(404, { error: 'not_found' });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
