import { matchEndpoints } from '../../text/iocs.js';
import type { JavaRule } from '../engine.js';
import { knownString } from '../interpret.js';
import { isNetworkCall, java, renderCall } from './helpers.js';

/** Records network use (URL, HttpClient, sockets, DNS); a capability the verdict weighs with other evidence. */
export const networkAccess: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-002',
    name: 'java-network-access',
    category: 'network',
    severity: 'info',
    confidence: 'high',
    description: 'Bytecode opens a URL, HTTP client request, socket or DNS lookup.',
    rationale:
      'Exfiltration and second-stage downloads need the network; on its own this is normal library behaviour, so it only counts together with secrets, host fingerprints or early execution.',
    falsePositives: 'HTTP clients, SDKs, database drivers. Informational by design.',
    example: 'new URL("http://192.0.2.1/c").openStream()',
    references: [
      'https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/net/package-summary.html',
    ],
  },
  create(ctx) {
    const perClass = new Map<string, number>();
    return {
      call(call, m) {
        if (!isNetworkCall(call)) return;
        const n = perClass.get(m.unit.file.path) ?? 0;
        perClass.set(m.unit.file.path, n + 1);
        if (n >= 2) return;
        const target = knownString(call.receiver) ?? knownString(call.args[0]);
        const severe = target !== undefined && matchEndpoints(target).length > 0;
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          severity: severe ? 'low' : 'info',
          message: `Network access via ${renderCall(call).slice(0, 60)}${target ? ` to ${target.slice(0, 100)}` : ''}.`,
          evidence: { callee: `${call.ref.owner}.${call.ref.name}`, target },
          iocs: target && /^[a-z]+:\/\//i.test(target) ? [target] : undefined,
        });
      },
    };
  },
};
