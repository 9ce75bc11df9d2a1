import type { RuleContext } from './engine.js';
import type { Node } from './parse.js';

/** Base-N word encoder used by Dean Edwards' packer for radix `a`. */
function encoder(radix: number): ((n: number) => string) | undefined {
  if (radix >= 2 && radix <= 36) return (n) => n.toString(radix);
  if (radix === 62) {
    const e = (c: number): string =>
      (c < radix ? '' : e(Math.floor(c / radix))) +
      ((c = c % radix) > 35 ? String.fromCharCode(c + 29) : c.toString(36));
    return e;
  }
  return undefined;
}

/** True for `function(p,a,c,k,e,d|r){...}`: the signature of the classic JavaScript packer. */
export function isPackerFunction(fn: Node | undefined): boolean {
  if (!fn || (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression')) return false;
  const names = (fn.params ?? []).map((p: Node) => p.name);
  return names.length >= 4 && names[0] === 'p' && names[1] === 'a' && names[2] === 'c' && names[3] === 'k';
}

/**
 * Unpacks `eval(function(p,a,c,k,e,d){...}('payload', radix, count, 'w1|w2'.split('|'), 0, {}))`
 * by doing the packer's word substitution on the payload string. Pure string processing: the
 * packed code is never run.
 */
export function unpackPacker(ctx: RuleContext, call: Node): string | undefined {
  if (call?.type !== 'CallExpression' || !isPackerFunction(call.callee)) return undefined;
  const [pNode, aNode, cNode, kNode] = call.arguments ?? [];
  const p = ctx.evaluate(pNode);
  const a = ctx.evaluate(aNode);
  const c = ctx.evaluate(cNode);
  const k = ctx.evaluate(kNode);
  if (typeof p !== 'string' || typeof a !== 'number' || typeof c !== 'number' || !Array.isArray(k))
    return undefined;
  // `e=function(c){return c}` means decimal words regardless of the declared radix.
  const body = ctx.source.slice(call.callee.start, call.callee.end);
  const identity = /e\s*=\s*function\s*\(\s*c\s*\)\s*\{\s*return\s+c\s*;?\s*\}/.test(body);
  const enc = identity ? (n: number) => String(n) : encoder(a);
  if (!enc || c > 100_000) return undefined;
  const dict = new Map<string, string>();
  for (let i = 0; i < Math.min(c, k.length); i++) {
    const word = k[i];
    if (typeof word === 'string' && word !== '') dict.set(enc(i), word);
  }
  return p.replace(/\b\w+\b/g, (w) => dict.get(w) ?? w);
}
