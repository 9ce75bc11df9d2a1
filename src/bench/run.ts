/**
 * `npm run bench`: runs every bench section and prints the Markdown for docs/benchmarks.md.
 *
 * A section is a module next to this file exporting `bench(ctx: BenchContext): Promise<string>`
 * (a default export or `run` also works) that returns a Markdown section starting with `## Title`.
 * Sections whose module does not exist (yet) are skipped. To add one, add a line to SECTIONS.
 *
 *   node dist/bench/run.js [--only scanner,pypi] [--repeat N] [--update-docs]
 *
 * `--update-docs` replaces, in docs/benchmarks.md, only the sections that ran (matched by their
 * `## Title`), appending new ones; other sections are left as they are.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { findCorpus, REPO_ROOT } from './corpus.js';
import type { BenchContext, BenchSection } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Every bench section, in the order they appear in docs/benchmarks.md. */
export const SECTIONS: Array<{ id: string; module: string }> = [
  { id: 'scanner', module: 'scanner.js' },
  { id: 'pypi', module: 'pypi.js' },
  { id: 'maven', module: 'maven.js' },
  { id: 'audit', module: 'audit.js' },
  { id: 'index-service', module: 'index-service.js' },
];

const INTRO = [
  '# Benchmarks',
  '',
  'Measured with `npm run bench` (`src/bench/run.ts`), which prints these sections as Markdown;',
  '`node dist/bench/run.js --only <section> --update-docs` rewrites just that section here.',
  'Every comparison runs side by side with its peer in the same run, on the same input.',
  '',
].join('\n');

async function loadSection(file: string): Promise<BenchSection | undefined> {
  const abs = path.join(HERE, file);
  if (!existsSync(abs)) return undefined;
  const mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  const fn = mod.bench ?? mod.default ?? mod.run;
  if (typeof fn !== 'function') throw new Error(`${file} exports no bench(ctx) function`);
  return fn as BenchSection;
}

/** Replaces the `## Title` section of a Markdown document, or appends it. */
export function upsertSection(doc: string, section: string): string {
  const heading = section.split('\n', 1)[0]!.trim();
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  const body = section.trimEnd();
  if (start === -1) return `${doc.trimEnd()}\n\n${body}\n`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end === -1) end = lines.length;
  const after = lines.slice(end).join('\n');
  return `${[...lines.slice(0, start), body].join('\n')}\n${after ? `\n${after}` : ''}`.replace(/\n*$/, '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'update-docs': { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const ctx: BenchContext = {
    corpus: findCorpus(),
    root: REPO_ROOT,
    repeat: Math.max(1, Number.parseInt(values.repeat ?? '1', 10) || 1),
    log: (m) => process.stderr.write(`${m}\n`),
  };
  if (!ctx.corpus) ctx.log('bench: ../shared/corpus is absent; corpus-based sections will say so and skip.');
  const outputs: string[] = [];
  for (const { id, module } of SECTIONS) {
    if (only && !only.includes(id)) continue;
    const section = await loadSection(module);
    if (!section) {
      ctx.log(`bench: section ${id} (${module}) is not there yet; skipped`);
      continue;
    }
    ctx.log(`bench: ${id}`);
    const md = await section(ctx);
    outputs.push(md.trimEnd());
    process.stdout.write(`${md.trimEnd()}\n\n`);
  }
  if (values['update-docs']) {
    const file = path.join(REPO_ROOT, 'docs/benchmarks.md');
    let doc = existsSync(file) ? readFileSync(file, 'utf8') : INTRO;
    for (const md of outputs) doc = upsertSection(doc, md);
    writeFileSync(file, doc);
    ctx.log(`bench: updated ${path.relative(REPO_ROOT, file)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
