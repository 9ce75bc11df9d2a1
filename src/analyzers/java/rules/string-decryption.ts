import { returnType } from '../classfile.js';
import type { JavaRule, MethodUnit } from '../engine.js';
import { java } from './helpers.js';

/** Whether a method looks like a string decryptor: XOR over array elements, or a Cipher, returning text/bytes. */
function decryptorKind(m: MethodUnit): 'xor' | 'cipher' | undefined {
  const ret = returnType(m.method.descriptor);
  if (ret !== 'Ljava/lang/String;' && ret !== '[B' && ret !== '[C') return undefined;
  if (m.summary.calls.some((c) => c.ref.owner === 'javax/crypto/Cipher' && c.ref.name === 'doFinal'))
    return 'cipher';
  if (m.summary.xorOnElements > 0) return 'xor';
  return undefined;
}

/**
 * Flags string-decryption routines that are fed constants: XOR loops over char/byte arrays or
 * a Cipher with a hard-coded key, called with literal arguments from elsewhere in the jar.
 */
export const stringDecryption: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-012',
    name: 'java-string-decryption',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'medium',
    description:
      'A method decrypts constants at run time (XOR over array elements or javax.crypto.Cipher) and is called with literal strings or byte arrays.',
    rationale:
      'String encryption is how obfuscators and malware hide URLs, commands and class names from anyone reading the jar; published open-source libraries have no reason to hide their own strings.',
    falsePositives:
      'Checksum, hashing and codec implementations XOR array elements but are not fed literal ciphertexts; commercial jars obfuscated with Allatori/Zelix/DashO on purpose.',
    example:
      'static String d(String s) { char[] c = s.toCharArray(); for (int i = 0; i < c.length; i++) c[i] ^= 0x5A; return new String(c); }',
    references: ['https://attack.mitre.org/techniques/T1027/', 'https://attack.mitre.org/techniques/T1140/'],
  },
  create(ctx) {
    return {
      end() {
        const decoders = new Map<string, { m: MethodUnit; kind: 'xor' | 'cipher' }>();
        for (const unit of ctx.jar.classes)
          for (const m of unit.methods) {
            const kind = decryptorKind(m);
            if (kind)
              decoders.set(`${unit.module}${unit.cls.name}.${m.method.name}:${m.method.descriptor}`, {
                m,
                kind,
              });
          }
        if (decoders.size === 0) return;
        const constantCalls = new Map<string, number>();
        let flowsToSink = false;
        for (const unit of ctx.jar.classes)
          for (const m of unit.methods)
            for (const call of m.summary.calls) {
              const key = `${unit.module}${call.ref.owner}.${call.ref.name}:${call.ref.descriptor}`;
              if (
                decoders.has(key) &&
                call.args.some((a) => a.s !== undefined || (a.arr !== undefined && a.arr.items.length > 0))
              )
                constantCalls.set(key, (constantCalls.get(key) ?? 0) + 1);
              if (
                call.args.some((a) => a.src?.includes('decrypted')) &&
                /exec|forName|loadClass|getMethod|<init>|lookup|defineClass|load/.test(call.ref.name)
              )
                flowsToSink = true;
            }
        for (const [key, n] of constantCalls) {
          const { m, kind } = decoders.get(key)!;
          // Cipher helpers called once with a literal are common in config code; XOR decoders are not.
          if (kind === 'cipher' && n < 2 && !flowsToSink) continue;
          ctx.report({
            at: m,
            pc: 0,
            code: `${kind === 'xor' ? 'XOR loop over array elements' : 'Cipher.doFinal'} returning ${returnType(m.method.descriptor)}`,
            severity: flowsToSink ? 'high' : 'medium',
            message: `${m.unit.cls.name.replace(/\//g, '.')}.${m.method.name} decrypts literal strings at run time (${n} call${n > 1 ? 's' : ''} with constants${flowsToSink ? '; decrypted values reach exec/reflection/network calls' : ''}).`,
            evidence: { decoder: key, calls: n, kind },
          });
        }
      },
    };
  },
};
