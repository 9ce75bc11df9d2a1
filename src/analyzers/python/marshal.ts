/**
 * Reads Python `marshal` data as bytes, never as code: it walks the serialised object graph and
 * collects the string constants and names of every code object (URLs, commands, module and
 * function names), so `exec(marshal.loads(b'...'))` can be judged by what it carries.
 *
 * The code-object header differs between Python versions (4 to 6 leading int32 fields, one or
 * two trailing objects); each layout is tried and the one that reads the whole buffer wins.
 */

interface Layout {
  /** int32 fields before co_code. */
  ints: number;
  /** Objects after the first-line number (lnotab, or linetable + exceptiontable). */
  tail: number;
}

// 3.11+, 3.8-3.10, 3.0-3.7, 2.x
const LAYOUTS: Layout[] = [
  { ints: 5, tail: 2 },
  { ints: 6, tail: 1 },
  { ints: 5, tail: 1 },
  { ints: 4, tail: 1 },
];

const MAX_OBJECTS = 200_000;

class Reader {
  pos = 0;
  objects = 0;
  readonly strings: string[] = [];
  private readonly refs: unknown[] = [];

  constructor(
    private readonly buf: Buffer,
    private readonly layout: Layout,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('truncated');
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  private i32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  private bytes(n: number): Buffer {
    if (n < 0) throw new Error('negative length');
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  private text(b: Buffer, collect: boolean): string {
    const s = b.toString('utf8');
    if (collect && s.length > 0) this.strings.push(s);
    return s;
  }

  object(collect = true): unknown {
    if (++this.objects > MAX_OBJECTS) throw new Error('too many objects');
    const code = this.u8();
    const flag = code & 0x80;
    const type = String.fromCharCode(code & 0x7f);
    let slot = -1;
    if (flag) {
      slot = this.refs.length;
      this.refs.push(undefined);
    }
    const keep = (v: unknown) => {
      if (slot >= 0) this.refs[slot] = v;
      return v;
    };
    switch (type) {
      case '0':
      case 'N':
      case 'F':
      case 'T':
      case 'S':
      case '.':
        return keep(null);
      case 'i':
        return keep(this.i32());
      case 'I':
        this.bytes(8);
        return keep(0);
      case 'l': {
        const n = Math.abs(this.i32());
        this.bytes(n * 2);
        return keep(0);
      }
      case 'f':
      case 'x': {
        // text floats (complex: two of them)
        this.bytes(this.u8());
        if (type === 'x') this.bytes(this.u8());
        return keep(0);
      }
      case 'g':
        this.bytes(8);
        return keep(0);
      case 'y':
        this.bytes(16);
        return keep(0);
      case 's': {
        const b = this.bytes(this.i32());
        // bytes constants: keep printable ones (co_code is read separately, uncollected)
        const printable = collect && b.length > 0 && /^[\x09\x0a\x0d\x20-\x7e]+$/.test(b.toString('latin1'));
        return keep(this.text(b, printable));
      }
      case 't':
      case 'u':
      case 'a':
      case 'A':
        return keep(this.text(this.bytes(this.i32()), collect));
      case 'z':
      case 'Z':
        return keep(this.text(this.bytes(this.u8()), collect));
      case 'R': {
        // Python 2 interned-string back reference
        this.i32();
        return null;
      }
      case '(':
      case '[':
      case '<':
      case '>': {
        const n = this.i32();
        if (n < 0 || n > this.buf.length) throw new Error('bad size');
        const out: unknown[] = [];
        keep(out);
        for (let i = 0; i < n; i++) out.push(this.object(collect));
        return out;
      }
      case ')': {
        const n = this.u8();
        const out: unknown[] = [];
        keep(out);
        for (let i = 0; i < n; i++) out.push(this.object(collect));
        return out;
      }
      case '{': {
        const out: unknown[] = [];
        keep(out);
        for (;;) {
          if (this.buf[this.pos] === 0x30) {
            this.pos++;
            break;
          }
          out.push(this.object(collect), this.object(collect));
        }
        return out;
      }
      case 'r': {
        const i = this.i32();
        if (i < 0 || i >= this.refs.length) throw new Error('bad ref');
        return this.refs[i];
      }
      case 'c': {
        keep('<code>');
        for (let i = 0; i < this.layout.ints; i++) this.i32();
        this.object(false); // co_code: bytecode, not text
        // consts, names, varnames/localsplusnames, freevars/localspluskinds, cellvars/filename, ...
        for (let i = 0; i < 7; i++) this.object(collect);
        this.i32(); // firstlineno
        for (let i = 0; i < this.layout.tail; i++) this.object(false); // line tables
        return '<code>';
      }
      default:
        throw new Error(`unknown marshal type ${code}`);
    }
  }
}

/**
 * String constants and names inside marshalled data (a code object or any marshalled value), or
 * undefined when the bytes are not marshal data this reader understands.
 */
export function marshalStrings(data: Buffer): string[] | undefined {
  if (data.length < 2) return undefined;
  for (const layout of LAYOUTS) {
    const r = new Reader(data, layout);
    try {
      r.object();
      if (r.pos === data.length) return [...new Set(r.strings)];
    } catch {
      // try the next layout
    }
  }
  return undefined;
}
