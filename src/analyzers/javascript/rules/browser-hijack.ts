import { WALLET_ADDRESS_PATTERN } from '../../text/iocs.js';
import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { withoutGlobal } from '../taint.js';
import { calleeName, commandOf, js, PROCESS_EXEC, preview } from './helpers.js';

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
/** A wallet address written out inside a string (the index's wallet pattern, bounded by non-word characters). */
const WALLET_ADDRESS = new RegExp(`(?:^|[^0-9A-Za-z])${WALLET_ADDRESS_PATTERN}(?![0-9A-Za-z])`);
/** Shell commands that read the clipboard (macOS, X11, Wayland, PowerShell). */
const CLIP_READ_COMMAND =
  /\b(?:pbpaste|wl-paste|Get-Clipboard)\b|\bxclip\b[^|;&]*\s-o(?:ut)?\b|\bxsel\b[^|;&]*\s(?:-o|--output)\b/i;
/** Shell commands that write it: pbcopy, wl-copy, Set-Clipboard, `| clip`, xclip without -o, xsel -i. */
const CLIP_WRITE_COMMAND =
  /\b(?:pbcopy|wl-copy|Set-Clipboard)\b|\|\s*clip(?:\.exe)?\b|\bxclip\b(?![^|;&]*\s-o(?:ut)?\b)|\bxsel\b[^|;&]*\s(?:-i|--input)\b/i;
/** Clipboard APIs of the browser, Electron and the common npm clipboard packages. */
const CLIPBOARD_CALLS: ReadonlyMap<string, 'read' | 'write'> = new Map([
  ['navigator.clipboard.readText', 'read'],
  ['navigator.clipboard.read', 'read'],
  ['navigator.clipboard.writeText', 'write'],
  ['navigator.clipboard.write', 'write'],
  ['electron.clipboard.readText', 'read'],
  ['electron.clipboard.writeText', 'write'],
  ['clipboardy.read', 'read'],
  ['clipboardy.readSync', 'read'],
  ['clipboardy.write', 'write'],
  ['clipboardy.writeSync', 'write'],
  ['copy-paste.paste', 'read'],
  ['copy-paste.copy', 'write'],
]);
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
      'Code replaces fetch, XMLHttpRequest.prototype.open/send, WebSocket.send or wallet-provider methods (window.ethereum/solana), or writes to the clipboard in code that matches wallet-address patterns. Critical when, with wallet-address matching, it hooks both the page requests and the wallet or clipboard (a drainer). Also code that both reads and writes the clipboard (pbpaste/pbcopy, xclip, xsel, wl-paste/wl-copy, Get-/Set-Clipboard, navigator.clipboard, Electron, clipboardy) next to wallet-address patterns or a written-out address: a clipboard swapper, critical with both.',
    rationale:
      "Wallet drainers and the 2025 chalk/debug compromise hooked fetch/XHR and window.ethereum to swap recipient addresses in transactions; clipboard hijackers replace copied addresses with the attacker's.",
    falsePositives:
      'Polyfills, test mocks (nock, msw) and APM agents wrap fetch/XHR; they do not carry wallet-address patterns. A wallet tool that both pastes an address to validate it and copies one would meet the clipboard condition; the finding names both commands so a reviewer can tell.',
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
    // clipboard swappers ("clippers"): read the clipboard, recognise an address, write another one
    let walletAddress = false;
    let clipRead: string | undefined;
    let clipWrite: { node: Node; how: string } | undefined;
    const clipboard = (node: Node, name: string) => {
      let read = false;
      let write = false;
      let how = name;
      const access = CLIPBOARD_CALLS.get(withoutGlobal(name));
      if (access === 'read') read = true;
      else if (access === 'write') write = true;
      else if (PROCESS_EXEC.has(name)) {
        const command = commandOf(ctx, name, node);
        if (!command) return;
        read = CLIP_READ_COMMAND.test(command);
        write = CLIP_WRITE_COMMAND.test(command);
        how = `\`${preview(command, 80)}\``;
      }
      if (read) clipRead ??= how;
      if (write) clipWrite ??= { node, how };
    };
    return {
      AssignmentExpression(node: Node) {
        if (node.operator !== '=' || node.left?.type !== 'MemberExpression') return;
        const target = ctx.qualify(node.left);
        if (!target) return;
        const t = withoutGlobal(target);
        if (HOOK_TARGETS.test(t) && /Function|Identifier/.test(node.right?.type ?? ''))
          hooks.push({ node, target: t });
      },
      Literal(node: Node) {
        if (node.regex && WALLET_RE_HINT.test(node.regex.pattern)) walletPattern = true;
        if (typeof node.value !== 'string') return;
        if (TX_METHODS.test(node.value)) walletPattern = true;
        if (!walletAddress && node.value.length >= 26 && WALLET_ADDRESS.test(node.value))
          walletAddress = true;
      },
      CallExpression(node: Node) {
        const name = calleeName(ctx, node);
        if (name) clipboard(node, name);
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
        // Reading the clipboard, matching wallet addresses and writing the clipboard is what a
        // clipper does (address swapping); with a fixed address written out it is certain.
        if (clipRead && clipWrite && (walletPattern || walletAddress)) {
          ctx.facts.capabilities.add('browser-hijack');
          ctx.report({
            node: clipWrite.node,
            message: `Reads the clipboard (${clipRead}) and writes it (${clipWrite.how}) in code that ${walletPattern ? 'matches wallet addresses' : ''}${walletPattern && walletAddress ? ' and ' : ''}${walletAddress ? 'holds a wallet address' : ''}: a clipboard address swapper.`,
            severity: walletPattern && walletAddress ? 'critical' : 'high',
            confidence: 'high',
            evidence: {
              hooked: 'clipboard',
              clipboardRead: clipRead,
              clipboardWrite: clipWrite.how,
              walletPatterns: walletPattern,
              walletAddress,
            },
          });
        }
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
