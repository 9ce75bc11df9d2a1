import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeName } from '../../src/intel/normalize.js';
import { isMaliciousRecord, toAdvisory } from '../../src/intel/osv.js';
import { IntelStore } from '../../src/intel/store.js';
import { advisoriesFromZip, defaultSources, updateSource } from '../../src/intel/update.js';
import { compareMaven, comparePep440, inRange } from '../../src/intel/versions.js';
import { OSV_FIXTURES, osvZip, startOsvServer } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'beagle-intel-'));

describe('names and versions', () => {
  it('normalises per ecosystem', () => {
    expect(normalizeName('pypi', 'Foo_Bar.baz--Qux')).toBe('foo-bar-baz-qux');
    expect(normalizeName('npm', 'JSONStream')).toBe('jsonstream');
    expect(normalizeName('maven', 'org.Example:Lib')).toBe('org.Example:Lib');
  });

  it('orders PEP 440 versions', () => {
    const sorted = ['1.0.dev1', '1.0a1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0.post1', '1.1', '2!0.1'];
    for (let i = 1; i < sorted.length; i++) expect(comparePep440(sorted[i - 1]!, sorted[i]!)).toBe(-1);
    expect(comparePep440('1.0', '1.0.0')).toBe(0);
  });

  it('orders Maven versions', () => {
    expect(compareMaven('1.9', '1.10')).toBe(-1);
    expect(compareMaven('1.0-alpha-1', '1.0')).toBe(-1);
    expect(compareMaven('1.0-rc1', '1.0-SNAPSHOT')).toBe(-1);
    expect(compareMaven('1.0.0', '1.0')).toBe(0);
    expect(compareMaven('1.0-sp1', '1.0')).toBe(1);
  });

  it('evaluates OSV ranges', () => {
    const r = { type: 'SEMVER', events: [{ introduced: '0.7.29' }, { fixed: '0.7.30' }] };
    expect(inRange('npm', '0.7.29', r)).toBe(true);
    expect(inRange('npm', '0.7.30', r)).toBe(false);
    expect(inRange('npm', '0.7.28', r)).toBe(false);
    const all = { type: 'SEMVER', events: [{ introduced: '0' }] };
    expect(inRange('npm', '99.0.0', all)).toBe(true);
    const last = { type: 'ECOSYSTEM', events: [{ introduced: '2.0.0rc1' }, { last_affected: '2.0.1' }] };
    expect(inRange('pypi', '2.0.1', last)).toBe(true);
    expect(inRange('pypi', '2.0.0', last)).toBe(true);
    expect(inRange('pypi', '2.0.2', last)).toBe(false);
    expect(inRange('pypi', '1.9', last)).toBe(false);
  });

  it('keeps malicious-package records only', () => {
    expect(isMaliciousRecord({ id: 'MAL-2024-1' })).toBe(true);
    expect(isMaliciousRecord({ id: 'GHSA-x', aliases: ['MAL-2024-2'] })).toBe(true);
    expect(isMaliciousRecord({ id: 'GHSA-y', database_specific: { 'malicious-packages-origins': [] } })).toBe(
      true,
    );
    expect(isMaliciousRecord({ id: 'GHSA-29mw-wpgm-hmr9' })).toBe(false);
    const a = toAdvisory({
      id: 'MAL-1',
      modified: '2026-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'x' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
        },
      ],
      database_specific: { iocs: { domains: ['evil.example'] } },
    });
    expect(a?.affected[0]?.allVersions).toBe(true);
    expect(a?.iocs).toEqual(['evil.example']);
  });
});

describe('store', () => {
  let store: IntelStore;
  beforeAll(async () => {
    store = IntelStore.open(path.join(tmp, 'folder.sqlite'));
    const r = await updateSource(store, { name: 'fixtures', location: OSV_FIXTURES });
    expect(r.error).toBeUndefined();
    expect(r.imported).toBe(5); // the GHSA record is not malware; the withdrawn one is skipped
  });
  afterAll(() => store.close());

  it('matches every version when introduced is "0"', () => {
    const [m] = store.lookup('npm', 'flatmap-stream', '0.1.1');
    expect(m?.id).toBe('MAL-2099-0001');
    expect(m?.matchedBy).toBe('all-versions');
    expect(m?.sources).toContain('ghsa-malware');
    expect(m?.iocs).toEqual(expect.arrayContaining(['copayapi.host', '111.90.151.134']));
    expect(store.lookup('npm', 'FlatMap-Stream', '9.9.9')).toHaveLength(1);
    expect(store.lookup('npm', 'flatmap-stream', '')).toHaveLength(1);
  });

  it('matches listed versions and ranges only', () => {
    expect(store.lookup('npm', 'ua-parser-js', '0.7.29')[0]?.matchedBy).toBe('versions');
    expect(store.lookup('npm', 'ua-parser-js', '0.7.30')).toHaveLength(0);
    expect(store.lookup('npm', 'ua-parser-js', '')).toHaveLength(0);
    expect(store.lookup('npm', 'lodash', '4.17.0')).toHaveLength(0); // GHSA vulnerability, not malware
    expect(store.lookup('npm', 'left-pad', '1.3.0')).toHaveLength(0); // withdrawn
  });

  it('normalises PyPI names (PEP 503) and compares PEP 440 / Maven versions', () => {
    expect(store.lookup('pypi', 'colourama', '0.1.6')[0]?.id).toBe('MAL-2099-0101');
    expect(store.lookup('pypi', 'Example.Compromised', '2.0.1')[0]?.matchedBy).toBe('range');
    expect(store.lookup('pypi', 'example-compromised', '2.0.2')).toHaveLength(0);
    expect(store.lookup('maven', 'org.example.evil:evil-lib', '1.9')).toHaveLength(1);
    expect(store.lookup('maven', 'org.example.evil:evil-lib', '1.10')).toHaveLength(0);
  });

  it('reports status', () => {
    const st = store.status();
    expect(st.advisories).toBe(5);
    expect(st.packages).toEqual({ npm: 2, pypi: 2, maven: 1 });
    expect(st.sources[0]?.name).toBe('fixtures');
    expect(Date.now() - Date.parse(st.lastUpdate!)).toBeLessThan(60_000);
  });

  it('a newer withdrawn record removes an advisory; an older one does not overwrite', () => {
    const s = IntelStore.open(path.join(tmp, 'withdraw.sqlite'));
    const base = {
      id: 'MAL-9',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'gone' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
        },
      ],
    };
    s.importAdvisories([toAdvisory({ ...base, modified: '2026-01-02T00:00:00Z' })!], 't');
    s.importAdvisories([toAdvisory({ ...base, modified: '2026-01-01T00:00:00Z', summary: 'old' })!], 't');
    expect(s.lookup('npm', 'gone', '1.0.0')[0]?.summary).toBe('');
    s.importAdvisories(
      [toAdvisory({ ...base, modified: '2026-01-03T00:00:00Z', withdrawn: '2026-01-03T00:00:00Z' })!],
      't',
    );
    expect(s.lookup('npm', 'gone', '1.0.0')).toHaveLength(0);
    s.close();
  });
});

describe('downloads over loopback HTTP', () => {
  it('imports the MAL- records of per-ecosystem all.zip exports, and reports a failing source', async () => {
    const server = await startOsvServer({ '/npm/all.zip': osvZip('npm'), '/PyPI/all.zip': osvZip('pypi') });
    try {
      const sources = defaultSources({ BEAGLE_OSV_BASE_URL: server.base });
      expect(sources.map((s) => s.location)).toEqual([
        `${server.base}/npm/all.zip`,
        `${server.base}/PyPI/all.zip`,
        `${server.base}/Maven/all.zip`,
      ]);
      const store = IntelStore.open(path.join(tmp, 'http.sqlite'));
      const results = [];
      for (const s of sources) results.push(await updateSource(store, s, { timeoutMs: 5000 }));
      expect(results[0]).toMatchObject({ source: 'osv-npm', imported: 2 });
      expect(results[1]).toMatchObject({ source: 'osv-pypi', imported: 2 });
      expect(results[2]?.error).toMatch(/not found \(404/);
      expect(store.lookup('npm', 'flatmap-stream', '0.1.1')).toHaveLength(1);
      expect(store.status().sources.map((s) => s.name)).toEqual(['osv-npm', 'osv-pypi']);
      store.close();
    } finally {
      await server.close();
    }
  });

  it('a corrupt zip is an error naming the source', async () => {
    await expect(advisoriesFromZip(Buffer.from('not a zip'), 'osv-npm')).rejects.toThrow(
      /osv-npm: not a valid zip/,
    );
  });

  it('the default sources are the osv.dev GCS exports', () => {
    expect(defaultSources({})[0]?.location).toBe(
      'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip',
    );
    expect(defaultSources({ BEAGLE_OSV_URLS: 'http://a/x.zip, /tmp/y' }).map((s) => s.location)).toEqual([
      'http://a/x.zip',
      '/tmp/y',
    ]);
  });
});

describe('intel analyzer for beagle scan', () => {
  it('reports a known-malicious artifact and leaves others alone', async () => {
    const { createIntelAnalyzer } = await import('../../src/intel/analyzer.js');
    const dbFile = path.join(tmp, 'analyzer.sqlite');
    const s = IntelStore.open(dbFile);
    await updateSource(s, { name: 'fixtures', location: OSV_FIXTURES });
    s.close();
    const analyzer = createIntelAnalyzer({ db: dbFile });
    const ctx = (name: string, version: string) =>
      ({
        artifact: {
          ecosystem: 'npm',
          name,
          version,
          source: {
            type: 'registry',
            target: `npm:${name}@${version}`,
            location: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
          },
          files: [],
          manifest: {},
          readFindings: [],
          warnings: [],
          bytes: 0,
        },
        contextOf: () => 'unknown',
        entryPoints: new Map(),
      }) as any;
    const bad = await analyzer.analyze(ctx('flatmap-stream', '0.1.1'));
    expect(bad.map((f) => f.ruleId)).toEqual(['INTEL-001']);
    expect(bad[0]?.category).toBe('known-malware');
    expect(await analyzer.analyze(ctx('chalk', '4.1.2'))).toEqual([]);
    expect((await analyzer.analyze(ctx('lodahs', '1.0.0')))[0]?.ruleId).toBe('NAME-001');
  });
});
