import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-003 environment-dump', () => {
  it('flags serialising the whole environment', async () => {
    const f = await ruleFindings('JS-003', 'const s = JSON.stringify(process.env);');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('medium');
  });
  it('rates enumeration low (filters and child env copies are common)', async () => {
    const f = await ruleFindings('JS-003', "Object.keys(process.env).filter(k => k.startsWith('APP_'))");
    expect(f[0]?.severity).toBe('low');
  });
  it('ignores single variables and spawn env options', async () => {
    expect(
      await ruleFindings(
        'JS-003',
        "const p = process.env.PORT; require('child_process').spawn('x', [], { env: process.env });",
      ),
    ).toHaveLength(0);
  });
});
