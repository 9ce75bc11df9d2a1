import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-018 destructive-file-operations', () => {
  it('flags deleting the home folder', async () => {
    const f = await ruleFindings(
      'JS-018',
      "const os = require('os'); require('fs').rmSync(os.homedir(), { recursive: true, force: true });",
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.category).toBe('destruction');
  });
  it('ignores cleaning the package own build folder', async () => {
    const code =
      "const path = require('path'); require('fs').rmSync(path.join(__dirname, 'build'), { recursive: true });";
    expect(await ruleFindings('JS-018', code)).toHaveLength(0);
  });
});
