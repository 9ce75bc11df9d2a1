import type { JsRule, RuleContext } from '../engine.js';
import type { Node } from '../parse.js';
import { isOutermostString, js, preview } from './helpers.js';

const INDICATORS: Array<{
  re: RegExp;
  kind: string;
  category: 'persistence' | 'credential-theft' | 'exfiltration';
  /** Read as well as written through this endpoint: high only with a write method in sight. */
  readable?: boolean;
}> = [
  {
    re: /api\.github\.com\/user\/repos\b/,
    kind: 'creates GitHub repositories with a token',
    category: 'exfiltration',
  },
  {
    re: /api\.github\.com\/repos\/[^'"`\s]*\/actions\/(secrets|workflows|runners)/,
    kind: 'reads Actions secrets, workflows or runners through the GitHub API',
    category: 'persistence',
  },
  {
    re: /api\.github\.com\/repos\/[^'"`\s]*\/(contents|git\/(refs|trees|blobs))/,
    kind: 'pushes files to a repository through the GitHub API',
    category: 'persistence',
    readable: true,
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

const WRITE_METHOD = /^(PUT|POST|PATCH|DELETE)$/i;

/**
 * Whether the request the URL is used in writes: the URL says `PUT /repos/…` (Octokit routes), or
 * a call around it (up to three levels up) passes options with a PUT/POST/PATCH/DELETE method.
 */
function writeMethodNear(ctx: RuleContext, url: string): boolean {
  if (/^(PUT|POST|PATCH|DELETE)\s/i.test(url)) return true;
  const anc = ctx.ancestors;
  for (let i = anc.length - 1, up = 0; i >= 0 && up < 4; i--, up++) {
    const a = anc[i]!;
    if (a.type !== 'CallExpression' && a.type !== 'NewExpression') continue;
    for (const arg of a.arguments ?? []) {
      if (arg?.type !== 'ObjectExpression') continue;
      for (const p of arg.properties ?? []) {
        if (p.type !== 'Property' || (p.key?.name ?? p.key?.value) !== 'method') continue;
        const m = ctx.evaluateString(p.value);
        if (m !== undefined && WRITE_METHOD.test(m)) return true;
      }
    }
  }
  return false;
}

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
      'GitHub API clients (octokit) and release tooling; they are rarely reachable at install time. Reading files through the repository contents API (a CLI fetching templates) is low: the contents and Git data endpoints are high only with a PUT/POST/PATCH/DELETE method in the call or the route.',
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
        // `GET /repos/o/r/contents/x` reads a file (a CLI fetching templates); pushing needs PUT
        const write = !ind.readable || writeMethodNear(ctx, v);
        ctx.facts.capabilities.add('platform-abuse');
        ctx.report({
          node,
          message: write
            ? `${ind.kind[0]!.toUpperCase()}${ind.kind.slice(1)}: "${preview(v, 90)}".`
            : `Uses the GitHub repository contents API, with no write method in sight (reads files): "${preview(v, 90)}".`,
          category: ind.category,
          severity: write ? undefined : 'low',
          evidence: { indicator: ind.kind, value: preview(v, 200), write },
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
