import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, js, NETWORK_CALLS } from './helpers.js';

/** Records network access; on its own a capability, weighed by the verdict with what else the package does. */
export const networkAccess: JsRule = {
  meta: {
    ...js,
    id: 'JS-002',
    name: 'network-access',
    category: 'network',
    severity: 'info',
    confidence: 'high',
    description: 'Code opens a network connection or sends a request (http/https/net/dns/fetch/WebSocket).',
    rationale:
      'Exfiltration and second-stage downloads need the network. Most libraries that use it are benign, so this finding only matters combined with secrets, fingerprints or install-time execution.',
    falsePositives: 'HTTP clients, SDKs, telemetry. This rule is informational by design.',
    example: "https.request({ hostname: 'x.invalid', method: 'POST' })",
    references: ['https://nodejs.org/api/http.html'],
  },
  create(ctx) {
    let reported = 0;
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name || !NETWORK_CALLS.has(name)) return;
      ctx.facts.capabilities.add('network');
      if (name.startsWith('dns.')) ctx.facts.capabilities.add('dns');
      if (reported++ >= 3) return;
      const target = ctx.evaluateString(node.arguments[0]);
      ctx.report({
        node,
        message: `Network access via ${name}${target ? ` to ${target.slice(0, 100)}` : ''}.`,
        evidence: { callee: name, target },
        iocs: target && /^[a-z]+:\/\//i.test(target) ? [target] : undefined,
      });
    };
    return { CallExpression: check, NewExpression: check };
  },
};
