import type { Command } from 'commander';
import type { Ecosystem } from '../../core/types.js';
import { defaultDbPath } from '../../intel/paths.js';
import { IntelStore } from '../../intel/store.js';
import { defaultSources, type IntelSource, type UpdateResult, updateSource } from '../../intel/update.js';
import type { CommandRegistrar } from './index.js';

function printResults(results: UpdateResult[], store: IntelStore): number {
  let failed = 0;
  for (const r of results) {
    if (r.error) {
      failed++;
      process.stderr.write(`beagle: could not update from "${r.location}": ${r.error}\n`);
    } else {
      process.stdout.write(
        `${r.source}: ${r.imported} malicious-package advisories imported${r.removed ? `, ${r.removed} withdrawn` : ''}${r.invalid ? `, ${r.invalid} invalid records skipped` : ''}\n`,
      );
    }
  }
  const st = store.status();
  process.stdout.write(
    `${st.path}: ${st.advisories} advisories (npm ${st.packages.npm}, PyPI ${st.packages.pypi}, Maven ${st.packages.maven} packages)\n`,
  );
  return failed ? 2 : 0;
}

function ageText(iso: string | undefined): string {
  if (!iso) return 'never updated';
  const h = (Date.now() - Date.parse(iso)) / 36e5;
  return h < 48 ? `${h.toFixed(1)} hours ago` : `${(h / 24).toFixed(1)} days ago`;
}

export const registerDb: CommandRegistrar = (program, setExit) => {
  const db: Command = program
    .command('db')
    .description('Manage the known-malware database (OSV malicious-package records).');
  db.command('update')
    .description(
      'Download the configured OSV sources (osv.dev per-ecosystem exports by default) and import their MAL- records.',
    )
    .option(
      '--source <url-or-path...>',
      'sources to load instead of the defaults: all.zip URLs, local zips, folders or JSON files',
    )
    .option(
      '--ecosystem <names>',
      'default sources for these ecosystems only (npm,pypi,maven)',
      'npm,pypi,maven',
    )
    .option('--db <file>', 'database file', defaultDbPath())
    .option('--timeout <ms>', 'download timeout per source in ms', (v) => Number.parseInt(v, 10), 300000)
    .action(async (opts) => {
      const ecosystems = String(opts.ecosystem)
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean) as Ecosystem[];
      const bad = ecosystems.filter((e) => !['npm', 'pypi', 'maven'].includes(e));
      if (bad.length) {
        process.stderr.write(`beagle: unknown ecosystem ${bad.join(', ')} (npm, pypi, maven)\n`);
        setExit(2);
        return;
      }
      const sources: IntelSource[] = opts.source
        ? (opts.source as string[]).map((s) => ({ name: s, location: s }))
        : defaultSources(process.env, ecosystems);
      const store = IntelStore.open(opts.db);
      try {
        const results: UpdateResult[] = [];
        for (const s of sources) results.push(await updateSource(store, s, { timeoutMs: opts.timeout }));
        setExit(printResults(results, store));
      } finally {
        store.close();
      }
    });
  db.command('import')
    .description(
      'Import OSV records offline: folders of OSV JSON (e.g. an ossf/malicious-packages checkout), all.zip exports or single JSON files.',
    )
    .argument('<paths...>', 'folders, .zip files or .json files')
    .option('--db <file>', 'database file', defaultDbPath())
    .action(async (paths: string[], opts) => {
      const store = IntelStore.open(opts.db);
      try {
        const results: UpdateResult[] = [];
        for (const p of paths) results.push(await updateSource(store, { name: p, location: p }));
        setExit(printResults(results, store));
      } finally {
        store.close();
      }
    });
  db.command('status')
    .description('Show the database location, age, advisory counts per ecosystem and sources.')
    .option('--db <file>', 'database file', defaultDbPath())
    .option('--json', 'print JSON')
    .action((opts) => {
      let store: IntelStore;
      try {
        store = IntelStore.open(opts.db, { readonly: true });
      } catch {
        process.stderr.write(`beagle: no known-malware database at ${opts.db}; run \`beagle db update\`\n`);
        setExit(2);
        return;
      }
      const st = store.status();
      store.close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(st, null, 2)}\n`);
        return;
      }
      const lines = [
        `database:    ${st.path}`,
        `updated:     ${st.lastUpdate ?? 'never'} (${ageText(st.lastUpdate)})`,
        `advisories:  ${st.advisories}`,
        `packages:    npm ${st.packages.npm}, PyPI ${st.packages.pypi}, Maven ${st.packages.maven}`,
        `verdicts:    ${st.verdicts} cached deep-scan verdicts`,
        'sources:',
        ...st.sources.map((s) => `  ${s.name}  ${s.records} records, ${ageText(s.updatedAt)}  ${s.location}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
};
