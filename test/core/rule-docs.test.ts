import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRuleDocs } from '../../scripts/gen-rule-docs.mjs';
import { ruleMarkdown } from '../../src/cli/commands/rules.js';
import { CATEGORIES, CONFIDENCES, type Ecosystem, SEVERITIES } from '../../src/core/types.js';
import { allRules, findRule } from '../../src/rules/catalog.js';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/rules');
const ECOSYSTEMS: Ecosystem[] = ['npm', 'pypi', 'maven'];
const rules = allRules();
const REGENERATE = 'docs/rules is out of date: run `npm run docs:rules` and commit the result';

describe('rule catalogue', () => {
  it('has rules, with unique ids and names', () => {
    expect(rules.length).toBeGreaterThan(10);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const byName = new Map<string, string[]>();
    for (const r of rules) byName.set(r.name, [...(byName.get(r.name) ?? []), r.id]);
    const clashes = [...byName]
      .filter(([, ids]) => ids.length > 1)
      .map(([n, ids]) => `${n}: ${ids.join(', ')}`);
    // `beagle explain <name>` resolves slugs, so two rules must never share one.
    expect(clashes, 'rule names (slugs) must be unique; rename one of each pair').toEqual([]);
  });

  it.each(rules.map((r) => [r.id, r] as const))('%s has complete metadata', (_id, rule) => {
    expect(rule.id).toMatch(/^[A-Z]+-\d{3}$/);
    expect(rule.name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(rule.analyzer.trim()).not.toBe('');
    expect(rule.ecosystems.length).toBeGreaterThan(0);
    for (const e of rule.ecosystems) expect(ECOSYSTEMS).toContain(e);
    expect(CATEGORIES).toContain(rule.category);
    expect(SEVERITIES).toContain(rule.severity);
    expect(CONFIDENCES).toContain(rule.confidence);
    expect(rule.description.trim().length, 'description').toBeGreaterThan(10);
    expect(rule.rationale.trim().length, 'rationale').toBeGreaterThan(10);
    expect(rule.falsePositives.trim().length, 'falsePositives').toBeGreaterThan(3);
    expect(Array.isArray(rule.references), 'references must be an array').toBe(true);
    for (const ref of rule.references) expect(ref).toMatch(/^https?:\/\/\S+$/);
    if (rule.example !== undefined) expect(rule.example.trim()).not.toBe('');
    expect(findRule(rule.id)).toBe(rule);
    expect(findRule(rule.name)?.id, `\`beagle explain ${rule.name}\` must find ${rule.id}`).toBe(rule.id);
  });
});

describe('docs/rules', () => {
  const expected = renderRuleDocs(rules, ruleMarkdown);

  it.each(rules.map((r) => [r.id] as const))('docs/rules/%s.md matches the catalogue', (id) => {
    const file = path.join(DOCS, `${id}.md`);
    expect(existsSync(file), `${file} is missing; ${REGENERATE}`).toBe(true);
    expect(readFileSync(file, 'utf8'), REGENERATE).toBe(expected.get(`${id}.md`));
  });

  it('docs/rules/README.md indexes every rule and nothing else is there', () => {
    expect(readFileSync(path.join(DOCS, 'README.md'), 'utf8'), REGENERATE).toBe(expected.get('README.md'));
    const onDisk = readdirSync(DOCS).filter((f) => f.endsWith('.md'));
    expect(onDisk.sort(), REGENERATE).toEqual([...expected.keys()].sort());
  });

  it('a rule page is the same text `beagle explain` prints', () => {
    const rule = rules[0]!;
    const page = expected.get(`${rule.id}.md`)!;
    expect(page).toBe(ruleMarkdown(rule));
    expect(page).toContain(`# ${rule.id} ${rule.name}`);
    expect(page).toContain(rule.rationale);
  });
});
