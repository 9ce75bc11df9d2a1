import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import Bunzip from 'seek-bzip';
import { unxzSync } from './xz.js';

/** Python `bytes` during constant folding (str values are plain JS strings). */
export class PyBytes {
  constructor(readonly data: Buffer) {}
  toString(): string {
    return this.data.toString('latin1');
  }
}

export type PyValue = string | number | boolean | null | PyBytes | PyValue[] | { dict: Map<string, PyValue> };

/** Largest string/bytes value constant folding builds (bigger payloads are left alone). */
export const MAX_VALUE = 4 * 1024 * 1024;

export function isStr(v: unknown): v is string {
  return typeof v === 'string';
}

export function isBytes(v: unknown): v is PyBytes {
  return v instanceof PyBytes;
}

/** Text of a str or bytes value (bytes read as UTF-8, falling back to latin1). */
export function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof PyBytes) {
    const s = v.data.toString('utf8');
    return s.includes('\uFFFD') ? v.data.toString('latin1') : s;
  }
  return undefined;
}

export function bytesOf(v: unknown): Buffer | undefined {
  if (v instanceof PyBytes) return v.data;
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return undefined;
}

/** Decodes the body of a Python string literal (escapes per Python's lexer). */
export function unescapePython(body: string, raw: boolean, bytes: boolean): string {
  if (raw || !body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const n = body[++i]!;
    switch (n) {
      case '\n':
        break;
      case '\r':
        if (body[i + 1] === '\n') i++;
        break;
      case '\\':
      case "'":
      case '"':
        out += n;
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const hex = body.slice(i + 1, i + 3);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 2;
        } else out += '\\x';
        break;
      }
      case 'u':
      case 'U': {
        const len = n === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!bytes && new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) {
          const cp = Number.parseInt(hex, 16);
          out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
          i += len;
        } else out += `\\${n}`;
        break;
      }
      case 'N': {
        const end = body.indexOf('}', i);
        if (!bytes && body[i + 1] === '{' && end > 0) {
          out += '?';
          i = end;
        } else out += '\\N';
        break;
      }
      default:
        if (/[0-7]/.test(n)) {
          let oct = n;
          while (oct.length < 3 && /[0-7]/.test(body[i + 1] ?? '')) oct += body[++i];
          out += String.fromCharCode(Number.parseInt(oct, 8) & (bytes ? 0xff : 0x1ff));
        } else out += `\\${n}`;
    }
  }
  return out;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function b32decode(s: string): Buffer | undefined {
  const clean = s.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = B32.indexOf(ch);
    if (idx < 0) return undefined;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const B85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

function b85decode(s: string, alphabet = B85): Buffer | undefined {
  const clean = s.replace(/\s+/g, '');
  const pad = (5 - (clean.length % 5)) % 5;
  const padded = clean + alphabet[alphabet.length - 1]!.repeat(pad);
  const out = Buffer.alloc((padded.length / 5) * 4);
  for (let i = 0; i < padded.length; i += 5) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const d = alphabet.indexOf(padded[i + j]!);
      if (d < 0) return undefined;
      acc = acc * 85 + d;
    }
    if (acc > 0xffffffff) return undefined;
    out.writeUInt32BE(acc, (i / 5) * 4);
  }
  return out.subarray(0, out.length - pad);
}

function a85decode(s: string): Buffer | undefined {
  const clean = s
    .replace(/^<~|~>$/g, '')
    .replace(/\s+/g, '')
    .replace(/z/g, '!!!!!');
  let alphabet = '';
  for (let c = 33; c < 118; c++) alphabet += String.fromCharCode(c);
  return b85decode(clean, alphabet);
}

function base64Decode(s: string, urlsafe = false): Buffer | undefined {
  let clean = s.replace(/\s+/g, '');
  if (urlsafe) clean = clean.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length < 4) return undefined;
  return Buffer.from(clean, 'base64');
}

export function hexDecode(s: string): Buffer | undefined {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  return Buffer.from(clean, 'hex');
}

function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

const INFLATE_CAP = { maxOutputLength: 16 * 1024 * 1024 };

function inflateAny(data: Buffer): Buffer | undefined {
  for (const fn of [inflateSync, inflateRawSync, gunzipSync]) {
    try {
      return fn(data, INFLATE_CAP);
    } catch {
      // try the next container
    }
  }
  return undefined;
}

function bunzip(data: Buffer): Buffer | undefined {
  try {
    let total = 0;
    const chunks: number[] = [];
    Bunzip.decode(data, {
      writeByte(b: number) {
        if (++total > INFLATE_CAP.maxOutputLength) throw new Error('too large');
        chunks.push(b);
      },
    });
    return Buffer.from(chunks);
  } catch {
    return undefined;
  }
}

/**
 * Decoders Python malware chains to hide payloads, by qualified callee. Each takes the folded
 * first argument and returns the decoded value, or undefined when it cannot be decoded here
 * (marshal, raw lzma, encrypted blobs): the call is still known to be a decoder.
 */
export const DECODERS: Record<string, (v: PyValue, extra: PyValue[]) => PyValue | undefined> = {
  'base64.b64decode': (v, extra) => {
    const t = textOf(v);
    if (t === undefined) return undefined;
    const alt = textOf(extra[0]);
    const s = alt && alt.length === 2 ? t.replaceAll(alt[0]!, '+').replaceAll(alt[1]!, '/') : t;
    const b = base64Decode(s);
    return b ? new PyBytes(b) : undefined;
  },
  'base64.standard_b64decode': (v) => wrap(base64Decode(textOf(v) ?? '')),
  'base64.urlsafe_b64decode': (v) => wrap(base64Decode(textOf(v) ?? '', true)),
  'base64.decodebytes': (v) => wrap(base64Decode(textOf(v) ?? '')),
  'base64.decodestring': (v) => wrap(base64Decode(textOf(v) ?? '')),
  'base64.b32decode': (v) => wrap(b32decode(textOf(v) ?? '')),
  'base64.b16decode': (v) => wrap(hexDecode(textOf(v) ?? '')),
  'base64.b85decode': (v) => wrap(b85decode(textOf(v) ?? '')),
  'base64.a85decode': (v) => wrap(a85decode(textOf(v) ?? '')),
  'binascii.a2b_base64': (v) => wrap(base64Decode(textOf(v) ?? '')),
  'binascii.unhexlify': (v) => wrap(hexDecode(textOf(v) ?? '')),
  'binascii.a2b_hex': (v) => wrap(hexDecode(textOf(v) ?? '')),
  'bytes.fromhex': (v) => wrap(hexDecode(textOf(v) ?? '')),
  'bytearray.fromhex': (v) => wrap(hexDecode(textOf(v) ?? '')),
  'zlib.decompress': (v) => wrap(inflateAny(bytesOf(v) ?? Buffer.alloc(0))),
  'gzip.decompress': (v) => wrap(inflateAny(bytesOf(v) ?? Buffer.alloc(0))),
  'bz2.decompress': (v) => wrap(bunzip(bytesOf(v) ?? Buffer.alloc(0))),
  // .xz streams (what lzma.compress writes by default) decode; raw/alone LZMA stays opaque.
  'lzma.decompress': (v) => wrap(unxzSync(bytesOf(v) ?? Buffer.alloc(0))),
  'marshal.loads': () => undefined,
  'pickle.loads': () => undefined,
  'dill.loads': () => undefined,
  'cloudpickle.loads': () => undefined,
  'codecs.decode': (v, extra) => codec(v, textOf(extra[0]) ?? 'utf-8'),
  'codecs.encode': (v, extra) => {
    const enc = (textOf(extra[0]) ?? '').toLowerCase().replace(/[-_]/g, '');
    if (enc === 'rot13' && typeof v === 'string') return rot13(v);
    return undefined;
  },
};

function wrap(b: Buffer | undefined): PyBytes | undefined {
  return b ? new PyBytes(b) : undefined;
}

/** `codecs.decode(x, enc)` / py2 `str.decode(enc)` for the codecs malware uses. */
export function codec(v: PyValue, encoding: string): PyValue | undefined {
  const enc = encoding.toLowerCase().replace(/[-_]/g, '');
  const t = textOf(v);
  switch (enc) {
    case 'rot13':
      return t !== undefined ? rot13(t) : undefined;
    case 'hex':
    case 'hexcodec':
      return wrap(hexDecode(t ?? ''));
    case 'base64':
    case 'base64codec':
      return wrap(base64Decode(t ?? ''));
    case 'zlib':
    case 'zlibcodec':
      return wrap(inflateAny(bytesOf(v) ?? Buffer.alloc(0)));
    case 'bz2':
      return wrap(bunzip(bytesOf(v) ?? Buffer.alloc(0)));
    case 'utf8':
    case 'utf':
    case 'u8':
    case 'ascii':
    case 'latin1':
    case 'iso88591':
    case 'unicodeescape':
    case 'rawunicodeescape': {
      if (v instanceof PyBytes) {
        if (enc === 'unicodeescape' || enc === 'rawunicodeescape')
          return unescapePython(v.data.toString('latin1'), false, false);
        return enc === 'latin1' || enc === 'iso88591' ? v.data.toString('latin1') : v.data.toString('utf8');
      }
      return typeof v === 'string' ? v : undefined;
    }
    default:
      return undefined;
  }
}

/** Qualified names whose call decodes or deserialises data. */
export function isDecoder(name: string | undefined): boolean {
  return !!name && Object.hasOwn(DECODERS, name);
}

function b32encode(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out + '='.repeat((8 - (out.length % 8)) % 8);
}

/**
 * Encoders, folded so that `os.system('echo %s | base64 -d | sh' % b64encode(cmd))` shows the
 * command that is really run.
 */
export const ENCODERS: Record<string, (v: PyValue) => PyValue | undefined> = {
  'base64.b64encode': (v) => wrap(bytesOrUtf8(v) && Buffer.from(bytesOrUtf8(v)!.toString('base64'))),
  'base64.standard_b64encode': (v) => wrap(bytesOrUtf8(v) && Buffer.from(bytesOrUtf8(v)!.toString('base64'))),
  'base64.encodebytes': (v) => wrap(bytesOrUtf8(v) && Buffer.from(`${bytesOrUtf8(v)!.toString('base64')}\n`)),
  'base64.urlsafe_b64encode': (v) =>
    wrap(
      bytesOrUtf8(v) &&
        Buffer.from(bytesOrUtf8(v)!.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')),
    ),
  'base64.b32encode': (v) => wrap(bytesOrUtf8(v) && Buffer.from(b32encode(bytesOrUtf8(v)!))),
  'base64.b16encode': (v) =>
    wrap(bytesOrUtf8(v) && Buffer.from(bytesOrUtf8(v)!.toString('hex').toUpperCase())),
  'binascii.hexlify': (v) => wrap(bytesOrUtf8(v) && Buffer.from(bytesOrUtf8(v)!.toString('hex'))),
  'binascii.b2a_hex': (v) => wrap(bytesOrUtf8(v) && Buffer.from(bytesOrUtf8(v)!.toString('hex'))),
  'binascii.b2a_base64': (v) =>
    wrap(bytesOrUtf8(v) && Buffer.from(`${bytesOrUtf8(v)!.toString('base64')}\n`)),
};

/** Python 2 passes str to b64encode; Python 3 bytes. Either way the bytes are what is encoded. */
function bytesOrUtf8(v: PyValue): Buffer | undefined {
  if (v instanceof PyBytes) return v.data;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return undefined;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** Module constants used as cipher alphabets (`string.ascii_letters[::-1]`). */
export const STRING_CONSTANTS: Record<string, string> = {
  'string.ascii_letters': LOWER + UPPER,
  'string.ascii_lowercase': LOWER,
  'string.ascii_uppercase': UPPER,
  'string.letters': LOWER + UPPER,
  'string.lowercase': LOWER,
  'string.uppercase': UPPER,
  'string.digits': '0123456789',
  'string.hexdigits': '0123456789abcdefABCDEF',
  'string.octdigits': '01234567',
  'string.punctuation': PUNCT,
  'string.printable': `0123456789${LOWER}${UPPER}${PUNCT} \t\n\r\x0b\x0c`,
};
