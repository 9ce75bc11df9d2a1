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

describe('JS-019 host-package keyed payloads', () => {
  it('flags decryption keyed by npm_package_* metadata (event-stream style)', async () => {
    const code = `const crypto = require('crypto'); const key = process.env.npm_package_description;
      const d = crypto.createDecipher('aes256', key); let out = d.update(blob, 'hex', 'utf8');`;
    const f = await ruleFindings('JS-019', code);
    expect(f[0]?.evidence?.gate).toBe('host-package');
    expect(f[0]?.severity).toBe('high');
  });
  it('ignores decryption with a caller-supplied key', async () => {
    expect(
      await ruleFindings('JS-019', "require('crypto').createDecipheriv('aes-256-gcm', opts.key, iv)"),
    ).toHaveLength(0);
  });
});
