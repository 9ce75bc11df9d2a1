import type { Dependency, Extraction, Extractor } from '../types.js';
import { ExtractError } from './util.js';

/** Gradle dependency locking: `group:artifact:version=conf1,conf2` per line. */
export const gradleExtractor: Extractor = {
  id: 'gradle-lockfile',
  ecosystem: 'maven',
  description: 'gradle.lockfile (Gradle dependency locking, one file per project)',
  matches: (b) => b === 'gradle.lockfile' || b.endsWith('.lockfile'),
  extract(file, text): Extraction {
    const dependencies: Dependency[] = [];
    const lines = text.split(/\r?\n/);
    let sawHeader = false;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (!l || l.startsWith('#')) {
        if (/Gradle/.test(l)) sawHeader = true;
        continue;
      }
      if (l.startsWith('empty=')) continue;
      const m = /^([^:\s]+):([^:\s]+):([^=\s]+)=(.*)$/.exec(l);
      if (!m) throw new ExtractError(`line ${i + 1}: not a "group:artifact:version=configurations" entry`);
      const confs = m[4]!.split(',').filter(Boolean);
      const dep: Dependency = {
        ecosystem: 'maven',
        name: `${m[1]}:${m[2]}`,
        version: m[3]!,
        source: 'registry',
        file,
        line: i + 1,
        qualifier: confs.join(','),
      };
      if (confs.length && confs.every((c) => /^test/i.test(c))) dep.dev = true;
      dependencies.push(dep);
    }
    if (!sawHeader && dependencies.length === 0) throw new ExtractError('no entries: not a Gradle lockfile');
    return { file, format: 'gradle-lockfile', ecosystem: 'maven', dependencies, warnings: [] };
  },
};
