import { expect, test } from 'vitest';
import { jsFindings } from '../helpers.js';

test('scratch', async () => {
  const code = process.env.SCRATCH_CODE ?? '';
  const f = await jsFindings(
    { 'index.js': code },
    { name: 'x', version: '1.0.0', scripts: { postinstall: 'node index.js' } },
  );
  console.log(
    JSON.stringify(
      f.map((x) => [x.ruleId, x.severity, x.category, x.line, x.message, x.evidence?.flow]),
      null,
      1,
    ),
  );
  expect(true).toBe(true);
});
