import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, FINGERPRINT_CALLS, js } from './helpers.js';

/** Flags files that collect several machine fingerprints (host, user, interfaces, paths). */
export const systemRecon: JsRule = {
  meta: {
    ...js,
    id: 'JS-007',
    name: 'system-fingerprinting',
    category: 'recon',
    severity: 'low',
    confidence: 'medium',
    description:
      'A file collects several host fingerprints: hostname, username, network interfaces, home/cwd paths, OS details.',
    rationale:
      'Dependency-confusion and recon beacons send exactly this set (who installed the package, where) to an attacker-controlled server at install time.',
    falsePositives:
      'Telemetry, diagnostics and CLI "doctor" commands; weighed low unless combined with network access at install.',
    example: 'JSON.stringify({ h: os.hostname(), u: os.userInfo().username, d: process.cwd() })',
    references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
  },
  create(ctx) {
    const seen = new Map<string, Node>();
    return {
      CallExpression(node: Node) {
        const name = calleeName(ctx, node);
        if (name && FINGERPRINT_CALLS.has(name) && !seen.has(name)) seen.set(name, node);
      },
      'Program:done'() {
        const strong = [...seen.keys()].filter((n) =>
          ['os.hostname', 'os.userInfo', 'os.networkInterfaces'].includes(n),
        );
        if (seen.size < 3 || strong.length === 0) return;
        ctx.facts.capabilities.add('recon');
        const first = seen.get(strong[0]!)!;
        ctx.report({
          node: first,
          message: `Collects host fingerprints: ${[...seen.keys()].join(', ')}.`,
          severity: strong.length >= 2 ? 'medium' : 'low',
          evidence: { calls: [...seen.keys()] },
        });
      },
    };
  },
};
