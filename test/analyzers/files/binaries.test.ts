import { describe, expect, it } from 'vitest';
import { scanInline } from '../helpers.js';

const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(256, 7)]);
/** Deterministic pseudo-random bytes (high entropy, no magic number). */
function noise(n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 0x12345678;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  out[0] = 0x42;
  return out;
}

describe('BIN-002 unexplained-binary', () => {
  it('flags a lone ELF that install-time code runs, high enough for the install-dropper chain', async () => {
    const { findings, verdict } = await scanInline(
      {
        'lib/update': elf,
        'setup.js': "require('child_process').spawn(__dirname + '/lib/update', { detached: true });",
      },
      { name: 'tiny-utils', version: '1.0.0', scripts: { postinstall: 'node setup.js' } },
    );
    const f = findings.find((x) => x.ruleId === 'BIN-002');
    expect(f?.severity).toBe('high');
    expect(f?.context).toBe('install');
    expect(verdict.verdict).toBe('malicious');
  });

  it('is low for an unexplained binary nothing runs early', async () => {
    const { findings } = await scanInline({ 'assets/helper': elf });
    expect(findings.find((x) => x.ruleId === 'BIN-002')?.severity).toBe('low');
  });

  it('stays quiet for platform packages, prebuild layouts and native tooling', async () => {
    const cases: Array<[Record<string, string | Buffer>, Record<string, unknown>]> = [
      [{ 'bin/tool': elf }, { name: '@x/tool-linux-x64', version: '1.0.0' }],
      [{ 'bin/tool': elf }, { name: 'tool-bin', version: '1.0.0', os: ['linux'], cpu: ['x64'] }],
      [{ 'prebuilds/any/addon.node': elf }, { name: 'addon', version: '1.0.0' }],
      // SAP's client: prebuilt/<fused platform name>/addon.node
      [{ 'prebuilt/linuxx86_64_alpine/hana-client.node': elf }, { name: 'db-client', version: '1.0.0' }],
      [
        { 'bin/windows-kill.exe': Buffer.concat([Buffer.from('MZ'), Buffer.alloc(128)]) },
        { name: 'mon', version: '1.0.0' },
      ],
      [{ 'addon.node': elf }, { name: 'addon', version: '1.0.0', dependencies: { 'node-gyp-build': '^4' } }],
      [
        { 'addon.node': elf, 'binding.gyp': '{}' },
        { name: 'addon', version: '1.0.0' },
      ],
    ];
    for (const [files, manifest] of cases) {
      const { findings } = await scanInline(files, manifest);
      expect(findings.filter((x) => x.ruleId === 'BIN-002')).toHaveLength(0);
    }
  });
});

describe('BIN-003 opaque-blob', () => {
  it('flags a high-entropy blob of no known format, stronger when install code names it', async () => {
    const { findings } = await scanInline(
      {
        'lib/data.bin': noise(100_000),
        'install.js': "const b = require('fs').readFileSync(__dirname + '/lib/data.bin');",
      },
      { name: 'x', version: '1.0.0', scripts: { postinstall: 'node install.js' } },
    );
    const f = findings.find((x) => x.ruleId === 'BIN-003');
    expect(f?.severity).toBe('medium');
    expect(f?.evidence?.referencedBy).toBe('install');
    const quiet = await scanInline({ 'assets/blob.xyz': noise(100_000) });
    expect(quiet.findings.find((x) => x.ruleId === 'BIN-003')?.severity).toBe('low');
  });

  it('flags an executable hidden as base64 in a JavaScript file', async () => {
    const pe = Buffer.concat([Buffer.from('MZ'), noise(40_000)]);
    const { findings } = await scanInline({
      'index.js': `const payload = '${pe.toString('base64')}';\nmodule.exports = payload;`,
    });
    const f = findings.find((x) => x.ruleId === 'BIN-003');
    expect(f?.category).toBe('dropper');
    expect(f?.evidence?.decodesTo).toBe('Windows PE executable');
  });

  it('ignores known formats, low-entropy data and base64 that is not an executable', async () => {
    const { findings } = await scanInline({
      'fonts/a.woff2': noise(100_000),
      'data/table.bin': Buffer.alloc(100_000, 3),
      'inline.js': `module.exports = '${noise(60_000).toString('base64')}';`,
    });
    expect(findings.filter((x) => x.ruleId === 'BIN-003')).toHaveLength(0);
  });
});
