import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-007 system-fingerprinting', () => {
  it('flags collecting several host fingerprints', async () => {
    const f = await ruleFindings(
      'JS-007',
      "const os = require('os'); const d = { h: os.hostname(), u: os.userInfo().username, c: process.cwd() };",
    );
    expect(f).toHaveLength(1);
  });
  it('ignores a lone platform check', async () => {
    expect(
      await ruleFindings('JS-007', "const os = require('os'); if (os.platform() === 'win32') {}"),
    ).toHaveLength(0);
  });
});
