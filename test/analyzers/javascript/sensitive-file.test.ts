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
