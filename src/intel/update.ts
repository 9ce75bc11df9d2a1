import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { BeagleError, errorMessage } from '../core/errors.js';
import { httpGet } from '../core/http.js';
import type { Ecosystem } from '../core/types.js';
import { OSV_ECOSYSTEM } from './normalize.js';
import { type Advisory, toAdvisory } from './osv.js';
import type { IntelStore } from './store.js';

/** Default base of osv.dev's per-ecosystem exports: `<base>/<Ecosystem>/all.zip`. */
export const DEFAULT_OSV_BASE = 'https://osv-vulnerabilities.storage.googleapis.com';

export interface IntelSource {
  /** Stable name used in `db status` (`osv-npm`, or the URL / path). */
  name: string;
  /** `https://...zip`, a local `.zip`, a folder of OSV JSON files, or a single `.json`. */
  location: string;
}

/** The configured download sources: `BEAGLE_OSV_URLS` (comma separated) or the osv.dev exports. */
export function defaultSources(
  env: NodeJS.ProcessEnv = process.env,
  ecosystems: Ecosystem[] = ['npm', 'pypi', 'maven'],
): IntelSource[] {
  if (env.BEAGLE_OSV_URLS) {
    return env.BEAGLE_OSV_URLS.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((u) => ({ name: u, location: u }));
  }
  const base = (env.BEAGLE_OSV_BASE_URL ?? DEFAULT_OSV_BASE).replace(/\/+$/, '');
  return ecosystems.map((e) => ({ name: `osv-${e}`, location: `${base}/${OSV_ECOSYSTEM[e]}/all.zip` }));
}

function openZip(data: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) =>
      err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip),
    ),
  );
}

const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * Reads the malicious-package records of an OSV export zip. Only `MAL-*.json` entries are
 * inflated (the ecosystem exports also hold every ordinary vulnerability); a record that is not
 * valid JSON is counted, not fatal.
 */
export async function advisoriesFromZip(
  data: Buffer,
  label: string,
): Promise<{ advisories: Advisory[]; invalid: number }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(data);
  } catch (err) {
    throw new BeagleError('corrupt-archive', `${label}: not a valid zip archive (${errorMessage(err)})`);
  }
  const advisories: Advisory[] = [];
  let invalid = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (err) =>
      reject(new BeagleError('corrupt-archive', `${label}: invalid zip (${errorMessage(err)})`)),
    );
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const base = entry.fileName.split('/').pop() ?? '';
      if (!/^MAL-.*\.json$/i.test(base) || entry.uncompressedSize > MAX_RECORD_BYTES) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) {
          reject(
            new BeagleError(
              'corrupt-archive',
              `${label}: cannot read ${entry.fileName} (${errorMessage(err)})`,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (e) =>
          reject(new BeagleError('corrupt-archive', `${label}: ${entry.fileName}: ${errorMessage(e)}`)),
        );
        stream.on('end', () => {
          try {
            const a = toAdvisory(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            if (a) advisories.push(a);
          } catch {
            invalid++;
          }
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return { advisories, invalid };
}

/** Reads every `*.json` OSV record under a folder (e.g. a checkout of ossf/malicious-packages). */
export async function advisoriesFromFolder(
  dir: string,
): Promise<{ advisories: Advisory[]; invalid: number }> {
  const advisories: Advisory[] = [];
  let invalid = 0;
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== 'node_modules') await walk(p);
      } else if (e.isFile() && e.name.endsWith('.json')) {
        try {
          const a = toAdvisory(JSON.parse(await readFile(p, 'utf8')));
          if (a) advisories.push(a);
        } catch {
          invalid++;
        }
      }
    }
  };
  await walk(dir);
  return { advisories, invalid };
}

export interface UpdateResult {
  source: string;
  location: string;
  imported: number;
  removed: number;
  invalid: number;
  error?: string;
}

export interface UpdateOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Loads one source (URL, zip, folder or JSON file) into the store. Never throws: errors are in the result. */
export async function updateSource(
  store: IntelStore,
  source: IntelSource,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const result: UpdateResult = {
    source: source.name,
    location: source.location,
    imported: 0,
    removed: 0,
    invalid: 0,
  };
  try {
    let got: { advisories: Advisory[]; invalid: number };
    if (/^https?:\/\//.test(source.location)) {
      const data = await httpGet(source.location, {
        label: source.name,
        timeoutMs: options.timeoutMs ?? 120_000,
        maxBytes: options.maxBytes ?? 2 * 1024 * 1024 * 1024,
        signal: options.signal,
      });
      got = source.location.endsWith('.json')
        ? {
            advisories: [toAdvisory(JSON.parse(data.toString('utf8')))].filter((a): a is Advisory => !!a),
            invalid: 0,
          }
        : await advisoriesFromZip(data, source.name);
    } else {
      const st = await stat(source.location).catch(() => undefined);
      if (!st) throw new BeagleError('not-found', `${source.location}: no such file or folder`);
      if (st.isDirectory()) got = await advisoriesFromFolder(source.location);
      else if (source.location.endsWith('.json')) {
        const a = toAdvisory(JSON.parse(await readFile(source.location, 'utf8')));
        got = { advisories: a ? [a] : [], invalid: 0 };
      } else got = await advisoriesFromZip(await readFile(source.location), source.location);
    }
    const r = store.importAdvisories(got.advisories, source.name);
    result.imported = r.imported;
    result.removed = r.removed;
    result.invalid = got.invalid;
    store.recordSource(source.name, source.location, got.advisories.length);
  } catch (err) {
    result.error = errorMessage(err);
  }
  return result;
}
