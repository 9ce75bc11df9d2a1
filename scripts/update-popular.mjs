#!/usr/bin/env node
// Regenerates data/popular/{npm,pypi,maven}.txt: popular package names in download order, used by
// the typosquat (NAME-001) and dependency-confusion heuristics.
//
//   node scripts/update-popular.mjs --from-snapshot <dir>   derive from TSV snapshots
//                                                           (npm-top20000.tsv, pypi-top15000.tsv, maven-popular.tsv)
//   node scripts/update-popular.mjs --online [--npm 20000] [--pypi 15000]
//        PyPI: hugovk/top-pypi-packages (30-day downloads from the PyPI BigQuery dataset);
//        npm:  monthly downloads from api.npmjs.org for the current list plus --candidates <file>
//              (one name per line), sorted by downloads. Bulk queries of up to 128 unscoped names,
//              scoped names one by one; a polite delay between requests.
//        Maven Central publishes no download statistics: maven.txt is kept (or taken from a snapshot).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (f) => path.join(root, 'data', 'popular', f);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const today = new Date().toISOString().slice(0, 10);

function write(file, names, source, order = 'most downloaded first') {
  const uniq = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  writeFileSync(
    out(file),
    `# ${uniq.length} names, ${order}. Source: ${source}. Generated ${today} by scripts/update-popular.mjs\n${uniq.join('\n')}\n`,
  );
  console.log(`${file}: ${uniq.length} names`);
}

function readList(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

function tsv(file) {
  const [, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  return rows.map((r) => r.split('\t'));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(url) {
  const res = await fetch(url, { headers: { 'user-agent': 'beagle-update-popular' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function npmOnline(limit) {
  const candidates = new Set(readList(out('npm.txt')));
  const extra = opt('--candidates');
  if (extra) for (const n of readList(extra)) candidates.add(n);
  const downloads = new Map();
  const unscoped = [...candidates].filter((n) => !n.startsWith('@'));
  for (let i = 0; i < unscoped.length; i += 128) {
    const batch = unscoped.slice(i, i + 128);
    const data = await getJson(`https://api.npmjs.org/downloads/point/last-month/${batch.join(',')}`);
    for (const [name, v] of Object.entries(data)) if (v?.downloads) downloads.set(name, v.downloads);
    await sleep(300);
  }
  for (const name of [...candidates].filter((n) => n.startsWith('@'))) {
    try {
      const v = await getJson(`https://api.npmjs.org/downloads/point/last-month/${name}`);
      if (v?.downloads) downloads.set(name, v.downloads);
    } catch {}
    await sleep(300);
  }
  const ranked = [...downloads]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([n]) => n);
  write('npm.txt', ranked, 'api.npmjs.org monthly downloads');
}

async function pypiOnline(limit) {
  const data = await getJson('https://hugovk.github.io/top-pypi-packages/top-pypi-packages-30-days.min.json');
  write(
    'pypi.txt',
    data.rows.slice(0, limit).map((r) => r.project),
    'hugovk/top-pypi-packages (30 days)',
  );
}

if (args.includes('--from-snapshot')) {
  const dir = opt('--from-snapshot');
  const npm = tsv(path.join(dir, 'npm-top20000.tsv'))
    .map(([n, d]) => [n, Number(d)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(opt('--npm', '20000')))
    .map(([n]) => n);
  write('npm.txt', npm, `${path.basename(dir)}/npm-top20000.tsv (monthly downloads)`);
  const pypi = tsv(path.join(dir, 'pypi-top15000.tsv'))
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .slice(0, Number(opt('--pypi', '15000')))
    .map(([n]) => n);
  write('pypi.txt', pypi, `${path.basename(dir)}/pypi-top15000.tsv (download rank)`);
  write(
    'maven.txt',
    tsv(path.join(dir, 'maven-popular.tsv')).map(([n]) => n),
    `${path.basename(dir)}/maven-popular.tsv`,
    'widely used, not ranked',
  );
} else if (args.includes('--online')) {
  await pypiOnline(Number(opt('--pypi', '15000')));
  await npmOnline(Number(opt('--npm', '20000')));
} else {
  console.error(
    'usage: node scripts/update-popular.mjs --from-snapshot <dir> | --online [--npm N] [--pypi N] [--candidates file]',
  );
  process.exit(2);
}
