import { endpointFinding, matchEndpoints, SUSPICIOUS_ENDPOINT } from '../../text/iocs.js';
import type { JsRule, RuleContext } from '../engine.js';
import { decodeBase64, decodeHex, type Value } from '../evaluate.js';
import { FUNCTION_TYPES, type Node } from '../parse.js';
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
/** The file the memo belongs to: literal values are slices of their file's source, so a memo kept
 * across files would keep every earlier file's whole source alive. */
let memoSource: string | undefined;

/**
 * Decodes a base64 or hex literal to text when it really is encoded text (memoised per file: two
 * rules ask). `source` is the text of the file the literal comes from.
 */
export function decodeLiteral(
  value: string,
  source: string,
): { encoding: 'base64' | 'hex'; text: string } | undefined {
  if (value.length < 24 || value.length > 200_000 || value.includes(' ') || value.startsWith('data:'))
    return undefined;
  if (source !== memoSource) {
    memo.clear();
    memoSource = source;
  }
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
/** Call methods whose folded value the NET-001 visitor checks itself (endpoints.ts DECODING_METHODS). */
const ENDPOINT_CHECKED = new Set(['toString', 'join', 'fromCharCode', 'reverse', 'replace', 'concat']);

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
      'Embedded test vectors, encoded license headers, worker scripts shipped as base64 (a decoded literal is analysed as code; when it parses and nothing in it weighs medium or more the finding is low); binary assets (images, fonts) and decoded JSON documents (configs, trust roots with URLs) are not flagged. XOR over runtime data (WebSocket masking, hashes) never folds, since its input is not constant.',
    example:
      "const u = Buffer.from('aHR0cHM6Ly94LmludmFsaWQvcA==', 'base64').toString()\nlet o = ''; for (let i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) ^ 23); eval(o)",
    references: ['https://attack.mitre.org/techniques/T1027/', 'https://attack.mitre.org/techniques/T1140/'],
  },
  create(ctx) {
    let reported = 0;
    /** Decoding marks (`^`, `^=`, fromCharCode) seen so far: a loop or call without any is never folded. */
    let marks = 0;
    const loopMarks: number[] = [];
    /** Functions whose body contains a XOR (or a char-code conversion). */
    const xorFns = new Set<Node>();
    /** Outermost decoding-method calls being traversed, with the marks seen before them. */
    const chains: Array<{ node: Node; marks: number }> = [];
    /** Top-level calls of decoder functions declared further down (hoisted), folded at the end. */
    const deferred: Node[] = [];
    const xorSeen = new Set<string>();
    let hasXor: boolean | undefined;
    const onXor = (node: Node, text: string, how: string) => reportXor(ctx, node, text, how, xorSeen);
    const onMark = () => {
      marks++;
      // every enclosing function decodes: `(s, k) => s.split('').map(c => … ^ k).join('')`
      const anc = ctx.ancestors;
      for (let i = anc.length - 1; i >= 0; i--) if (FUNCTION_TYPES.has(anc[i]!.type)) xorFns.add(anc[i]);
    };
    const enterLoop = () => {
      loopMarks.push(marks);
    };
    const exitLoop = (node: Node) => {
      const before = loopMarks.pop() ?? marks;
      if (marks === before || xorSeen.size >= 5) return;
      const folded = ctx.evaluator.foldLoop(node);
      for (const f of folded ?? []) if (f.xor) onXor(node, asText(f.value), `a XOR loop (into ${f.name})`);
    };
    const checkCall = (node: Node, how: string) => {
      const value = ctx.evaluate(node) as Value | undefined;
      if (value !== undefined && ctx.evaluator.xorDecoded(node)) onXor(node, asText(value), how);
    };
    /** The local function a call names, if it is a declaration or a never-reassigned function value. */
    const localFunction = (callee: Node): Node | undefined => {
      const b = ctx.lookup(callee.name);
      const init = b?.init;
      return init && b.reassigned === 0 && /Function/.test(init.type) ? init : undefined;
    };
    return {
      BinaryExpression(node: Node) {
        if (node.operator === '^') onMark();
      },
      AssignmentExpression(node: Node) {
        if (node.operator === '^=') onMark();
      },
      CallExpression(node: Node) {
        const callee = node.callee;
        if (callee?.type !== 'MemberExpression' || callee.computed) return;
        const method = callee.property?.name;
        if (method === 'fromCharCode') onMark();
        else if (XOR_RESULT_METHODS.has(method)) {
          // only the outermost call of a chain: `x.map(..).join('')` is checked once, at join
          const parent = ctx.parent();
          if (parent?.type !== 'MemberExpression' || parent.object !== node) chains.push({ node, marks });
        }
      },
      'CallExpression:exit'(node: Node) {
        const callee = node.callee;
        if (callee?.type === 'MemberExpression') {
          const top = chains[chains.length - 1];
          if (top?.node !== node) return;
          chains.pop();
          if (marks > top.marks && xorSeen.size < 5) checkCall(node, 'XOR');
          return;
        }
        if (callee?.type !== 'Identifier' || !node.arguments?.length || xorSeen.size >= 5) return;
        hasXor ??= ctx.source.includes('^');
        if (!hasXor) return;
        const fn = localFunction(callee);
        if (!fn) return;
        if (xorFns.has(fn)) checkCall(node, `the decoder function ${callee.name}()`);
        else if ((fn.start ?? 0) > (node.start ?? 0) && ctx.atTopLevel()) deferred.push(node);
      },
      ForStatement: enterLoop,
      WhileStatement: enterLoop,
      ForOfStatement: enterLoop,
      'ForStatement:exit': exitLoop,
      'WhileStatement:exit': exitLoop,
      'ForOfStatement:exit': exitLoop,
      'Program:exit'() {
        for (const node of deferred) {
          const fn = localFunction(node.callee);
          if (fn && xorFns.has(fn) && xorSeen.size < 5)
            checkCall(node, `the decoder function ${node.callee.name}()`);
        }
      },
      Literal(node: Node) {
        if (typeof node.value !== 'string' || reported >= 5) return;
        const decoded = decodeLiteral(node.value, ctx.source);
        if (!decoded || !CODE_HINTS.test(decoded.text) || isJsonData(decoded.text)) return;
        reported++;
        ctx.facts.capabilities.add('encoded-payload');
        // The decoded code is analysed as code. When it parses and nothing in it weighs medium or
        // more, it is inert packaging (a worker script shipped as base64, as @sentry/node does):
        // the encoding alone is then a low finding. Anything it does is reported on its own.
        const analysis = ctx.reanalyze?.(decoded.text, node);
        const inert = analysis !== undefined && !analysis.harmful;
        ctx.report({
          node,
          message: `A ${decoded.encoding} string decodes to: ${preview(decoded.text, 140)}${inert ? ' (analysed as code: nothing in it weighs medium or more)' : ''}`,
          severity: inert ? 'low' : undefined,
          evidence: { encoding: decoded.encoding, decoded: preview(decoded.text, 600), inert },
        });
      },
    };
  },
};

/**
 * Decoded text that is a JSON document (a config or trust root shipped as base64): data, not code.
 * Code hidden inside it would still have to be handed to eval/Function, which JS-005 reports.
 */
function isJsonData(text: string): boolean {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

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
  // `….map(…).toString()` / `.join('')` chains are already checked by NET-001's own visitor
  const callee = node.type === 'CallExpression' ? node.callee : undefined;
  const checkedByEndpoints =
    callee?.type === 'MemberExpression' && ENDPOINT_CHECKED.has(callee.property?.name);
  for (const m of checkedByEndpoints ? [] : endpoints.slice(0, 3)) {
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
