import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-021 developer-platform-abuse', () => {
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
