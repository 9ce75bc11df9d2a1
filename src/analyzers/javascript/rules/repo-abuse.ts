import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { isOutermostString, js, preview } from './helpers.js';

const INDICATORS: Array<{
  re: RegExp;
  kind: string;
  category: 'persistence' | 'credential-theft' | 'exfiltration';
}> = [
  {
    re: /api\.github\.com\/user\/repos\b/,
    kind: 'creates GitHub repositories with a token',
    category: 'exfiltration',
  },
  {
    re: /api\.github\.com\/repos\/[^'"`\s]*\/(contents|git\/(refs|trees|blobs)|actions\/(secrets|workflows|runners))/,
    kind: 'pushes files / reads Actions secrets through the GitHub API',
    category: 'persistence',
  },
  {
    re: /api\.github\.com\/(user\/keys|user\/ssh_signing_keys)/,
    kind: 'adds SSH keys to the GitHub account',
    category: 'persistence',
  },
  {
    re: /registry\.npmjs\.org\/-\/(whoami|npm\/v1\/tokens|user\/org\.couchdb)/,
    kind: 'uses the npm registry token API (worm propagation)',
    category: 'persistence',
  },
  {
    re: /\btrufflehog\b|\bgitleaks\b/i,
    kind: 'downloads or runs a secret scanner (TruffleHog/gitleaks)',
    category: 'credential-theft',
  },
  { re: /\bgh\s+auth\s+token\b/, kind: 'reads the GitHub CLI token', category: 'credential-theft' },
];

/** Flags code that abuses developer platforms: GitHub API repo/workflow pushes, npm token API, secret scanners. */
export const repoAbuse: JsRule = {
  meta: {
    ...js,
    id: 'JS-021',
    name: 'developer-platform-abuse',
    category: 'persistence',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code calls GitHub/npm APIs the way worms do (creating repositories, pushing files or workflows, listing npm tokens), or fetches/runs secret scanners such as TruffleHog.',
    rationale:
      "Shai-Hulud-style worms run TruffleHog over the disk, publish stolen secrets to new public GitHub repositories, plant workflows and republish the victim's npm packages.",
    falsePositives:
      'GitHub API clients (octokit) and release tooling; they are rarely reachable at install time.',
    example:
      "fetch('https://api.github.com/user/repos', { method: 'POST', headers: { Authorization: 'token ' + t } })",
    references: [
      'https://www.wiz.io/blog/shai-hulud-npm-supply-chain-attack',
      'https://github.com/trufflesecurity/trufflehog',
    ],
  },
  create(ctx) {
    const seen = new Set<string>();
    const check = (node: Node) => {
      if (!isOutermostString(ctx, node)) return;
      const v = ctx.evaluateString(node);
      if (!v || v.length < 8 || v.length > 4000) return;
      for (const ind of INDICATORS) {
        if (seen.has(ind.kind) || !ind.re.test(v)) continue;
        seen.add(ind.kind);
        ctx.facts.capabilities.add('platform-abuse');
        ctx.report({
          node,
          message: `${ind.kind[0]!.toUpperCase()}${ind.kind.slice(1)}: "${preview(v, 90)}".`,
          category: ind.category,
          evidence: { indicator: ind.kind, value: preview(v, 200) },
        });
      }
    };
    return {
      Literal(node: Node) {
        if (typeof node.value === 'string') check(node);
      },
      TemplateLiteral: check,
      BinaryExpression(node: Node) {
        if (node.operator === '+') check(node);
      },
    };
  },
};
