import { loadJsonData } from '../../../core/data.js';
import type { Severity } from '../../../core/types.js';
import { matchSensitivePaths } from '../../text/sensitive.js';
import type { PyContext, PyRule } from '../engine.js';
import type { Node } from '../parser.js';
import { textOf } from '../values.js';
import { py } from './helpers.js';

interface Indicators {
  stealerStrings: Array<{ pattern: string; kind: string }>;
  stealerCalls: string[];
  spywareCalls: Array<{ call: string; kind: string }>;
  persistence: Array<{ pattern: string; kind: string; severity: Severity }>;
  obfuscators: Array<{ pattern: string; kind: string }>;
}

let cached: { raw: Indicators; stealer: Array<{ re: RegExp; kind: string }> } | undefined;
export function indicators() {
  if (!cached) {
    const raw = loadJsonData<Indicators>('python-indicators.json');
    cached = {
      raw,
      stealer: raw.stealerStrings.map((s) => ({ re: new RegExp(s.pattern, 'i'), kind: s.kind })),
    };
  }
  return cached;
}

/** Secret stores that only stealers read (a single hit is already telling). */
const STEALER_KINDS = /browser|Discord|wallet|Telegram|FTP|Chromium|Roblox|Steam|Minecraft|VPN|keychain/i;

export const credentialAccess: PyRule = {
  meta: {
    ...py,
    id: 'PY-009',
    name: 'credential-access',
    category: 'credential-theft',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code names secret stores: browser cookies/Login Data, Discord tokens, crypto wallets, SSH/AWS/GCP/Kubernetes credentials, keyrings, Telegram sessions; or calls DPAPI/keyring/browser-cookie APIs.',
    rationale:
      'Info-stealers (the largest family of PyPI malware after droppers) walk a list of such stores, decrypt them with DPAPI/AES and send them to a webhook. One store named once can be legitimate; several, or stealer-only stores, are not.',
    falsePositives:
      'HTTP libraries honouring ~/.netrc, cloud SDKs reading their own config, browser automation tools.',
    example:
      "os.path.join(os.getenv('LOCALAPPDATA'), 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')",
    references: [
      'https://attack.mitre.org/techniques/T1555/003/',
      'https://attack.mitre.org/techniques/T1552/001/',
    ],
  },
  create(ctx) {
    const kinds = new Map<string, { node: Node; match: string; loadTime: boolean }>();
    const note = (kind: string, node: Node, match: string) => {
      if (!kinds.has(kind)) kinds.set(kind, { node, match, loadTime: ctx.loadTime() });
    };
    const { raw, stealer } = indicators();
    const calls = new Set(raw.stealerCalls);
    const checkText = (node: Node, text: string | undefined) => {
      // Paths and names are short; prose (docstrings, messages) is not evidence of access.
      if (!text || text.length < 4 || text.length > 300 || /\s\w+\s\w+\s\w+\s/.test(text)) return;
      for (const m of matchSensitivePaths(text)) note(m.kind, node, m.match);
      for (const s of stealer) {
        const m = s.re.exec(text);
        if (m) note(s.kind, node, m[0]);
      }
    };
    return {
      string(node: Node) {
        if (node.parent?.type === 'concatenated_string' || node.parent?.type === 'expression_statement')
          return;
        checkText(node, textOf(ctx.evaluate(node)));
      },
      call(node: Node) {
        const name = ctx.callee(node);
        if (name && calls.has(name)) {
          if (name === 'sqlite3.connect') {
            const p = ctx.evaluateString(ctx.args(node).positional[0]);
            if (p && /Login Data|Cookies|Web Data|History|places\.sqlite|cookies\.sqlite/i.test(p))
              note('browser database', node, p);
            return;
          }
          if (/AES/.test(name)) return; // only meaningful next to a browser key, which the strings show
          note(
            name.startsWith('keyring')
              ? 'system keyring'
              : name.includes('Crypt')
                ? 'DPAPI decryption (browser secrets)'
                : 'browser cookies',
            node,
            name,
          );
          return;
        }
        const fn = node.childForFieldName('function');
        if (fn && /join|format|Path|expand|getenv/.test(fn.text)) checkText(node, textOf(ctx.evaluate(node)));
      },
      binary_operator(node: Node) {
        if (node.parent?.type === 'binary_operator') return;
        checkText(node, textOf(ctx.evaluate(node)));
      },
      'module:exit'() {
        if (kinds.size === 0) return;
        const list = [...kinds.entries()];
        const stealerOnly = list.filter(([k]) => STEALER_KINDS.test(k));
        const strong = (stealerOnly.length > 0 && list.length >= 2) || list.length >= 3;
        const first = (stealerOnly[0] ?? list[0])!;
        const loadTime = list.some(([, v]) => v.loadTime);
        ctx.findings.length; // keep ordering stable
        const severity: Severity = strong
          ? stealerOnly.length >= 2 || list.length >= 4
            ? 'critical'
            : 'high'
          : list.length === 2
            ? 'medium'
            : 'low';
        ctx.reportFile({
          line: first[1].node.startPosition.row + 1,
          snippet: ctx.snippetOf(first[1].node),
          loadTime,
          weak: !strong,
          severity,
          message: `Names ${list.length} secret store${list.length > 1 ? 's' : ''}: ${list
            .map(([k]) => k)
            .slice(0, 6)
            .join(', ')}.`,
          evidence: { stores: list.map(([k, v]) => ({ kind: k, match: v.match.slice(0, 80) })) },
        });
      },
    };
  },
};

export const spyware: PyRule = {
  meta: {
    ...py,
    id: 'PY-012',
    name: 'keylogger-screen-grabber',
    category: 'credential-theft',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code hooks the keyboard, grabs the screen, webcam, microphone or clipboard. A keyboard hook whose handler stores or sends the keys it receives is a keylogger proper (critical).',
    rationale:
      'Libraries almost never need to watch keystrokes or take screenshots; RATs and stealers shipped on PyPI do both and send the result to a webhook.',
    falsePositives: 'Automation and accessibility tools (pyautogui-based), screenshot utilities.',
    example: 'pynput.keyboard.Listener(on_press=log).start()',
    references: [
      'https://attack.mitre.org/techniques/T1056/001/',
      'https://attack.mitre.org/techniques/T1113/',
    ],
  },
  create(ctx) {
    const calls = new Map(indicators().raw.spywareCalls.map((c) => [c.call, c.kind]));
    const seen = new Set<string>();
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        const kind = name ? calls.get(name) : undefined;
        if (!kind || seen.has(kind)) return;
        seen.add(kind);
        const recorded = kind === 'keylogger' ? recordsKeys(ctx, node) : undefined;
        ctx.report({
          node,
          severity: recorded ? 'critical' : kind === 'keylogger' ? 'high' : 'medium',
          confidence: recorded === 'sent' ? 'high' : undefined,
          weak: kind !== 'keylogger',
          message: recorded
            ? `Acts as a keylogger (${name}): the key handler ${recorded === 'sent' ? 'sends every keystroke over the network' : 'records every keystroke'}.`
            : `Acts as a ${kind} (${name}).`,
          evidence: { callee: name, kind, recorded },
        });
      },
    };
  },
};

/** Calls that store or send what they are given (file writes, buffers, sockets, requests, bots). */
const RECORD_METHOD = /^(write|writelines|append|extend|insert|info|debug|warning|log)$/;
const SEND_METHOD =
  /^(send|sendall|sendto|post|put|request|urlopen|send_message|sendMessage|send_document|sendDocument|execute)$/;

/**
 * Whether a keyboard hook's handler keeps the keys it is given: the handler (`on_press=`, or the
 * first argument of `keyboard.on_press`/`hook`) passes its key parameter to a write, a buffer, a log
 * or a network send, or accumulates it (`keys += str(key)`). Hotkey handlers compare the key and act;
 * keyloggers store or send it.
 */
function recordsKeys(ctx: PyContext, call: Node): 'recorded' | 'sent' | undefined {
  const { positional, keywords } = ctx.args(call);
  const ref =
    keywords.get('on_press') ?? keywords.get('on_release') ?? keywords.get('callback') ?? positional[0];
  if (ref?.type !== 'identifier') return undefined;
  const def = ctx.lookup(ref.text, ref.startIndex, ref);
  if (def?.kind !== 'def' || def.value?.type !== 'function_definition') return undefined;
  const params = (def.value.childForFieldName('parameters')?.namedChildren ?? [])
    .map((p) => (p?.type === 'identifier' ? p.text : p?.childForFieldName('name')?.text))
    .filter((p): p is string => !!p && p !== 'self');
  if (params.length === 0) return undefined;
  const mentions = new RegExp(`\\b(?:${params.map((p) => p.replace(/\W/g, '')).join('|')})\\b`);
  const body = def.value.childForFieldName('body');
  let result: 'recorded' | 'sent' | undefined;
  for (const c of body?.descendantsOfType('call') ?? []) {
    const fn = c?.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (!c || !method || !mentions.test(c.childForFieldName('arguments')?.text ?? '')) continue;
    if (SEND_METHOD.test(method)) return 'sent';
    if (RECORD_METHOD.test(method)) result = 'recorded';
  }
  for (const a of body?.descendantsOfType('augmented_assignment') ?? [])
    if (a && mentions.test(a.childForFieldName('right')?.text ?? '')) result ??= 'recorded';
  return result;
}
