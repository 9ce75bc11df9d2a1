import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { zipSync } from 'fflate';

export const OSV_FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'osv');

/** An `all.zip` like osv.dev's per-ecosystem export: flat `<ID>.json` entries. */
export function osvZip(ecosystemDir: string): Buffer {
  const entries: Record<string, Uint8Array> = {};
  const dir = path.join(OSV_FIXTURES, ecosystemDir);
  for (const f of readdirSync(dir)) entries[f] = readFileSync(path.join(dir, f));
  return Buffer.from(zipSync(entries));
}

/** Serves OSV export zips on 127.0.0.1 at `/<Ecosystem>/all.zip`; counts requests. */
export async function startOsvServer(
  files: Record<string, Buffer>,
): Promise<{ base: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
