import { describe, expect, it } from 'vitest';
import { decodeFiles, encodeFiles } from '../../src/bench/corpus.js';
import { SECTIONS, upsertSection } from '../../src/bench/run.js';
import { bench as scannerBench } from '../../src/bench/scanner.js';

describe('bench plumbing', () => {
  it('frames files for a child process and reads them back unchanged', () => {
    const files = [
      { pkg: 0, path: 'index.js', data: Buffer.from('module.exports = 1;\n') },
      { pkg: 3, path: 'lib/ünïcode.mjs', data: Buffer.from('export const s = "✓";') },
      { pkg: 3, path: 'empty.js', data: Buffer.alloc(0) },
    ];
    const back = decodeFiles(encodeFiles(files));
    expect(back.map((f) => [f.pkg, f.path, f.data.toString()])).toEqual(
      files.map((f) => [f.pkg, f.path, f.data.toString()]),
    );
  });

  it('replaces only its own section of docs/benchmarks.md and keeps the others', () => {
    const doc = [
      '# Benchmarks',
      '',
      'intro',
      '',
      '## Audit',
      '',
      'audit text',
      '',
      '## Scanner throughput',
      '',
      'old',
      '',
      '## Index',
      '',
      'index text',
      '',
    ].join('\n');
    const out = upsertSection(doc, '## Scanner throughput\n\nnew numbers\n');
    expect(out).toContain('audit text');
    expect(out).toContain('index text');
    expect(out).toContain('new numbers');
    expect(out).not.toContain('old');
    expect(out.indexOf('## Audit')).toBeLessThan(out.indexOf('## Scanner throughput'));
    expect(out.indexOf('## Scanner throughput')).toBeLessThan(out.indexOf('## Index'));
    // A section that is not there yet is appended.
    const appended = upsertSection(doc, '## Maven\n\nm\n');
    expect(appended.trimEnd().endsWith('## Maven\n\nm')).toBe(true);
    expect(appended).toContain('old');
  });

  it('lists the scanner section first and the other engineers’ sections after it', () => {
    expect(SECTIONS.map((s) => s.id)).toEqual(['scanner', 'pypi', 'maven', 'audit', 'index-service']);
  });

  it('the scanner bench skips with a message when the corpus is absent', async () => {
    const logs: string[] = [];
    const md = await scannerBench({ corpus: undefined, root: '.', repeat: 1, log: (m) => logs.push(m) });
    expect(md).toMatch(/^## Scanner throughput\n/);
    expect(md).toMatch(/Skipped: `..\/shared\/corpus` is absent/);
    expect(logs.join('\n')).toMatch(/corpus is absent/);
  });
});
