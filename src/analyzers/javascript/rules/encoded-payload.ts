import { endpointFinding, matchEndpoints, SUSPICIOUS_ENDPOINT } from '../../text/iocs.js';
import type { JsRule, RuleContext } from '../engine.js';
import { decodeBase64, decodeHex, type Value } from '../evaluate.js';
import type { Node } from '../parse.js';
import { js, preview } from './helpers.js';

const CODE_HINTS =
  /require\s*\(|child_process|\beval\s*\(|new Function|process\.env|\/bin\/(ba)?sh|powershell|cmd\.exe|https?:\/\/|\bexec(Sync)?\s*\(|\bfetch\s*\(|\.ssh|\bimport\s+os\b|\bsubprocess\b|base64_decode|\bspawn\s*\(/;

/** Share of printable characters: decoded text vs. random bytes (images, fonts, keys). */
function printableRatio(s: string): number {
  let printable = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return s.length === 0 ? 0 : printable / s.length;
}

const memo = new Map<string, { encoding: 'base64' | 'hex'; text: string } | null>();

/** Decodes a base64 or hex literal to text when it really is encoded text (memoised: two rules ask). */
export function decodeLiteral(value: string): { encoding: 'base64' | 'hex'; text: string } | undefined {
  if (value.length < 24 || value.length > 200_000 || value.includes(' ') || value.startsWith('data:'))
    return undefined;
  const hit = memo.get(value);
  if (hit !== undefined) return hit ?? undefined;
  const result = decodeLiteralUncached(value);
  if (memo.size > 2000) memo.clear();
  memo.set(value, result ?? null);
  return result;
}

function decodeLiteralUncached(value: string): { encoding: 'base64' | 'hex'; text: string } | undefined {
  const hex = /^(?:[0-9a-fA-F]{2}){12,}$/.test(value) ? decodeHex(value) : undefined;
  if (hex && printableRatio(hex) > 0.95) return { encoding: 'hex', text: hex };
  if (!/[0-9+/=]/.test(value) || /^[a-z]+$/i.test(value)) return undefined;
  const b64 = decodeBase64(value);
  if (b64 && printableRatio(b64) > 0.95) return { encoding: 'base64', text: b64 };
  return undefined;
}

/** Call shapes whose folded value may be XOR-decoded text: decoder functions and map/join chains. */
const XOR_RESULT_METHODS = new Set(['join', 'toString', 'map', 'reverse', 'concat']);

/** Loop statements a decoder may use; folded when the traversal leaves them. */
const LOOPS = ['ForStatement', 'WhileStatement', 'ForOfStatement'] as const;

/**
 * Flags base64/hex literals and XOR-decoded constants that turn out to be code, commands or URLs.
 * XOR decoding (loops, `.map(c => c ^ k)`, `Buffer.from(x).map((b, i) => b ^ key[i % n])`, local
 * decoder functions) is folded by the evaluator; decoded code is analysed again as code and
 * decoded endpoints are checked like any other string.
 */
export const encodedPayload: JsRule = {
  meta: {
    ...js,
    id: 'JS-006',
    name: 'encoded-payload',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'medium',
    description:
      'A base64 or hex string literal, or a constant decoded with XOR (a loop, a map or a local decoder function), turns out to be code, a shell command or a URL.',
    rationale:
      'Encoding hides the real behaviour (the C2 URL, the stealer) from reviewers and from string-based scanners; honest code has no reason to encode its own source or endpoints. XOR with a constant key is the classic hand-rolled cipher of droppers: Beagle runs such decoders on their constant input (loops and small functions only, with a step budget, never the package) and analyses the result.',
    falsePositives:
      'Embedded test vectors, encoded license headers; binary assets (images, fonts) are not flagged. XOR over runtime data (WebSocket masking, hashes) never folds, since its input is not constant.',
    example:
      "const u = Buffer.from('aHR0cHM6Ly94LmludmFsaWQvcA==', 'base64').toString()\nlet o = ''; for (let i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) ^ 23); eval(o)",
    references: ['https://attack.mitre.org/techniques/T1027/', 'https://attack.mitre.org/techniques/T1140/'],
  },
  create(ctx) {
    let reported = 0;
    /** Decoding marks (`^`, fromCharCode) seen so far: a loop without any is never folded. */
    let marks = 0;
    const loopMarks: number[] = [];
    const xorSeen = new Set<string>();
    let hasXor: boolean | undefined;
    const onXor = (node: Node, text: string, how: string) => reportXor(ctx, node, text, how, xorSeen);
    const enterLoop = () => {
      loopMarks.push(marks);
    };
    const exitLoop = (node: Node) => {
      const before = loopMarks.pop() ?? marks;
      if (marks === before || xorSeen.size >= 5) return;
      const folded = ctx.evaluator.foldLoop(node);
      for (const f of folded ?? []) if (f.xor) onXor(node, asText(f.value), `a XOR loop (into ${f.name})`);
    };
    const visitors: Record<string, (node: Node) => void> = {
      BinaryExpression(node: Node) {
        if (node.operator === '^') marks++;
      },
      AssignmentExpression(node: Node) {
        if (node.operator === '^=') marks++;
      },
      CallExpression(node: Node) {
        const callee = node.callee;
        if (
          callee?.type === 'MemberExpression' &&
          !callee.computed &&
          callee.property?.name === 'fromCharCode'
        )
          marks++;
      },
      'CallExpression:exit'(node: Node) {
        if (xorSeen.size >= 5) return;
        const callee = node.callee;
        const local = callee?.type === 'Identifier';
        if (!local && !(callee?.type === 'MemberExpression' && XOR_RESULT_METHODS.has(callee.property?.name)))
          return;
        // only the outermost call of a chain: `x.map(..).join('')` is checked once, at join
        const parent = ctx.parent();
        if (parent?.type === 'MemberExpression' && parent.object === node) return;
        if (local && (node.arguments?.length ?? 0) === 0) return;
        hasXor ??= ctx.source.includes('^');
        if (!hasXor) return;
        const value = ctx.evaluate(node) as Value | undefined;
        if (value === undefined || !ctx.evaluator.xorDecoded(node)) return;
        onXor(node, asText(value), local ? `the decoder function ${callee.name}()` : 'XOR');
      },
    };
    for (const loop of LOOPS) {
      visitors[loop] = enterLoop;
      visitors[`${loop}:exit`] = exitLoop;
    }
    return {
      ...visitors,
      Literal(node: Node) {
        if (typeof node.value !== 'string' || reported >= 5) return;
        const decoded = decodeLiteral(node.value);
        if (!decoded || !CODE_HINTS.test(decoded.text)) return;
        reported++;
        ctx.facts.capabilities.add('encoded-payload');
        ctx.report({
          node,
          message: `A ${decoded.encoding} string decodes to: ${preview(decoded.text, 140)}`,
          evidence: { encoding: decoded.encoding, decoded: preview(decoded.text, 600) },
        });
      },
    };
  },
};

/** The decoded text: strings, or arrays of strings (decoded pieces); numbers (hashes, tables) are not text. */
function asText(v: Value): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v.join('');
  return '';
}

/**
 * A XOR-decoded constant: reported when it reads as code, a command or a URL (weakly when it
 * is merely text), analysed again as code, and checked for exfiltration endpoints (NET-001).
 */
function reportXor(ctx: RuleContext, node: Node, text: string, how: string, seen: Set<string>): void {
  if (text.length < 4 || seen.has(text) || printableRatio(text) < 0.9) return;
  seen.add(text);
  const endpoints = matchEndpoints(text);
  const code = CODE_HINTS.test(text);
  const meta = encodedPayload.meta;
  ctx.facts.capabilities.add('encoded-payload');
  ctx.report({
    node,
    message: `A constant decoded with ${how} reads: ${preview(text, 140)}`,
    severity: code || endpoints.length > 0 ? 'high' : 'medium',
    confidence: code || endpoints.length > 0 ? 'high' : 'low',
    evidence: { encoding: 'xor', decoded: preview(text, 600) },
  });
  for (const m of endpoints.slice(0, 3)) {
    const f = endpointFinding(m, { file: ctx.path, context: ctx.fileContext });
    ctx.setRule(SUSPICIOUS_ENDPOINT);
    ctx.report({
      node,
      message: `${f.message} (after XOR decoding)`,
      severity: f.severity,
      category: f.category,
      evidence: f.evidence,
      iocs: f.iocs,
    });
    ctx.setRule(meta);
  }
  // decoded code is analysed as code (reported at this node, with the decoded snippet)
  if (code) ctx.reanalyze?.(text, node);
}
