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
