import type { Analyzer, RuleMeta } from '../core/types.js';
import { FILE_RULES, filesAnalyzer } from './files/index.js';
import { JAVA_RULE_METAS, javaAnalyzer } from './java/index.js';
import { JAVASCRIPT_RULE_METAS, javascriptAnalyzer } from './javascript/index.js';
import { NPM_MANIFEST_RULES, npmManifestAnalyzer } from './npm-manifest/index.js';
import { PYTHON_RULE_METAS, pythonAnalyzer } from './python/index.js';

/** Every analyzer, run in this order on each artifact they apply to. */
export const ANALYZERS: Analyzer[] = [
  npmManifestAnalyzer,
  javascriptAnalyzer,
  filesAnalyzer,
  javaAnalyzer,
  pythonAnalyzer,
];

/** Rule metadata owned by analyzers (the catalogue adds archive/source rules). */
export const ANALYZER_RULES: RuleMeta[] = [
  ...NPM_MANIFEST_RULES,
  ...JAVASCRIPT_RULE_METAS,
  ...FILE_RULES,
  ...JAVA_RULE_METAS,
  ...PYTHON_RULE_METAS,
];
