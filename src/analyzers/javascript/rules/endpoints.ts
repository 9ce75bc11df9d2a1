import { endpointFinding, matchEndpoints, SUSPICIOUS_ENDPOINT } from '../../text/iocs.js';
import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { decodeLiteral } from './encoded-payload.js';
import { isOutermostString } from './helpers.js';

const DECODING_METHODS = new Set([
  'toString',
  'join',
  'fromCharCode',
  'reverse',
  'replace',
  'concat',
  'atob',
  'decodeURIComponent',
  'unescape',
]);

/** Reports exfiltration-grade endpoints in string values, including folded and decoded ones. */
export const suspiciousEndpoints: JsRule = {
  meta: SUSPICIOUS_ENDPOINT,
  create(ctx) {
    const seen = new Set<string>();
    const check = (node: Node, value: string | undefined, decoded = false) => {
      if (!value || value.length < 6) return;
      for (const m of matchEndpoints(value)) {
        const key = `${m.kind}|${m.indicator}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ctx.facts.capabilities.add(`endpoint:${m.kind}`);
        ctx.report({
          node,
          ...reportFields(endpointFinding(m, { file: ctx.path, context: ctx.fileContext }), decoded),
        });
      }
    };
    const onString = (node: Node) => {
      if (!isOutermostString(ctx, node)) return;
      check(node, ctx.evaluateString(node), node.type !== 'Literal');
    };
    return {
      Literal(node) {
        if (typeof node.value !== 'string') return;
        onString(node);
        const decoded = decodeLiteral(node.value, ctx.source);
        if (decoded) check(node, decoded.text, true);
      },
      TemplateLiteral: onString,
      BinaryExpression(node) {
        if (node.operator === '+') onString(node);
      },
      CallExpression(node) {
        const callee = node.callee;
        const method = callee.type === 'MemberExpression' ? callee.property?.name : callee.name;
        if (!DECODING_METHODS.has(method)) return;
        check(node, ctx.evaluateString(node), true);
      },
    };
  },
};

function reportFields(f: ReturnType<typeof endpointFinding>, decoded: boolean) {
  return {
    message: decoded ? `${f.message} (after decoding)` : f.message,
    severity: f.severity,
    category: f.category,
    evidence: f.evidence,
    iocs: f.iocs,
  };
}
