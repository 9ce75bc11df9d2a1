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
  it('ignores a zero-width character inside a comment, but not one in an identifier', async () => {
    // a comment that explains BOM stripping (popular PAC-file code) contains the BOM itself
    const comment =
      '/**\n * Strip a leading UTF-8 BOM (`\uFEFF`) if present.\n */\nfunction strip(s) { return s.slice(1); }';
    expect(await ruleFindings('JS-015', comment)).toHaveLength(0);
    const line = '// zero\u200Bwidth in a line comment\nmodule.exports = 1;';
    expect(await ruleFindings('JS-015', line)).toHaveLength(0);
    const ident = 'const us\u200Ber = 1; const user = 2; module.exports = us\u200Ber;';
    const f = await ruleFindings('JS-015', ident);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/zero-width/);
  });
});
