import type { JsRule } from '../engine.js';
import { commentRanges, type Node } from '../parse.js';
import { js } from './helpers.js';

/** Bidi controls, zero-width characters and Hangul fillers: invisible or reordering in editors. */
const INVISIBLE =
  /[\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060\u2062-\u2064\u180E\u3164\u115F\u1160\uFFA0\uFEFF]/g;

function describe(c: string): string {
  const cp = c.codePointAt(0)!;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 'bidirectional control';
  if (cp === 0x3164 || cp === 0x115f || cp === 0x1160 || cp === 0xffa0)
    return 'Hangul filler (invisible identifier)';
  return 'zero-width character';
}

/**
 * Flags invisible or text-reordering characters in code (identifiers, operators, comments)
 * rather than in string data: "Trojan Source" and invisible-identifier backdoors.
 */
export const trojanSource: JsRule = {
  meta: {
    ...js,
    id: 'JS-015',
    name: 'invisible-characters-in-code',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'high',
    description:
      'Code (not string data) contains bidirectional-control, zero-width or Hangul-filler characters that make what reviewers see differ from what runs.',
    rationale:
      'Trojan Source (CVE-2021-42574) reorders code with bidi controls; invisible identifiers (U+3164) hide extra parameters or commands in plain sight. Text in strings (translations, RTL UI) is not flagged.',
    falsePositives:
      'Right-to-left prose in comments. Zero-width characters and BOMs inside comments are not reported (they change nothing that runs; a comment explaining BOM stripping contains one); bidi controls in comments are, since they reorder the code a reviewer sees.',
    example: "const { timeout, \\u3164 } = req.query; exec('ping ' + \\u3164)",
    references: ['https://trojansource.codes/', 'https://certitude.consulting/blog/en/invisible-backdoor/'],
  },
  create(ctx) {
    // One scan of the file decides whether the rule needs to look at any node at all.
    INVISIBLE.lastIndex = 0;
    const text = ctx.source.startsWith('\uFEFF') ? ctx.source.slice(1) : ctx.source;
    if (!INVISIBLE.test(text)) return {};
    const strings: Array<[number, number]> = [];
    const onString = (node: Node) => {
      strings.push([node.start, node.end]);
    };
    return {
      Literal(node: Node) {
        if (typeof node.value === 'string') onString(node);
      },
      TemplateElement: onString,
      JSXText: onString,
      'Program:done'(program: Node) {
        const src = ctx.source;
        INVISIBLE.lastIndex = 0;
        let hits: Array<{ offset: number; kind: string }> = [];
        for (let m = INVISIBLE.exec(src); m && hits.length < 20; m = INVISIBLE.exec(src)) {
          if (m.index === 0 && m[0] === '\uFEFF') continue; // byte-order mark
          const inString = strings.some(([s, e]) => m!.index >= s && m!.index < e);
          if (!inString) hits.push({ offset: m.index, kind: describe(m[0]) });
        }
        // A zero-width character inside a comment changes nothing that runs (a comment that
        // explains BOM stripping contains one); bidi controls in comments still reorder the
        // code a reviewer sees, so they stay.
        if (hits.some((h) => h.kind === 'zero-width character')) {
          const comments = commentRanges(src, ctx.path);
          if (comments)
            hits = hits.filter(
              (h) =>
                h.kind !== 'zero-width character' ||
                !comments.some(([s, e]) => h.offset >= s && h.offset < e),
            );
        }
        if (hits.length === 0) return;
        const first = hits[0]!;
        const kinds = [...new Set(hits.map((h) => h.kind))];
        ctx.facts.capabilities.add('invisible-code');
        ctx.report({
          node: { ...program, start: first.offset, end: first.offset + 1 },
          message: `${hits.length}${hits.length >= 20 ? '+' : ''} invisible character(s) in code outside strings: ${kinds.join(', ')}.`,
          severity: kinds.some((k) => k !== 'zero-width character') ? 'high' : 'medium',
          evidence: { count: hits.length, kinds, line: ctx.lineOf(first.offset).line },
        });
      },
    };
  },
};
