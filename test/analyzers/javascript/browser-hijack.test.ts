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

describe('JS-020 clipboard address swappers', () => {
  it('flags pbpaste/pbcopy polling with an address pattern and a fixed address as critical', async () => {
    const code = `const cp = require('child_process');
      setInterval(() => { const t = cp.execSync('pbpaste').toString();
        if (/^0x[a-fA-F0-9]{40}$/.test(t)) cp.execSync('echo 0x00000000000000000000000000000000000000a1 | pbcopy'); }, 500);`;
    const f = await ruleFindings('JS-020', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.message).toMatch(/pbpaste.*pbcopy.*clipboard address swapper/);
    expect(f[0]!.evidence).toMatchObject({ walletPatterns: true, walletAddress: true });
  });
  it('sees xclip, PowerShell and clipboardy too, high with the pattern alone', async () => {
    const xclip = `const { execSync } = require('child_process');
      const t = execSync('xclip -selection clipboard -o').toString();
      if (/bc1[a-z0-9]{25,39}/.test(t)) execSync('xclip -selection clipboard', { input: next() });`;
    const a = await ruleFindings('JS-020', xclip);
    expect(a).toHaveLength(1);
    expect(a[0]!.severity).toBe('high');
    const clipboardy = `const clipboardy = require('clipboardy');
      setInterval(() => { const t = clipboardy.readSync(); if (t.startsWith('0x') && t.length === 42) clipboardy.writeSync('0x00000000000000000000000000000000000000a1'); }, 300);`;
    expect(await ruleFindings('JS-020', clipboardy)).toHaveLength(1);
    const ps = `require('child_process').exec('powershell -c "Get-Clipboard"', (e, out) => {
      if (/^0x[0-9a-fA-F]{40}$/.test(out.trim())) require('child_process').exec('powershell -c "Set-Clipboard 0x00000000000000000000000000000000000000a1"'); });`;
    expect(await ruleFindings('JS-020', ps)).toHaveLength(1);
  });
  it('ignores clipboard tools without wallet addresses, and one-way clipboard use', async () => {
    // a copy/paste helper (read and write, no addresses)
    const helper = `const { execSync } = require('child_process');
      exports.paste = () => execSync('pbpaste').toString(); exports.copy = (t) => execSync('pbcopy', { input: t });`;
    expect(await ruleFindings('JS-020', helper)).toHaveLength(0);
    // a wallet CLI that copies an address it shows (write only)
    const wallet = `const clipboardy = require('clipboardy'); const ADDR = /^0x[0-9a-fA-F]{40}$/;
      module.exports = (a) => { if (ADDR.test(a)) clipboardy.writeSync(a); };`;
    expect(await ruleFindings('JS-020', wallet)).toHaveLength(0);
  });
});
