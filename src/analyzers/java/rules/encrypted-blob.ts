import type { JavaRule } from '../engine.js';
import { decodeBase64 } from '../interpret.js';
import { java } from './helpers.js';

/** Shannon entropy in bits per byte. */
export function entropy(b: Buffer): number {
  if (b.length === 0) return 0;
  const counts = new Array<number>(256).fill(0);
  for (const x of b) counts[x]!++;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / b.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const KNOWN_BINARY =
  /\.(png|jpe?g|gif|ico|bmp|webp|svg|ttf|otf|woff2?|eot|gz|zip|jar|war|aar|xz|bz2|7z|so|dll|dylib|jnilib|class|ser|der|crt|cer|pem|p12|pfx|jks|keystore|bks|truststore|dat|bin|idx|tflite|onnx|pb|mp3|wav|ogg|ttc|icc|nib|kotlin_module|kotlin_builtins|sig|dex|arsc|wasm|db|sqlite|res|lzma|br|zst|mo)$/i;

/** Flags high-entropy blobs: long Base64 constants of random-looking bytes, or opaque resources. */
export const encryptedBlob: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-014',
    name: 'java-encrypted-blob',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'low',
    description:
      'The jar embeds an encrypted-looking blob: a long Base64 string constant whose bytes are near-random, or a resource of random bytes with no known format.',
    rationale:
      'Loaders carry their second stage encrypted so that neither the class file nor the resource reveals it; the loader decrypts it and defines a class or writes an executable.',
    falsePositives:
      'Embedded keys, certificates, compressed dictionaries and licence files. Known binary formats are skipped; the finding weighs little on its own.',
    example: 'private static final String P = "q8Zt…(4 KB of Base64)…";',
    references: ['https://attack.mitre.org/techniques/T1027/002/'],
  },
  create(ctx) {
    const reported = new Set<string>();
    return {
      string(s, m) {
        if (s.computed || s.value.length < 1024 || reported.has(m.unit.file.path)) return;
        const bytes = decodeBase64(s.value);
        if (!bytes || bytes.length < 768 || entropy(bytes) < 7.5) return;
        reported.add(m.unit.file.path);
        ctx.report({
          at: m,
          pc: s.pc,
          code: `"${s.value.slice(0, 40)}…" (${s.value.length} chars)`,
          message: `A ${s.value.length}-character Base64 constant decodes to ${bytes.length} random-looking bytes (entropy ${entropy(bytes).toFixed(2)} bits/byte): an embedded encrypted payload.`,
          evidence: { length: s.value.length, entropy: Number(entropy(bytes).toFixed(2)) },
        });
      },
      end() {
        for (const f of ctx.pkg.artifact.files) {
          if (f.kind !== 'binary' || f.binaryType !== 'other' || f.size < 4096 || KNOWN_BINARY.test(f.path))
            continue;
          const h = entropy(f.data.subarray(0, 1 << 20));
          if (h < 7.9) continue;
          ctx.report({
            file: f.path,
            context: 'runtime',
            severity: 'low',
            message: `${f.path} is ${f.size} bytes of near-random data (entropy ${h.toFixed(2)} bits/byte) in no known format: possibly an encrypted payload.`,
            evidence: { size: f.size, entropy: Number(h.toFixed(2)) },
          });
        }
      },
    };
  },
};
