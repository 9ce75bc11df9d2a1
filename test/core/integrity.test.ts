import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/core/integrity.js';

const data = Buffer.from('package bytes');
const sri = (alg: string, d: Buffer = data) => `${alg}-${createHash(alg).update(d).digest('base64')}`;

describe('checkIntegrity', () => {
  it('verifies a matching sha512 SRI string', () => {
    expect(checkIntegrity(data, sri('sha512'))).toEqual({
      expected: sri('sha512'),
      actual: sri('sha512'),
      verified: true,
    });
  });

  it('fails on different bytes', () => {
    const r = checkIntegrity(Buffer.from('tampered'), sri('sha512'));
    expect(r.verified).toBe(false);
    expect(r.actual).not.toBe(r.expected);
  });

  it('the strongest listed algorithm decides', () => {
    // A correct sha1 cannot rescue a wrong sha512.
    const mixed = `${sri('sha1')} ${sri('sha512', Buffer.from('other'))}`;
    expect(checkIntegrity(data, mixed).verified).toBe(false);
    expect(checkIntegrity(data, `${sri('sha1', Buffer.from('x'))} ${sri('sha512')}`).verified).toBe(true);
    // Options after `?` are ignored, as in the SRI spec.
    expect(checkIntegrity(data, `${sri('sha256')}?foo`).verified).toBe(true);
  });

  it('checks bare hex digests (npm shasum, PyPI sha256)', () => {
    const sha1 = createHash('sha1').update(data).digest('hex');
    expect(checkIntegrity(data, sha1, 'sha1')).toEqual({
      expected: sha1,
      actual: `sha1:${sha1}`,
      verified: true,
    });
    expect(checkIntegrity(data, sha1.toUpperCase(), 'sha1').verified).toBe(true);
    expect(checkIntegrity(data, '0'.repeat(40), 'sha1').verified).toBe(false);
  });

  it('no digest or only unknown algorithms is never verified', () => {
    expect(checkIntegrity(data, undefined)).toEqual({ actual: sri('sha512'), verified: false });
    expect(checkIntegrity(data, 'md5-AAAA').verified).toBe(false);
  });
});
