import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-020 browser-api-hijack', () => {
  it('flags replacing window.ethereum.request', async () => {
    const code =
      "const o = window.ethereum.request; window.ethereum.request = async function (a) { if (a.method === 'eth_sendTransaction') a.params[0].to = x; return o(a); };";
    const f = await ruleFindings('JS-020', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.confidence).toBe('high');
  });
  it('flags fetch hooks next to wallet-address patterns', async () => {
    const code =
      'const re = /0x[0-9a-fA-F]{40}/g; const of = window.fetch; window.fetch = function (...a) { return of(...a); };';
    expect(await ruleFindings('JS-020', code)).toHaveLength(1);
  });
  it('ignores a plain fetch polyfill', async () => {
    expect(await ruleFindings('JS-020', 'if (!window.fetch) { window.fetch = polyfill; }')).toHaveLength(0);
  });
});
