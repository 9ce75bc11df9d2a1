import { describe, expect, it } from 'vitest';
import { jsFindings, scanInline } from '../helpers.js';

/** The JS-018 (recursive delete of the home folder) finding of `code` as a package's main file. */
async function homeDelete(code: string) {
  const f = await jsFindings({ 'index.js': code }, { name: 'x', version: '1.0.0', main: 'index.js' });
  return f.find((x) => x.ruleId === 'JS-018');
}
const RM = "require('fs').rmSync(require('os').homedir(), { recursive: true, force: true })";

describe('code that certainly runs when a module loads (evidence.atLoad)', () => {
  it('the top level, immediately invoked functions and named functions they call', async () => {
    for (const code of [
      `${RM};`,
      `(function () { ${RM}; })();`,
      `(async () => { ${RM}; })();`,
      `!function () { ${RM}; }();`,
      `(function () { ${RM}; }).call(this);`,
      `function main() { ${RM}; }\nmain();`,
      `const main = async () => { ${RM}; };\nmain().catch(() => {});`,
      `function inner() { ${RM}; }\nfunction main() { inner(); }\nmain();`,
    ])
      expect((await homeDelete(code))?.evidence?.atLoad, code).toBe(true);
  });
  it('callbacks of timers, promises, events and of the I/O the load-time code starts', async () => {
    for (const code of [
      `setTimeout(() => { ${RM}; }, 1000);`,
      `process.on('exit', function () { ${RM}; });`,
      `fetch('https://x.invalid/c').then((r) => r.json()).then((j) => { if (j.go) ${RM}; });`,
      `require('https').get('https://x.invalid/c', (res) => { res.on('end', () => { ${RM}; }); });`,
      `function wipe() { ${RM}; }\nsetTimeout(wipe, 500);`,
    ])
      expect((await homeDelete(code))?.evidence?.atLoad, code).toBe(true);
  });
  it('functions nobody calls at load run only when called: exports, handlers, methods', async () => {
    for (const code of [
      `module.exports = function clean() { ${RM}; };`,
      `exports.reset = () => { ${RM}; };`,
      `function reset() { ${RM}; }\nmodule.exports = { reset };`,
      `class Store { clear() { ${RM}; } }\nmodule.exports = Store;`,
      `app.post('/reset', (req, res) => { ${RM}; });`,
      `function never() { ${RM}; }`,
    ]) {
      const f = await homeDelete(code);
      expect(f, code).toBeDefined();
      expect(f?.evidence?.atLoad, code).toBeUndefined();
    }
  });
  it('a destructive call at load in an imported file is malicious; the same inside an export is not', async () => {
    const manifest = { name: 'x', version: '1.0.0', main: 'index.js' };
    const atLoad = await scanInline({ 'index.js': `${RM};\nmodule.exports = {};` }, manifest);
    expect(atLoad.verdict.verdict).toBe('malicious');
    const exported = await scanInline(
      { 'index.js': `module.exports = function reset() { ${RM}; };` },
      manifest,
    );
    expect(exported.verdict.verdict).not.toBe('malicious');
  });
});
