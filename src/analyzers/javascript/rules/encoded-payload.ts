import type { JsRule } from '../engine.js';
import { decodeBase64, decodeHex } from '../evaluate.js';
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

/** Flags base64/hex literals that decode to code, commands or URLs. */
export const encodedPayload: JsRule = {
  meta: {
    ...js,
    id: 'JS-006',
    name: 'encoded-payload',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'medium',
    description: 'A base64 or hex string literal decodes to code, a shell command or a URL.',
    rationale:
      'Encoding hides the real behaviour (the C2 URL, the stealer) from reviewers and from string-based scanners; honest code has no reason to encode its own source or endpoints.',
    falsePositives:
      'Embedded test vectors, encoded license headers; binary assets (images, fonts) are not flagged.',
    example: "const u = Buffer.from('aHR0cHM6Ly94LmludmFsaWQvcA==', 'base64').toString()",
    references: ['https://attack.mitre.org/techniques/T1027/'],
  },
  create(ctx) {
    let reported = 0;
    return {
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
