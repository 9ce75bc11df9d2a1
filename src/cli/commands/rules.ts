import { Option } from 'commander';
import type { RuleMeta } from '../../core/types.js';
import { allRules, findRule } from '../../rules/catalog.js';
import type { CommandRegistrar } from './index.js';

/** The Markdown documentation of a rule (docs/rules/ID.md is generated from the same text). */
export function ruleMarkdown(rule: RuleMeta): string {
  return [
    `# ${rule.id} ${rule.name}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Category | ${rule.category} |`,
    `| Severity | ${rule.severity} |`,
    `| Confidence | ${rule.confidence} |`,
    `| Analyzer | ${rule.analyzer} |`,
    `| Ecosystems | ${rule.ecosystems.join(', ')} |`,
    '',
    '## What it does',
    '',
    rule.description,
    '',
    '## Why is this bad?',
    '',
    rule.rationale,
    '',
    '## Known false positives',
    '',
    rule.falsePositives,
    ...(rule.example ? ['', '## Example', '', '```', rule.example, '```'] : []),
    '',
    '## References',
    '',
    ...(rule.references.length ? rule.references.map((r) => `- ${r}`) : ['- (none)']),
    '',
  ].join('\n');
}

export const registerRules: CommandRegistrar = (program, setExit) => {
  program
    .command('rules')
    .description('List every detection rule')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts) => {
      const rules = allRules();
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
        return;
      }
      for (const r of rules) {
        process.stdout.write(
          `${r.id.padEnd(10)} ${r.severity.padEnd(8)} ${r.category.padEnd(17)} ${r.name}\n`,
        );
      }
    });
  program
    .command('explain')
    .description("Print a rule's documentation")
    .argument('<rule>', 'rule id (JS-001) or name (process-execution)')
    .action((id: string) => {
      const rule = findRule(id);
      if (!rule) {
        process.stderr.write(`beagle: unknown rule "${id}" (see \`beagle rules\`)\n`);
        setExit(2);
        return;
      }
      process.stdout.write(ruleMarkdown(rule));
    });
};
