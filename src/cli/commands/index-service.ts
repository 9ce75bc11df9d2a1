import { type Command, Option } from 'commander';
import { defaultConfig, type IndexConfig } from '../../service/config.js';
import { type RunningIndex, startIndex } from '../../service/index.js';
import type { CommandRegistrar } from './index.js';

const int = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a non-negative integer: ${v}`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Options shared by `beagle index`, `watch`, `worker` and `serve`. */
export function addIndexOptions(
  cmd: Command,
  parts: { watch?: boolean; work?: boolean; serve?: boolean },
): Command {
  const d = defaultConfig();
  cmd
    .option(
      '--db <url>',
      'storage: sqlite:PATH (embedded, default) or postgres://user@host:port/db (PostgreSQL + pg-boss)',
      process.env.BEAGLE_INDEX_DB ?? d.database,
    )
    .option(
      '--pg-schema <name>',
      'PostgreSQL schema for the index tables (pg-boss uses <name>_boss)',
      d.pgSchema,
    )
    .option('--campaigns <dir>', 'folder of curated campaign indicator sets (default: data/campaigns)');
  if (parts.watch || parts.work) {
    cmd
      .option('--npm-registry <url>', 'npm registry for packuments and tarballs', d.registries.npm)
      .option(
        '--pypi-registry <url>',
        'PyPI index URL (default: the scanner default, https://pypi.org/simple/)',
      )
      .option('--maven-registry <url>', 'Maven repository URL (default: the scanner default, Maven Central)')
      .option('--timeout <ms>', 'network timeout per request', int, d.worker.timeoutMs);
  }
  if (parts.watch) {
    cmd
      .addOption(
        new Option('--feeds <list>', 'feeds to follow (comma-separated: npm,pypi,maven)').default(
          'npm,pypi,maven',
        ),
      )
      .option('--npm-changes-url <url>', 'npm CouchDB replication feed (_changes)', d.feeds.npm.changesUrl)
      .option(
        '--pypi-xmlrpc-url <url>',
        'PyPI XML-RPC endpoint (changelog_since_serial)',
        d.feeds.pypi.xmlrpcUrl,
      )
      .option('--pypi-rss-url <url>', 'PyPI RSS feed used when XML-RPC fails (repeatable)', collect)
      .option(
        '--maven-search-url <url>',
        'Maven Central search listing of new artifacts',
        d.feeds.maven.searchUrl,
      )
      .option(
        '--since <position>',
        'where a feed starts when it has no stored cursor: now, or a sequence/serial/timestamp',
        'now',
      )
      .option(
        '--lookback <hours>',
        'npm: enqueue versions published within this many hours of the change',
        int,
        d.feeds.npm.lookbackHours,
      )
      .option('--poll-interval <ms>', 'pause between feed polls when caught up', int, d.feeds.intervalMs);
  }
  if (parts.work) {
    cmd
      .option('--concurrency <n>', 'jobs processed at once by this process', int, d.worker.concurrency)
      .option('--threads <n>', 'scanner worker threads (0: scan on the main thread)', int, d.worker.threads)
      .option(
        '--lease <seconds>',
        'a job whose worker died is retried after this long',
        int,
        d.worker.leaseMs / 1000,
      )
      .option(
        '--max-attempts <n>',
        'attempts before a failing job is parked with its error',
        int,
        d.worker.maxAttempts,
      )
      .option('--retry-delay <ms>', 'first retry delay; doubles per attempt', int, d.worker.retryBaseMs)
      .option(
        '--requeue-parked',
        'put every parked job back in the queue at start-up (after fixing its cause)',
      );
  }
  if (parts.serve) {
    cmd
      .option('--host <host>', 'address the API and dashboard listen on', d.serve.host)
      .option('--port <port>', 'port of the API and dashboard', int, d.serve.port);
  }
  return cmd;
}

export function configFromOptions(opts: Record<string, any>): IndexConfig {
  const c = defaultConfig();
  c.database = opts.db ?? c.database;
  c.pgSchema = opts.pgSchema ?? c.pgSchema;
  c.campaignsDir = opts.campaigns;
  if (opts.npmRegistry) c.registries.npm = opts.npmRegistry;
  if (opts.pypiRegistry) c.registries.pypi = opts.pypiRegistry;
  if (opts.mavenRegistry) c.registries.maven = opts.mavenRegistry;
  if (opts.timeout !== undefined) c.worker.timeoutMs = opts.timeout;
  if (opts.feeds !== undefined) {
    const feeds = String(opts.feeds)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const f of feeds) if (!['npm', 'pypi', 'maven'].includes(f)) throw new Error(`unknown feed: ${f}`);
    c.feeds.npm.enabled = feeds.includes('npm');
    c.feeds.pypi.enabled = feeds.includes('pypi');
    c.feeds.maven.enabled = feeds.includes('maven');
  }
  if (opts.npmChangesUrl) c.feeds.npm.changesUrl = opts.npmChangesUrl;
  if (opts.pypiXmlrpcUrl) c.feeds.pypi.xmlrpcUrl = opts.pypiXmlrpcUrl;
  if (opts.pypiRssUrl?.length) c.feeds.pypi.rssUrls = opts.pypiRssUrl;
  if (opts.mavenSearchUrl) c.feeds.maven.searchUrl = opts.mavenSearchUrl;
  if (opts.since) c.feeds.npm.since = c.feeds.pypi.since = c.feeds.maven.since = String(opts.since);
  if (opts.lookback !== undefined) c.feeds.npm.lookbackHours = opts.lookback;
  if (opts.pollInterval !== undefined) c.feeds.intervalMs = opts.pollInterval;
  if (opts.concurrency !== undefined) c.worker.concurrency = Math.max(1, opts.concurrency);
  if (opts.threads !== undefined) c.worker.threads = opts.threads;
  if (opts.lease !== undefined) c.worker.leaseMs = Math.max(1, opts.lease) * 1000;
  if (opts.maxAttempts !== undefined) c.worker.maxAttempts = Math.max(1, opts.maxAttempts);
  if (opts.retryDelay !== undefined) c.worker.retryBaseMs = opts.retryDelay;
  if (opts.host) c.serve.host = opts.host;
  if (opts.port !== undefined) c.serve.port = opts.port;
  return c;
}

/** Starts the parts, logs to stderr, and runs until SIGINT/SIGTERM. */
export async function runUntilSignal(
  opts: Record<string, any>,
  parts: { watch: boolean; work: boolean; serve: boolean },
  setExit: (code: number) => void,
): Promise<void> {
  let config: IndexConfig;
  try {
    config = configFromOptions(opts);
  } catch (err) {
    process.stderr.write(`beagle: ${err instanceof Error ? err.message : String(err)}\n`);
    return setExit(2);
  }
  const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  let running: RunningIndex;
  try {
    running = await startIndex(config, parts, log);
  } catch (err) {
    process.stderr.write(`beagle: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return setExit(2);
  }
  if (parts.work && opts.requeueParked) {
    const n = await running.backend.queue.requeueParked();
    log(`requeued ${n} parked job(s)`);
  }
  const what = [parts.watch && 'watch', parts.work && 'worker', parts.serve && 'serve']
    .filter(Boolean)
    .join(' + ');
  log(
    `beagle ${what} running (${running.backend.mode}: ${config.database.replace(/\/\/[^@/]*@/, '//***@')})${running.url ? ` on ${running.url}` : ''}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('stopping');
  await running.stop();
}

export const registerIndexService: CommandRegistrar = (program, setExit) => {
  addIndexOptions(
    program
      .command('index')
      .description(
        'Run the Beagle index in one process: feed followers, workers, API and dashboard (zero setup).',
      ),
    { watch: true, work: true, serve: true },
  ).action((opts) => runUntilSignal(opts, { watch: true, work: true, serve: true }, setExit));
};
