import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-015 invisible-characters-in-code', () => {
  it('flags a Hangul-filler identifier', async () => {
    const f = await ruleFindings('JS-015', 'const { timeout, \u3164 } = opts; run(\u3164);');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('high');
  });
  it('flags bidi controls in comments', async () => {
    expect(
      await ruleFindings(
        'JS-015',
        'let isAdmin = false; /*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */',
      ),
    ).toHaveLength(1);
  });
  it('ignores the same characters inside strings', async () => {
    expect(await ruleFindings('JS-015', "const rtl = 'abc\u202Edef'; const z = `a\u200Bb`;")).toHaveLength(0);
  });
});
