import { existsSync } from 'node:fs';
import type { Analyzer, Finding } from '../core/types.js';
import { intelFinding, nameFindings } from './heuristics.js';
import { defaultDbPath } from './paths.js';
import { IntelStore } from './store.js';

export interface IntelAnalyzerOptions {
  /** Database file (default: the user cache); a missing file only disables the known-malware lookup. */
  db?: string;
  /** Internal name prefixes of the ecosystem being scanned, for NAME-002. */
  internal?: string[];
}

/**
 * Known-malware lookup (INTEL-001) and name heuristics (NAME-001..003) for `beagle scan`: pass it
 * as `scan(target, { extraAnalyzers: [createIntelAnalyzer()] })`. The store is opened read-only
 * on first use and kept open for the life of the analyzer.
 */
export function createIntelAnalyzer(options: IntelAnalyzerOptions = {}): Analyzer {
  let store: IntelStore | null | undefined;
  const open = () => {
    if (store !== undefined) return store;
    const file = options.db ?? defaultDbPath();
    try {
      store = existsSync(file) ? IntelStore.open(file, { readonly: true }) : null;
    } catch {
      store = null;
    }
    return store;
  };
  return {
    id: 'intel',
    appliesTo: (artifact) => !!artifact.name && artifact.name !== '(unnamed)',
    analyze(pkg): Finding[] {
      const { ecosystem, name, version, source } = pkg.artifact;
      const out: Finding[] = [];
      for (const m of open()?.lookup(ecosystem, name, version) ?? []) out.push(intelFinding(m, {}, version));
      // registry artifacts only: a local folder's name says nothing about where it came from
      if (source.type === 'registry') {
        out.push(
          ...nameFindings(
            { ecosystem, name, version, resolved: source.location },
            { internal: options.internal ?? [] },
          ),
        );
      }
      return out;
    },
  };
}
