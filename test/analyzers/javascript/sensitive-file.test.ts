import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-004 sensitive-file-access', () => {
  it('folds path.join(os.homedir(), ".ssh", "id_rsa")', async () => {
    const f = await ruleFindings(
      'JS-004',
      "const os = require('os'), path = require('path'); path.join(os.homedir(), '.ssh', 'id_rsa');",
    );
    expect(f.map((x) => x.evidence?.secret)).toContain('SSH keys');
  });
  it('finds browser credential stores in concatenations', async () => {
    const f = await ruleFindings(
      'JS-004',
      "const p = base + '/Google/Chrome/User Data/Default/' + 'Login Data';",
    );
    expect(f.length).toBeGreaterThan(0);
  });
  it('ignores ordinary paths', async () => {
    expect(await ruleFindings('JS-004', "require('fs').readFileSync('./config/settings.json')")).toHaveLength(
      0,
    );
  });
});

describe('JS-004 browser paths: profiles, not programs', () => {
  it("names Brave's user data folder, not its executable (a browser launcher)", async () => {
    const exe = `const bin = '/mnt/c/Program Files (x86)/BraveSoftware/Brave-Browser/Application/brave.exe';`;
    expect(await ruleFindings('JS-004', exe)).toHaveLength(0);
    const profile = `const p = require('path').join(process.env.LOCALAPPDATA, 'BraveSoftware', 'Brave-Browser', 'User Data', 'Default');`;
    expect(await ruleFindings('JS-004', profile)).toHaveLength(1);
  });
});

describe('JS-004 what is not a credential store', () => {
  it('known_hosts (public host keys, or an API path ending in it) is not SSH keys; ~/.ssh still is', async () => {
    const api = `const url = '/repositories/{workspace}/{repo_slug}/pipelines_config/ssh/known_hosts';`;
    expect(await ruleFindings('JS-004', api)).toHaveLength(0);
    const dir = `const p = require('path').join(require('os').homedir(), '.ssh', 'id_ed25519');`;
    expect(await ruleFindings('JS-004', dir)).toHaveLength(1);
  });
});
