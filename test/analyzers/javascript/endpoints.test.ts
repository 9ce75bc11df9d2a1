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
  it('ignores ordinary hosts', async () => {
    expect(await ruleFindings('NET-001', "fetch('https://api.example.com/v1')")).toHaveLength(0);
  });
});
