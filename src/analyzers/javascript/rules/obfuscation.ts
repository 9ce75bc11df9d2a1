import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { isPackerFunction, unpackPacker } from '../unpack.js';
import { calleeName, js, preview } from './helpers.js';

const HEX_IDENT = /^_0x[0-9a-f]{3,}$/i;
/** Text that can spell a hex identifier: the name itself, or a unicode escape (`\u005f0x1a2b`). */
const HEX_NAME_TEXT = /_0x|\\u/i;
const BUNDLE_PATH =
  /(^|\/)(dist|build|umd|bundles?|vendor|lib\/browser|min)(\/|$)|\.min\.[cm]?js$|\.bundle\.js$/i;
/** `\x41`-style escapes of printable ASCII: minifiers never write these, obfuscators do. */
const PRINTABLE_HEX_ESCAPE = /\\x[2-7][0-9a-f]/gi;
const JJENCODE = /\$=\{___:\+\+\$,\$\$\$\$:\(!\[\]\+""\)\[\$\]/;
const AAENCODE = /ﾟωﾟﾉ\s*=\s*\/｀ｍ´）ﾉ\s*~┻━┻/;

/** Share of JSFuck alphabet characters in the first 20k characters (no per-char strings). */
function jsfuckRatio(src: string): number {
  const n = Math.min(src.length, 20000);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const c = src.charCodeAt(i);
    // [ ] ( ) ! +
    if (c === 91 || c === 93 || c === 40 || c === 41 || c === 33 || c === 43) hits++;
  }
  return hits / n;
}

function lineStats(src: string): { longest: number; lines: number } {
  let longest = 0;
  let lines = 1;
  let start = 0;
  for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) {
    longest = Math.max(longest, i - start);
    start = i + 1;
    lines++;
  }
  return { longest: Math.max(longest, src.length - start), lines };
}

/**
 * Tells obfuscation from minification: obfuscator.io hex identifiers and rotated string
 * arrays, packed `eval(function(p,a,c,k,e,d)...)`, JSFuck/jjencode/aaencode, hex-escaped
 * ASCII strings, and megabyte lines outside build output.
 */
export const obfuscation: JsRule = {
  meta: {
    ...js,
    id: 'JS-008',
    name: 'obfuscated-code',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'medium',
    description:
      'The file is obfuscated rather than minified: obfuscator.io hex identifiers (`_0x3f2a`) and rotated string arrays, packed eval, JSFuck/jjencode/aaencode, strings written as hex escapes, or megabyte lines in a file that is not a build output.',
    rationale:
      'Minifiers shorten names; obfuscators hide strings and control flow so reviewers cannot read the code. Legitimate packages publish readable or minified code, malware publishes obfuscated code. Packed code is unpacked and analysed again.',
    falsePositives:
      'Licensing/anti-tamper code of commercial SDKs; some browser fingerprinting libraries; obfuscator test fixtures.',
    example: "var _0x4f2a=['\\x63\\x68\\x69\\x6c\\x64'];(function(_0x1d3b,_0x4f2a1){...})",
    references: ['https://obfuscator.io/', 'https://github.com/javascript-obfuscator/javascript-obfuscator'],
  },
  create(ctx) {
    const hexNames = new Set<string>();
    let firstHex: Node | undefined;
    let rotation: Node | undefined;
    let hexEscaped = 0;
    let firstEscaped: Node | undefined;
    let packed = false;
    // Identifiers are a third of all nodes: only files whose text can spell a hex name (`_0x`,
    // or a `\u` escape that may encode one) get the per-identifier check.
    const hexIdentifiers = HEX_NAME_TEXT.test(ctx.source);
    return {
      ...(hexIdentifiers && {
        Identifier(node: Node) {
          if (hexNames.size < 50 && HEX_IDENT.test(node.name)) {
            hexNames.add(node.name);
            firstHex ??= node;
          }
        },
      }),
      Literal(node: Node) {
        if (typeof node.value !== 'string' || hexEscaped >= 20 || node.end - node.start < 12) return;
        // bounded to the literal itself: an unbounded indexOf would rescan the rest of the file
        const raw = ctx.source.slice(node.start, Math.min(node.end, node.start + 400));
        if (!raw.includes('\\x')) return;
        const n = raw.match(PRINTABLE_HEX_ESCAPE)?.length ?? 0;
        if (n >= 3 && n * 4 >= Math.min(raw.length, 400) * 0.5) {
          hexEscaped++;
          firstEscaped ??= node;
        }
      },
      CallExpression(node: Node) {
        // obfuscator.io string-array rotation: arr.push(arr.shift()) / arr['push'](arr['shift']())
        const callee = node.callee;
        if (!rotation && callee?.type === 'MemberExpression') {
          const m = callee.computed ? ctx.evaluateString(callee.property) : callee.property?.name;
          const arg = node.arguments?.[0];
          if (m === 'push' && arg?.type === 'CallExpression' && arg.callee?.type === 'MemberExpression') {
            const inner = arg.callee.computed
              ? ctx.evaluateString(arg.callee.property)
              : arg.callee.property?.name;
            if (inner === 'shift' && ctx.enclosingFunction()) rotation = node;
          }
        }
        // packer: eval(function(p,a,c,k,e,d){...}(...))
        const name = calleeName(ctx, node);
        const arg = node.arguments?.[0];
        if (name === 'eval' && arg?.type === 'CallExpression' && isPackerFunction(arg.callee)) {
          packed = true;
          const unpacked = unpackPacker(ctx, arg);
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node,
            message: `Packed code (eval of a p,a,c,k,e,d unpacker)${unpacked ? `; unpacked: ${preview(unpacked, 100)}` : ''}.`,
            severity: 'high',
            confidence: 'high',
            evidence: { technique: 'packer', unpacked: unpacked ? preview(unpacked, 400) : undefined },
          });
          if (unpacked) ctx.reanalyze?.(unpacked, node);
        }
      },
      'Program:done'(program: Node) {
        const src = ctx.source;
        if (packed) return;
        if (hexNames.size >= 10 && firstHex) {
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node: firstHex,
            message: `obfuscator.io-style code: ${hexNames.size}${hexNames.size >= 50 ? '+' : ''} hexadecimal identifiers such as ${[...hexNames].slice(0, 3).join(', ')}${rotation ? ' and a rotated string array' : ''}.`,
            severity: 'high',
            confidence: 'high',
            evidence: { hexIdentifiers: hexNames.size, stringArrayRotation: !!rotation },
          });
          return;
        }
        if (JJENCODE.test(src.slice(0, 5000)) || AAENCODE.test(src.slice(0, 5000))) {
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node: program,
            message: 'jjencode/aaencode-encoded code (JavaScript written with symbols only).',
            severity: 'high',
            confidence: 'high',
            evidence: { technique: 'jjencode' },
          });
          return;
        }
        if (src.length > 500 && jsfuckRatio(src) > 0.9) {
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node: program,
            message: 'JSFuck-encoded code (only []()!+ characters).',
            severity: 'high',
            confidence: 'high',
            evidence: { technique: 'jsfuck' },
          });
          return;
        }
        if (rotation && hexNames.size >= 3) {
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node: rotation,
            message:
              'A string array rotated with push(shift()) and looked up by index (obfuscator.io string array).',
            severity: 'high',
            confidence: 'medium',
            evidence: { stringArrayRotation: true, hexIdentifiers: hexNames.size },
          });
          return;
        }
        if (hexEscaped >= 3 && firstEscaped) {
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node: firstEscaped,
            message: `${hexEscaped}${hexEscaped >= 20 ? '+' : ''} strings written entirely as \\x hex escapes of plain text.`,
            severity: 'medium',
            confidence: 'medium',
            evidence: { hexEscapedStrings: hexEscaped },
          });
          return;
        }
        if (
          ctx.depth === 0 &&
          !BUNDLE_PATH.test(ctx.path) &&
          src.length > 20000 &&
          ctx.pkg.artifact.files.length < 15
        ) {
          const { longest, lines } = lineStats(src);
          if (longest > 20000 && lines < 20) {
            ctx.report({
              node: program,
              message: `A ${longest}-character line in a small package's non-bundle file (packed or obfuscated code).`,
              severity: 'low',
              confidence: 'low',
              evidence: { longestLine: longest },
            });
          }
        }
      },
    };
  },
};
