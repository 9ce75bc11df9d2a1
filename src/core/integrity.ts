import { createHash } from 'node:crypto';

export interface IntegrityCheck {
  expected?: string;
  actual: string;
  verified: boolean;
}

/**
 * Checks bytes against a Subresource-Integrity string (`sha512-...`, several allowed) or a
 * bare hex digest of a named algorithm. The strongest listed algorithm decides.
 */
export function checkIntegrity(
  data: Buffer,
  expected: string | undefined,
  hexAlgorithm?: string,
): IntegrityCheck {
  const sha512 = `sha512-${createHash('sha512').update(data).digest('base64')}`;
  if (!expected) return { actual: sha512, verified: false };
  if (hexAlgorithm) {
    const actualHex = createHash(hexAlgorithm).update(data).digest('hex');
    return {
      expected,
      actual: `${hexAlgorithm}:${actualHex}`,
      verified: actualHex === expected.toLowerCase(),
    };
  }
  const entries = expected
    .trim()
    .split(/\s+/)
    .map((s) => {
      const i = s.indexOf('-');
      return { alg: s.slice(0, i), digest: s.slice(i + 1).split('?')[0] };
    })
    .filter((e) => ['sha512', 'sha384', 'sha256', 'sha1'].includes(e.alg));
  const rank = (a: string) => ['sha1', 'sha256', 'sha384', 'sha512'].indexOf(a);
  entries.sort((a, b) => rank(b.alg) - rank(a.alg));
  const best = entries[0];
  if (!best) return { expected, actual: sha512, verified: false };
  const actual = `${best.alg}-${createHash(best.alg).update(data).digest('base64')}`;
  const ok = entries.filter((e) => e.alg === best.alg).some((e) => `${e.alg}-${e.digest}` === actual);
  return { expected, actual, verified: ok };
}
