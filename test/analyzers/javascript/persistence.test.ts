import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-016 persistence-write', () => {
  it('flags appending to a shell rc file', async () => {
    const code =
      "const os = require('os'), fs = require('fs'), path = require('path'); fs.appendFileSync(path.join(os.homedir(), '.bashrc'), 'x');";
    const f = await ruleFindings('JS-016', code);
    expect(f[0]?.evidence?.kind).toBe('shell startup file');
  });
  it('flags planting workflows and VS Code tasks', async () => {
    const code =
      "const fs = require('fs'); fs.writeFileSync('.github/workflows/ci.yml', y); fs.writeFileSync('.vscode/tasks.json', t);";
    expect(await ruleFindings('JS-016', code)).toHaveLength(2);
  });
  it('ignores ordinary output files', async () => {
    expect(await ruleFindings('JS-016', "require('fs').writeFileSync('dist/index.js', code)")).toHaveLength(
      0,
    );
  });
});
