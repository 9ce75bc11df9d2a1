import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { js } from './helpers.js';

const HEX_IDENT = /^_0x[0-9a-f]{3,}$/i;
const BUNDLE_PATH =
  /(^|\/)(dist|build|umd|bundles?|vendor|lib\/browser|min)(\/|$)|\.min\.[cm]?js$|\.bundle\.js$/i;

/** Flags obfuscator.io-style code (hex identifiers, string arrays), JSFuck and very long lines outside bundles. */
export const obfuscation: JsRule = {
  meta: {
    ...js,
    id: 'JS-008',
    name: 'obfuscated-code',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'medium',
    description:
      'The file is obfuscated rather than minified: obfuscator.io hex identifiers (`_0x3f2a`), JSFuck, or megabyte lines in a file that is not a build output.',
    rationale:
      'Minifiers shorten names; obfuscators hide strings and control flow so reviewers cannot read the code. Legitimate packages publish readable or minified code, malware publishes obfuscated code.',
    falsePositives: 'Licensing/anti-tamper code of commercial SDKs; some browser fingerprinting libraries.',
    example: "var _0x4f2a=['\\x63\\x68\\x69\\x6c\\x64'];(function(_0x1d3b,_0x4f2a1){...})",
    references: ['https://obfuscator.io/', 'https://github.com/javascript-obfuscator/javascript-obfuscator'],
  },
  create(ctx) {
    const hexNames = new Set<string>();
    let firstHex: Node | undefined;
    return {
      Identifier(node: Node) {
        if (hexNames.size < 50 && HEX_IDENT.test(node.name)) {
          hexNames.add(node.name);
          firstHex ??= node;
        }
      },
      'Program:done'(program: Node) {
        const src = ctx.source;
        if (hexNames.size >= 10 && firstHex) {
          ctx.facts.capabilities.add('obfuscated');
          ctx.report({
            node: firstHex,
            message: `obfuscator.io-style code: ${hexNames.size}${hexNames.size >= 50 ? '+' : ''} hexadecimal identifiers such as ${[...hexNames].slice(0, 3).join(', ')}.`,
            severity: 'high',
            confidence: 'high',
            evidence: { hexIdentifiers: hexNames.size },
          });
          return;
        }
        if (src.length > 500) {
          let fuck = 0;
          for (let i = 0; i < Math.min(src.length, 20000); i++) if ('[]()!+'.includes(src[i]!)) fuck++;
          if (fuck / Math.min(src.length, 20000) > 0.9) {
            ctx.facts.capabilities.add('obfuscated');
            ctx.report({
              node: program,
              message: 'JSFuck-encoded code (only []()!+ characters).',
              severity: 'high',
              confidence: 'high',
            });
            return;
          }
        }
        if (ctx.depth === 0 && !BUNDLE_PATH.test(ctx.path) && src.length > 20000) {
          const lines = src.split('\n');
          const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
          if (longest > 20000 && lines.length < 20 && ctx.pkg.artifact.files.length < 15) {
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
