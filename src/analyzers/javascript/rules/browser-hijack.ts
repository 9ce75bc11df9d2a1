import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, js } from './helpers.js';

const HOOK_TARGETS =
  /^(XMLHttpRequest\.prototype\.(open|send|setRequestHeader)|fetch|WebSocket\.prototype\.send|ethereum\.request|ethereum\.send|ethereum\.sendAsync|solana\.signTransaction|solana\.signAndSendTransaction|navigator\.clipboard\.writeText|document\.execCommand)$/;
/** Regular expressions for wallet addresses: `0x[0-9a-fA-F]{40}` (any order of the hex class), base58 BTC, bech32. */
const WALLET_RE_HINT = /0x\[[0-9a-fA-F-]+\]\{40\}|\[13\]\[a-km-zA-HJ-NP-Z1-9\]\{25,3[45]\}|bc1\[/;
/** What a hook intercepts: the page's requests, the wallet provider, or the clipboard. */
function hookFamily(target: string): string {
  if (/ethereum|solana/.test(target)) return 'wallet';
  if (/clipboard|execCommand/.test(target)) return 'clipboard';
  return 'requests';
}
const TX_METHODS = /^eth_(sendTransaction|signTypedData(_v\d)?|sign)$|^wallet_|^personal_sign$/;

/**
 * Flags browser-side hijacking: replacing fetch/XMLHttpRequest/WebSocket or wallet provider
 * methods, and clipboard code that recognises wallet addresses (address swapping).
 */
export const browserHijack: JsRule = {
  meta: {
    ...js,
    id: 'JS-020',
    name: 'browser-api-hijack',
    category: 'credential-theft',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code replaces fetch, XMLHttpRequest.prototype.open/send, WebSocket.send or wallet-provider methods (window.ethereum/solana), or writes to the clipboard in code that matches wallet-address patterns. Critical when, with wallet-address matching, it hooks both the page requests and the wallet or clipboard (a drainer).',
    rationale:
      "Wallet drainers and the 2025 chalk/debug compromise hooked fetch/XHR and window.ethereum to swap recipient addresses in transactions; clipboard hijackers replace copied addresses with the attacker's.",
    falsePositives:
      'Polyfills, test mocks (nock, msw) and APM agents wrap fetch/XHR; they do not carry wallet-address patterns.',
    example:
      "const o = window.ethereum.request; window.ethereum.request = async (a) => { a.params[0].to = '0x0000000000000000000000000000000000000001'; return o(a) }",
    references: [
      'https://www.aikido.dev/blog/npm-debug-and-chalk-packages-compromised',
      'https://attack.mitre.org/techniques/T1115/',
    ],
  },
  create(ctx) {
    const seen = new Set<string>();
    let walletPattern = false;
    const hooks: Array<{ node: Node; target: string }> = [];
    return {
      AssignmentExpression(node: Node) {
        if (node.operator !== '=' || node.left?.type !== 'MemberExpression') return;
        const target = ctx.qualify(node.left);
        if (!target) return;
        const t = target.replace(/^(window|globalThis|self|global)\./, '');
        if (HOOK_TARGETS.test(t) && /Function|Identifier/.test(node.right?.type ?? ''))
          hooks.push({ node, target: t });
      },
      Literal(node: Node) {
        if (node.regex && WALLET_RE_HINT.test(node.regex.pattern)) walletPattern = true;
        if (typeof node.value === 'string' && TX_METHODS.test(node.value)) walletPattern = true;
      },
      CallExpression(node: Node) {
        const name = calleeName(ctx, node);
        if (name === 'Object.defineProperty') {
          const obj = ctx.qualify(node.arguments?.[0]);
          const prop = ctx.evaluateString(node.arguments?.[1]);
          if (prop && obj && /^(window|globalThis)$/.test(obj) && /^(ethereum|solana|fetch)$/.test(prop))
            hooks.push({ node, target: prop });
        }
        if (name === 'RegExp' || name === 'RegExp.prototype.test') {
          const pattern = ctx.evaluateString(node.arguments?.[0]);
          if (pattern && WALLET_RE_HINT.test(pattern)) walletPattern = true;
        }
      },
      'Program:done'() {
        // Wallet-address matching behind hooks of both the page's requests and the wallet (or
        // clipboard) is a drainer: the chalk/debug compromise of September 2025 rewrote addresses
        // in fetch/XMLHttpRequest responses and in window.ethereum transactions.
        const families = new Set(hooks.map((h) => hookFamily(h.target)));
        const drainer = walletPattern && families.size >= 2;
        for (const h of hooks) {
          const wallet = /ethereum|solana|clipboard|execCommand/.test(h.target);
          if (
            seen.has(h.target) ||
            (!wallet && !walletPattern && h.target !== 'XMLHttpRequest.prototype.send')
          )
            continue;
          seen.add(h.target);
          ctx.facts.capabilities.add('browser-hijack');
          ctx.report({
            node: h.node,
            message: `Replaces ${h.target}${walletPattern ? ' in code that matches wallet addresses/transactions' : ''}${drainer ? `, one of its hooks on ${[...families].sort().join(' and ')}: a wallet drainer` : ''}.`,
            severity: drainer ? 'critical' : walletPattern || wallet ? 'high' : 'medium',
            confidence: walletPattern ? 'high' : 'medium',
            evidence: { hooked: h.target, walletPatterns: walletPattern, hookFamilies: [...families].sort() },
          });
        }
      },
    };
  },
};
