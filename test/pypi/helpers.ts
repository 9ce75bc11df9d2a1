/**
 * PyPI fixtures built in memory: sdists (tar.gz/bz2/xz/zip) with PKG-INFO, wheels with
 * METADATA/RECORD, and a local JSON-API index on 127.0.0.1. Everything is inert text; network
 * indicators use reserved addresses (192.0.2.0/24) and `.invalid` hosts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withLimits } from '../../src/core/limits.js';
import type { ScanReport } from '../../src/core/types.js';
import { readPypiDistribution } from '../../src/ecosystems/pypi/plugin.js';
import type { LoadOptions } from '../../src/ecosystems/types.js';
import { scanArtifact } from '../../src/scan.js';
import { makeTarball, makeZip } from '../helpers/archives.js';

export function pkgInfo(name: string, version: string, extra: Record<string, string> = {}): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`, 'Summary: fixture'];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  return `${lines.join('\n')}\n\nA fixture package.\n`;
}

/** An sdist `name-version.tar.gz` with PKG-INFO plus the given files. */
export async function makeSdist(
  files: Record<string, string | Buffer>,
  name = 'fixture-py',
  version = '1.0.0',
  options: { gzip?: boolean; pkgInfo?: boolean } = {},
): Promise<Buffer> {
  const all: Record<string, string | Buffer> = { ...files };
  if (options.pkgInfo !== false && !('PKG-INFO' in all)) all['PKG-INFO'] = pkgInfo(name, version);
  return makeTarball(all, { root: `${name.replace(/-/g, '_')}-${version}`, gzip: options.gzip });
}

function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** A wheel with METADATA, WHEEL and a correct RECORD (unless `tamper` names a file to change after). */
export function makeWheel(
  files: Record<string, string>,
  name = 'fixture_py',
  version = '1.0.0',
  options: { tamper?: string; entryPoints?: string } = {},
): Buffer {
  const di = `${name}-${version}.dist-info`;
  const all: Record<string, string> = {
    ...files,
    [`${di}/METADATA`]: pkgInfo(name, version),
    [`${di}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: fixture\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  if (options.entryPoints) all[`${di}/entry_points.txt`] = options.entryPoints;
  const record = Object.entries(all)
    .map(([p, c]) => `${p},${recordHash(Buffer.from(c))},${Buffer.byteLength(c)}`)
    .concat(`${di}/RECORD,,`)
    .join('\n');
  all[`${di}/RECORD`] = record;
  if (options.tamper) all[options.tamper] = `${all[options.tamper] ?? ''}\nimport os\n`;
  return makeZip(Object.entries(all).map(([n, content]) => ({ name: n, content })));
}

export function compressWith(tool: 'bzip2' | 'xz', data: Buffer): Buffer | undefined {
  try {
    return execFileSync(tool, ['-c'], { input: data, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

export function loadOptions(extra: Partial<LoadOptions> = {}): LoadOptions {
  return { limits: withLimits(), cwd: process.cwd(), env: {}, timeoutMs: 5000, ...extra };
}

/** Reads an in-memory distribution with the PyPI plugin and scans it. */
export async function scanDist(data: Buffer, fileName: string): Promise<ScanReport> {
  const artifact = await readPypiDistribution(
    data,
    fileName,
    { type: 'tarball', target: fileName, location: fileName },
    loadOptions(),
  );
  return scanArtifact(artifact);
}

/** Builds an sdist from files and scans it. */
export async function scanSdist(files: Record<string, string>, name = 'fixture-py'): Promise<ScanReport> {
  return scanDist(await makeSdist(files, name), `${name}-1.0.0.tar.gz`);
}

export function rulesOf(report: ScanReport): string[] {
  return [...new Set(report.findings.map((f) => f.ruleId))].sort();
}

export function findingsOf(report: ScanReport, ruleId: string) {
  return report.findings.filter((f) => f.ruleId === ruleId);
}

export interface IndexRelease {
  name: string;
  version: string;
  files: Array<{
    filename: string;
    data: Buffer;
    packagetype: string;
    wrongDigest?: boolean;
    yanked?: boolean;
  }>;
}

/**
 * A PyPI-compatible index on 127.0.0.1 serving `/pypi/NAME/json`, `/pypi/NAME/VERSION/json`
 * (the JSON API's real shape: info, urls[], releases{}) and the files under `/packages/`.
 */
export async function startIndex(releases: IndexRelease[], options: { requireAuth?: string } = {}) {
  const requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    if (options.requireAuth && req.headers.authorization !== options.requireAuth) {
      res.writeHead(401).end();
      return;
    }
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = new URL(req.url ?? '/', base);
    const fileMatch = /^\/packages\/([^/]+)$/.exec(url.pathname);
    if (fileMatch) {
      for (const r of releases)
        for (const f of r.files)
          if (f.filename === decodeURIComponent(fileMatch[1]!)) {
            res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(f.data);
            return;
          }
      res.writeHead(404).end();
      return;
    }
    const m = /^\/pypi\/([^/]+)(?:\/([^/]+))?\/json$/.exec(url.pathname);
    const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
    const mine = m ? releases.filter((r) => norm(r.name) === norm(decodeURIComponent(m[1]!))) : [];
    if (!m || mine.length === 0) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message": "Not Found"}');
      return;
    }
    const wanted = m[2] ? mine.find((r) => r.version === m[2]) : mine[mine.length - 1];
    if (!wanted) {
      res.writeHead(404).end('{"message": "Not Found"}');
      return;
    }
    const fileDoc = (f: IndexRelease['files'][number]) => {
      const sha = createHash('sha256').update(f.data).digest('hex');
      return {
        comment_text: '',
        digests: {
          blake2b_256: createHash('sha256').update(f.filename).digest('hex'),
          md5: createHash('md5').update(f.data).digest('hex'),
          sha256: f.wrongDigest ? sha.replace(/^./, sha[0] === '0' ? '1' : '0') : sha,
        },
        downloads: -1,
        filename: f.filename,
        has_sig: false,
        md5_digest: createHash('md5').update(f.data).digest('hex'),
        packagetype: f.packagetype,
        python_version: f.packagetype === 'sdist' ? 'source' : 'py3',
        requires_python: '>=3.8',
        size: f.data.length,
        upload_time: '2024-01-01T00:00:00',
        upload_time_iso_8601: '2024-01-01T00:00:00.000000Z',
        url: `${base}/packages/${encodeURIComponent(f.filename)}`,
        yanked: !!f.yanked,
        yanked_reason: null,
      };
    };
    const doc = {
      info: {
        author: 'Fixture Author',
        author_email: 'author@example.invalid',
        home_page: 'https://example.invalid/fixture',
        name: wanted.name,
        project_urls: { Homepage: 'https://example.invalid/fixture' },
        summary: 'fixture',
        version: wanted.version,
        yanked: false,
        yanked_reason: null,
      },
      last_serial: 1,
      releases: m[2] ? {} : Object.fromEntries(mine.map((r) => [r.version, r.files.map(fileDoc)])),
      urls: wanted.files.map(fileDoc),
      vulnerabilities: [],
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
