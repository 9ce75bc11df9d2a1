import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-021 developer-platform-abuse', () => {
  it('pushing files through the contents API is high, reading them is low', async () => {
    const put = await ruleFindings(
      'JS-021',
      "fetch('https://api.github.com/repos/o/r/contents/data.json', { method: 'PUT', body: JSON.stringify({ content: c }) })",
    );
    expect(put[0]?.severity).toBe('high');
    const route = await ruleFindings(
      'JS-021',
      "octokit.request('PUT https://api.github.com/repos/o/r/contents/x')",
    );
    expect(route[0]?.severity).toBe('high');
    const read = await ruleFindings(
      'JS-021',
      "const r = await fetch('https://api.github.com/repos/cloudflare/skills/contents/skills');",
    );
    expect(read[0]?.severity).toBe('low');
    // Actions secrets and runners stay high on their own
    const secrets = await ruleFindings('JS-021', "get('https://api.github.com/repos/o/r/actions/secrets')");
    expect(secrets[0]?.severity).toBe('high');
  });
  it('flags creating repositories through the GitHub API', async () => {
    const f = await ruleFindings('JS-021', "fetch('https://api.github.com/user/repos', { method: 'POST' })");
    expect(f).toHaveLength(1);
  });
  it('flags TruffleHog downloads', async () => {
    const f = await ruleFindings(
      'JS-021',
      "const u = 'https://github.com/trufflesecurity/trufflehog/releases/download/v3/trufflehog_linux_amd64.tar.gz';",
    );
    expect(f[0]?.category).toBe('credential-theft');
  });
  it('ignores reading public repository metadata', async () => {
    expect(
      await ruleFindings('JS-021', "fetch('https://api.github.com/repos/o/r/releases/latest')"),
    ).toHaveLength(0);
  });
});
