import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-019 environment-gating', () => {
  it('flags timezone-gated code as protestware', async () => {
    const f = await ruleFindings(
      'JS-019',
      "if (Intl.DateTimeFormat().resolvedOptions().timeZone === 'Europe/Moscow') { go(); }",
    );
    expect(f[0]?.category).toBe('protestware');
  });
  it('flags long delays and date bombs', async () => {
    const code = "setTimeout(run, 2 * 60 * 60 * 1000); if (new Date() > new Date('2030-01-01')) run();";
    const f = await ruleFindings('JS-019', code);
    expect(f.map((x) => x.evidence?.gate).sort()).toEqual(['date', 'delay']);
  });
  it('ignores ordinary i18n and CI colour checks', async () => {
    const code = "const lang = navigator.language === 'en-US' ? 'en' : 'de'; const color = !process.env.CI;";
    expect(await ruleFindings('JS-019', code)).toHaveLength(0);
  });
});
