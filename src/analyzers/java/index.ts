/**
 * The Java analyzer: reads every class file of a jar/war/aar (nested jars included) and POMs,
 * and runs the JAVA- rules over bytecode, registrations and coordinates in one pass.
 */
import type { Analyzer, Finding, RuleMeta } from '../../core/types.js';
import { endpointFinding, matchEndpoints } from '../text/iocs.js';
import { buildJarModel, isClassFile, methodLabel, runJavaRules } from './engine.js';
import { JAVA_RULES } from './rules/index.js';

export const JAVA_RULE_METAS: RuleMeta[] = JAVA_RULES.map((r) => r.meta);

export const javaAnalyzer: Analyzer = {
  id: 'java',
  // Maven artifacts only, so npm/PyPI results never change because of a bundled jar.
  appliesTo: (artifact) => artifact.ecosystem === 'maven',
  analyze(pkg) {
    const jar = buildJarModel(pkg.artifact.files);
    const findings: Finding[] = runJavaRules(pkg, jar, JAVA_RULES);
    // Endpoint IOCs in constants and decoded strings, once per class and indicator.
    const seen = new Set<string>();
    for (const unit of jar.classes) {
      for (const m of unit.methods) {
        for (const s of m.summary.strings) {
          if (s.value.length < 7) continue;
          for (const match of matchEndpoints(s.value)) {
            const key = `${unit.file.path}|${match.indicator}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const f = endpointFinding(match, {
              file: unit.file.path,
              line: s.line,
              context: m.context,
              snippet: `${methodLabel(m)}: ${JSON.stringify(s.value.slice(0, 160))}`,
            });
            if (s.computed) f.evidence = { ...f.evidence, decodedFrom: s.how };
            findings.push(f);
          }
        }
      }
    }
    return findings;
  },
};

/** Whether a file is a class file the analyzer reads (for stats). */
export { isClassFile };
