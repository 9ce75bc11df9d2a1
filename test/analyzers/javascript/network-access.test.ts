import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-002 network-access', () => {
  it('records http requests with the folded target', async () => {
    const f = await ruleFindings('JS-002', "require('https').get('https://example.invalid/' + 'x')");
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('info');
    expect(f[0]!.message).toContain('https://example.invalid/x');
  });
  it('does not fire on local functions named get', async () => {
    expect(
      await ruleFindings('JS-002', 'const m = new Map(); m.get(1); function request() {} request();'),
    ).toHaveLength(0);
  });
});
