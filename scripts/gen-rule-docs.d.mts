import type { RuleMeta } from '../src/core/types.js';

export function ruleIndexMarkdown(rules: RuleMeta[]): string;
export function renderRuleDocs(
  rules: RuleMeta[],
  ruleMarkdown: (rule: RuleMeta) => string,
): Map<string, string>;
