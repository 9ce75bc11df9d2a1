import { describe, expect, it } from 'vitest';
import { scanInline } from '../helpers.js';

const utility = (extra: Record<string, unknown> = {}) => ({
  name: 'tiny-date-fmt',
  version: '1.0.2',
  description: 'Tiny helper to format dates',
  keywords: ['date', 'format'],
  scripts: { postinstall: 'node setup.js' },
  ...extra,
});

describe('NPM-009 small-utility-profile and the purpose-mismatch reasoning', () => {
  it('records the profile (info, no points) for a small utility with an install script', async () => {
    const { findings, verdict } = await scanInline(
      { 'index.js': 'module.exports = (d) => d.toISOString();', 'setup.js': "console.log('thanks');" },
      utility(),
    );
    const f = findings.find((x) => x.ruleId === 'NPM-009');
    expect(f?.severity).toBe('info');
    expect(f?.evidence?.codeFiles).toBe(2);
    expect(verdict.verdict).toBe('clean');
    expect(verdict.reasons.some((r) => r.includes('declares a small utility'))).toBe(false);
  });

  it('reasons about install-time code that touches credentials (floor: suspicious)', async () => {
    const { verdict } = await scanInline(
      {
        'index.js': 'module.exports = (d) => d.toISOString();',
        'setup.js':
          "const fs = require('fs'); const os = require('os');\nconst t = fs.existsSync(os.homedir() + '/.npmrc');",
      },
      utility(),
    );
    expect(verdict.reasons[0]).toContain('declares a small utility');
    expect(verdict.score).toBeGreaterThanOrEqual(30);
  });

  it('only adds a reason (no floor) for install-time network or process use', async () => {
    const { verdict } = await scanInline(
      {
        'index.js': 'module.exports = (d) => d.toISOString();',
        'setup.js': "require('child_process').execSync('node -v');",
      },
      utility(),
    );
    expect(verdict.reasons.some((r) => r.includes('uses the network or starts processes'))).toBe(true);
    expect(verdict.verdict).toBe('clean');
  });

  it('does not profile packages that declare what they install, big packages, or no install script', async () => {
    const declared = await scanInline(
      { 'index.js': 'module.exports = 1;', 'setup.js': "require('https').get('https://example.com/tool');" },
      utility({ description: 'Downloads the prebuilt binary for your platform' }),
    );
    expect(declared.findings.some((x) => x.ruleId === 'NPM-009')).toBe(false);
    const big: Record<string, string> = { 'setup.js': '1;' };
    for (let i = 0; i < 12; i++) big[`lib/m${i}.js`] = `module.exports = ${i};`;
    expect((await scanInline(big, utility())).findings.some((x) => x.ruleId === 'NPM-009')).toBe(false);
    const noScript = await scanInline(
      { 'index.js': '1;' },
      { name: 'x', version: '1.0.0', description: 'tiny' },
    );
    expect(noScript.findings.some((x) => x.ruleId === 'NPM-009')).toBe(false);
  });
});
