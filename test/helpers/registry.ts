/**
 * A local npm registry for tests: an HTTP server on 127.0.0.1 that serves full packuments in the
 * registry's real format (`versions`, `dist-tags`, `time`, `dist.tarball/integrity/shasum`) and
 * the tarballs themselves, and records every request (with headers) it received.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { digests } from './archives.js';

export interface RegistryVersion {
  name: string;
  version: string;
  /** The tarball bytes served for this version. */
  tarball: Buffer;
  /** Extra fields for the version document (scripts, dependencies...). */
  manifest?: Record<string, unknown>;
  /** Publish the wrong digest for this version (the tarball no longer matches). */
  wrongIntegrity?: boolean;
  /** Publish only a sha1 `shasum` (old packages had no `integrity`). */
  shasumOnly?: boolean;
  /** ISO publish time; defaults to an increasing date per version. */
  time?: string;
}

export interface RegistryOptions {
  /** dist-tags per package name; `latest` defaults to the last version listed. */
  distTags?: Record<string, Record<string, string>>;
  /** When set, every request must carry `authorization: Bearer <token>` or gets 401. */
  requireToken?: string;
  /** Path prefix the registry is mounted under, e.g. `/npm/` (default `/`). */
  basePath?: string;
}

export interface RecordedRequest {
  method: string;
  /** The raw request target, exactly as received (percent-encoding preserved). */
  url: string;
  headers: IncomingHttpHeaders;
}

export type RouteHandler = (res: ServerResponse, req: RecordedRequest) => void;

export interface TestRegistry {
  /** Base URL ending with `/`, e.g. `http://127.0.0.1:PORT/` (plus basePath). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Overrides the answer for one raw path (e.g. `/broken` -> non-JSON, or a slow answer). */
  route(path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

function tarballName(name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${base}-${version}.tgz`;
}

/** Starts the registry on an ephemeral port of 127.0.0.1. */
export async function startRegistry(
  versions: RegistryVersion[],
  options: RegistryOptions = {},
): Promise<TestRegistry> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, RouteHandler>();
  const basePath = options.basePath ?? '/';
  const tarballs = new Map<string, Buffer>();
  let base = '';

  const packument = (name: string) => {
    const mine = versions.filter((v) => v.name === name);
    if (mine.length === 0) return undefined;
    const docVersions: Record<string, unknown> = {};
    const time: Record<string, string> = {};
    const start = Date.parse('2020-01-01T00:00:00Z');
    mine.forEach((v, i) => {
      const path = `${name}/-/${tarballName(name, v.version)}`;
      tarballs.set(`${basePath}${path}`, v.tarball);
      const d = digests(v.wrongIntegrity ? Buffer.concat([v.tarball, Buffer.from('x')]) : v.tarball);
      docVersions[v.version] = {
        name,
        version: v.version,
        description: `${name} fixture`,
        license: 'MIT',
        ...(v.manifest ?? {}),
        _id: `${name}@${v.version}`,
        _npmUser: { name: 'fixture-publisher', email: 'publisher@example.invalid' },
        maintainers: [{ name: 'fixture-publisher', email: 'publisher@example.invalid' }],
        dist: {
          ...(v.shasumOnly ? {} : { integrity: d.integrity }),
          shasum: d.shasum,
          tarball: `${base}${path}`,
          fileCount: 1,
          unpackedSize: v.tarball.length,
        },
      };
      time[v.version] = v.time ?? new Date(start + i * 86_400_000).toISOString();
    });
    const sortedTimes = Object.values(time).sort();
    return {
      _id: name,
      name,
      'dist-tags': options.distTags?.[name] ?? { latest: mine[mine.length - 1]!.version },
      versions: docVersions,
      time: { created: sortedTimes[0], modified: sortedTimes[sortedTimes.length - 1], ...time },
      maintainers: [{ name: 'fixture-publisher', email: 'publisher@example.invalid' }],
      description: `${name} fixture`,
      license: 'MIT',
      readme: '',
    };
  };

  const server = createServer((req, res) => {
    const rec: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    requests.push(rec);
    const rawPath = rec.url.split('?')[0]!;
    const custom = routes.get(rawPath);
    if (custom) return custom(res, rec);
    if (options.requireToken && req.headers.authorization !== `Bearer ${options.requireToken}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const tarball = tarballs.get(rawPath);
    if (tarball) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length });
      res.end(tarball);
      return;
    }
    if (!rawPath.startsWith(basePath)) {
      res.writeHead(404).end();
      return;
    }
    // The registry accepts `@scope%2fname` (either case of %2F); npm clients send it encoded.
    const name = decodeURIComponent(rawPath.slice(basePath.length));
    const doc = packument(name);
    if (!doc) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    const body = Buffer.from(JSON.stringify(doc));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}${basePath}`;
  // Register the tarball paths up front so a tarball can be fetched before its packument.
  for (const v of versions) packument(v.name);

  return {
    url: base,
    port,
    requests,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
