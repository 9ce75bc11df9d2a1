import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanInline } from '../helpers.js';

/**
 * One inert probe per technique (reserved addresses only): process execution reached through
 * compiler interop, require look-alikes, .call/.apply, promisify, Bun; secrets sent by fetch,
 * axios, sockets, DNS, curl; droppers, persistence, destruction, wallet drainers... Each runs as a
 * package's postinstall script, where every one of them must be rated malicious, and as its main
 * file, where the verdicts recorded below must hold (docs/benchmarks.md, "npm: evasion probes").
 */
const PROBES: Record<string, string> = JSON.parse(
  readFileSync(new URL('./evasion-probes.json', import.meta.url), 'utf8'),
);
/** Known gaps at install time: techniques no rule covers yet (none since the fifth session). */
const INSTALL_GAPS = new Set<string>([]);
/**
 * At import, these stay below malicious: a `powershell -enc` that is not a download, and
 * `npm publish` (what release tooling does).
 */
const IMPORT_BELOW = new Set(['npmPublish', 'psEnc']);

function fileFor(code: string): string {
  return /^import |\nimport |export /.test(code) ? 'index.mjs' : 'index.js';
}

describe('evasion probes', () => {
  it('has the probes', () => {
    expect(Object.keys(PROBES).length).toBeGreaterThanOrEqual(60);
  });
  it('rates every covered technique malicious in an install script', async () => {
    const missed: string[] = [];
    for (const [name, code] of Object.entries(PROBES)) {
      const file = fileFor(code);
      const { verdict } = await scanInline(
        { [file]: code },
        { name: 'probe', version: '1.0.0', scripts: { postinstall: `node ${file}` } },
      );
      if (verdict.verdict !== 'malicious' && !INSTALL_GAPS.has(name))
        missed.push(`${name} (${verdict.score})`);
    }
    expect(missed).toEqual([]);
  });
  it('rates the techniques that act at load malicious in a package main file', async () => {
    const missed: string[] = [];
    for (const [name, code] of Object.entries(PROBES)) {
      const file = fileFor(code);
      const { verdict } = await scanInline({ [file]: code }, { name: 'probe', version: '1.0.0', main: file });
      if (verdict.verdict !== 'malicious' && !IMPORT_BELOW.has(name))
        missed.push(`${name} (${verdict.score})`);
    }
    expect(missed).toEqual([]);
  });
});
