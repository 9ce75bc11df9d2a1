import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/types.js';
import { CAPABILITY_CAP, computeVerdict } from '../../../src/verdict/score.js';

const f = (over: Partial<Finding>): Finding => ({
  ruleId: 'JS-001',
  category: 'execution',
  severity: 'low',
  confidence: 'high',
  message: 'm',
  context: 'runtime',
  file: 'a.js',
  ...over,
});

describe('verdict scoring', () => {
  it('capabilities alone never make a package suspicious', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      f({
        ruleId: i % 2 ? 'JS-001' : 'JS-002',
        category: i % 2 ? 'execution' : 'network',
        severity: 'medium',
        context: 'install',
        file: `f${i}.js`,
      }),
    );
    const v = computeVerdict(many);
    expect(v.verdict).toBe('clean');
    expect(v.score).toBeLessThanOrEqual(Math.round(100 * (1 - Math.exp(-CAPABILITY_CAP / 70))));
  });
  it('the same finding on the same code in two files (bundle copies) adds points once', () => {
    const one = f({
      ruleId: 'JS-012',
      category: 'dropper',
      severity: 'high',
      context: 'import',
      message: 'Runs data fetched from the network with module._compile.',
      snippet: 'm._compile(code)',
      file: 'dist/worker-a.js',
    });
    const copy = { ...one, file: 'dist/worker-b.js' };
    const other = { ...one, file: 'dist/worker-b.js', snippet: 'vm.runInThisContext(code)' };
    const alone = computeVerdict([one]).score;
    expect(computeVerdict([one, copy]).score).toBe(alone);
    // a different piece of code with the same message is more evidence
    expect(computeVerdict([one, other]).score).toBeGreaterThan(alone);
  });
  it('a traced secret flow is malicious', () => {
    const v = computeVerdict([f({ ruleId: 'JS-010', category: 'exfiltration', severity: 'critical' })]);
    expect(v.verdict).toBe('malicious');
    expect(v.reasons[0]).toContain('secrets flow');
  });
  it('secrets and network in the same install file are malicious, in different runtime files not', () => {
    const same = computeVerdict([
      f({
        ruleId: 'JS-004',
        category: 'credential-theft',
        severity: 'high',
        confidence: 'medium',
        context: 'install',
      }),
      f({ ruleId: 'JS-002', category: 'network', severity: 'info', context: 'install' }),
    ]);
    expect(same.verdict).toBe('malicious');
    const apart = computeVerdict([
      f({
        ruleId: 'JS-004',
        category: 'credential-theft',
        severity: 'high',
        confidence: 'medium',
        file: 'a.js',
      }),
      f({ ruleId: 'JS-002', category: 'network', severity: 'info', file: 'b.js' }),
    ]);
    expect(apart.verdict).not.toBe('malicious');
  });
  it('suppressed findings do not count', () => {
    const v = computeVerdict([
      f({ ruleId: 'JS-012', category: 'dropper', severity: 'critical', suppressed: { reason: 'accepted' } }),
    ]);
    expect(v.verdict).toBe('clean');
  });
  it('obfuscation at install is malicious, in a runtime bundle it is not', () => {
    const install = computeVerdict([
      f({ ruleId: 'JS-008', category: 'obfuscation', severity: 'high', context: 'install' }),
    ]);
    expect(install.verdict).toBe('malicious');
    const runtime = computeVerdict([
      f({ ruleId: 'JS-008', category: 'obfuscation', severity: 'high', context: 'runtime' }),
    ]);
    expect(runtime.verdict).not.toBe('malicious');
  });
});

describe('verdict: mentions versus behaviour', () => {
  it('an install script that only names a credential file is not malicious by itself', () => {
    const v = computeVerdict([
      f({
        ruleId: 'JS-004',
        category: 'credential-theft',
        severity: 'high',
        confidence: 'medium',
        context: 'install',
      }),
    ]);
    expect(v.verdict).toBe('suspicious');
  });
  it('an install script that reads SSH keys with a shell command is malicious', () => {
    const v = computeVerdict([
      f({
        ruleId: 'NPM-002',
        category: 'credential-theft',
        severity: 'high',
        confidence: 'high',
        context: 'install',
        file: 'package.json',
      }),
    ]);
    expect(v.verdict).toBe('malicious');
  });
});

describe('verdict: endpoints at import time', () => {
  const net = (kind: string, context: Finding['context']) =>
    f({
      ruleId: 'NET-001',
      category: 'exfiltration',
      severity: 'high',
      confidence: 'medium',
      context,
      evidence: { endpointKind: kind },
    });
  it('a bot library that talks to the Telegram API at import is not malicious', () => {
    expect(computeVerdict([net('messaging-bot', 'import')]).verdict).not.toBe('malicious');
  });
  it('an OAST host at import, or a webhook at install, is malicious', () => {
    const request = f({ ruleId: 'JS-002', category: 'network', severity: 'info', context: 'import' });
    expect(computeVerdict([net('oast', 'import'), request]).verdict).toBe('malicious');
    expect(computeVerdict([net('discord-webhook', 'install')]).verdict).toBe('malicious');
  });
  it('an imported JavaScript file that only names a paste or drop site as data is not (an icon set)', () => {
    expect(computeVerdict([net('paste', 'import')]).verdict).not.toBe('malicious');
    const curl = f({ ruleId: 'JS-001', category: 'execution', severity: 'low', context: 'import' });
    expect(computeVerdict([net('paste', 'import'), curl]).verdict).toBe('malicious');
    const py = { ...net('paste', 'import'), file: 'pkg/__init__.py' };
    expect(computeVerdict([py]).verdict).toBe('malicious');
  });
});

describe('raw-ip-early chain: contexts as precise as the analyzer knows them', () => {
  const pair = (file: string, context: Finding['context']) => [
    f({
      ruleId: 'NET-001',
      category: 'exfiltration',
      severity: 'medium',
      context,
      file,
      evidence: { endpointKind: 'raw-ip' },
    }),
    f({
      ruleId: file.endsWith('.py') ? 'PY-006' : 'JS-002',
      category: 'network',
      severity: 'low',
      context,
      file,
    }),
  ];
  it('holds for Python import-time code and for install-time JavaScript', () => {
    expect(computeVerdict(pair('pkg/__init__.py', 'import')).reasons.join(' ')).toMatch(/raw public IP/);
    expect(computeVerdict(pair('install.js', 'install')).reasons.join(' ')).toMatch(/raw public IP/);
  });
  it('does not hold for an imported JavaScript file (its context is per file, not per function)', () => {
    expect(computeVerdict(pair('lib/client.js', 'import')).reasons.join(' ')).not.toMatch(/raw public IP/);
  });
});

describe('chains on imported JavaScript files (context per file, so co-occurrence is weaker)', () => {
  const secret = (context: Finding['context'], file = 'lib/config.js') =>
    f({ ruleId: 'JS-004', category: 'credential-theft', severity: 'high', context, file });
  const net = (context: Finding['context'], callee: string, file = 'lib/config.js') =>
    f({ ruleId: 'JS-002', category: 'network', severity: 'info', context, file, evidence: { callee } });
  const leaves = (fs: Finding[]) => computeVerdict(fs).reasons.join(' ');

  it('secrets-leave: an SDK config loader naming ~/.aws next to http.request is not the chain', () => {
    expect(leaves([secret('import'), net('import', 'http.request')])).not.toMatch(
      /reads secrets and uses the network/,
    );
  });
  it('secrets-leave: a webhook client or an exfiltration endpoint in that file is', () => {
    expect(leaves([secret('import'), net('import', 'discord.js.WebhookClient')])).toMatch(
      /reads secrets and uses the network/,
    );
    const endpoint = f({
      ruleId: 'NET-001',
      category: 'exfiltration',
      severity: 'medium',
      context: 'import',
      file: 'lib/config.js',
    });
    expect(leaves([secret('import'), endpoint])).toMatch(/reads secrets and uses the network/);
  });
  it('secrets-leave: any network use counts in install-time code and in Python import-time code', () => {
    expect(leaves([secret('install', 'install.js'), net('install', 'http.request', 'install.js')])).toMatch(
      /reads secrets and uses the network/,
    );
    const py = [
      f({
        ruleId: 'PY-009',
        category: 'credential-theft',
        severity: 'high',
        context: 'import',
        file: 'p/__init__.py',
      }),
      f({ ruleId: 'PY-006', category: 'network', severity: 'low', context: 'import', file: 'p/__init__.py' }),
    ];
    expect(leaves(py)).toMatch(/reads secrets and uses the network/);
  });

  const remote = (context: Finding['context'], fixedUrl?: string, atLoad?: boolean) =>
    f({
      ruleId: 'JS-012',
      category: 'dropper',
      severity: 'critical',
      context,
      evidence: { ...(fixedUrl ? { fixedUrl } : {}), ...(atLoad ? { atLoad } : {}) },
    });
  it('remote-code: runtime code evaluating what it fetched from a computed address is not the chain', () => {
    expect(computeVerdict([remote('runtime')]).reasons.join(' ')).not.toMatch(
      /runs code fetched from the network/,
    );
  });
  it('remote-code: a constant address, install-time code, or code certainly run at load, is', () => {
    expect(computeVerdict([remote('runtime', 'https://x.invalid/p.js')]).verdict).toBe('malicious');
    expect(computeVerdict([remote('install')]).verdict).toBe('malicious');
    expect(computeVerdict([remote('import', undefined, true)]).verdict).toBe('malicious');
    expect(computeVerdict([remote('import', 'https://x.invalid/p.js')]).verdict).toBe('malicious');
  });
  it('remote-code: a computed address inside an imported file function is not the chain', () => {
    // a codec library compiling the decoder it fetched from its CDN (@loaders.gl/textures)
    const v = computeVerdict([remote('import')]);
    expect(v.reasons.join(' ')).not.toMatch(/runs code fetched|downloads or drops/);
  });
});

describe('host-data-flow on imported JavaScript files', () => {
  const flow = (severity: Finding['severity'], context: Finding['context'], file = 'build/cleanup.js') =>
    f({ ruleId: 'JS-011', category: 'exfiltration', severity, context, file });
  it('one hostname in an imported SDK file (test-reporting telemetry) is not the chain', () => {
    expect(computeVerdict([flow('medium', 'import')]).reasons.join(' ')).not.toMatch(
      /host fingerprints flow/,
    );
  });
  it('the beacon shape (high) at import, any flow at install, and Python import-time flows are', () => {
    expect(computeVerdict([flow('high', 'import')]).reasons.join(' ')).toMatch(/host fingerprints flow/);
    expect(computeVerdict([flow('medium', 'install', 'install.js')]).reasons.join(' ')).toMatch(
      /host fingerprints flow/,
    );
    const py = f({
      ruleId: 'PY-008',
      category: 'exfiltration',
      severity: 'medium',
      context: 'import',
      file: 'p/__init__.py',
    });
    expect(computeVerdict([py]).reasons.join(' ')).toMatch(/host fingerprints flow/);
  });
});
