/**
 * Generates minimal valid class files programmatically (no JDK needed): a public class with
 * `public static void NAME()` methods whose body is `return`, plus optional string constants
 * loaded by `ldc` in a static `strings()` method.
 */

class Pool {
  private readonly parts: Buffer[] = [];
  private readonly index = new Map<string, number>();
  private next = 1;
  private add(key: string, bytes: Buffer): number {
    const hit = this.index.get(key);
    if (hit) return hit;
    const i = this.next++;
    this.index.set(key, i);
    this.parts.push(bytes);
    return i;
  }
  utf8(s: string): number {
    const b = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(3);
    h[0] = 1;
    h.writeUInt16BE(b.length, 1);
    return this.add(`u:${s}`, Buffer.concat([h, b]));
  }
  cls(name: string): number {
    const n = this.utf8(name);
    const b = Buffer.alloc(3);
    b[0] = 7;
    b.writeUInt16BE(n, 1);
    return this.add(`c:${name}`, b);
  }
  str(s: string): number {
    const n = this.utf8(s);
    const b = Buffer.alloc(3);
    b[0] = 8;
    b.writeUInt16BE(n, 1);
    return this.add(`s:${s}`, b);
  }
  bytes(): Buffer {
    const count = Buffer.alloc(2);
    count.writeUInt16BE(this.next);
    return Buffer.concat([count, ...this.parts]);
  }
}

const u2 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u4 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function method(pool: Pool, name: string, code: Buffer, maxStack: number): Buffer {
  const codeAttr = Buffer.concat([u2(maxStack), u2(0), u4(code.length), code, u2(0), u2(0)]);
  return Buffer.concat([
    u2(0x0009),
    u2(pool.utf8(name)),
    u2(pool.utf8('()V')),
    u2(1),
    u2(pool.utf8('Code')),
    u4(codeAttr.length),
    codeAttr,
  ]);
}

/** A class file for `internalName` with empty static methods and, optionally, ldc'd strings. */
export function classBytes(
  internalName: string,
  methodNames: string[],
  strings: string[] = [],
  stringsMethod = 'strings',
  interfaces: string[] = [],
  moreStrings: Record<string, string[]> = {},
): Buffer {
  const pool = new Pool();
  const thisClass = pool.cls(internalName);
  const superClass = pool.cls('java/lang/Object');
  const methods = methodNames.map((n) => method(pool, n, Buffer.from([0xb1]), 0));
  const withStrings: Record<string, string[]> = { ...moreStrings };
  if (strings.length > 0) withStrings[stringsMethod] = strings;
  for (const [name, list] of Object.entries(withStrings)) {
    const code: number[] = [];
    for (const s of list) {
      const i = pool.str(s);
      code.push(0x13, i >> 8, i & 0xff, 0x57); // ldc_w #i; pop
    }
    code.push(0xb1);
    methods.push(method(pool, name, Buffer.from(code), 1));
  }
  const ifaces = interfaces.map((i) => pool.cls(i));
  return Buffer.concat([
    u4(0xcafebabe),
    u2(0),
    u2(52),
    pool.bytes(),
    u2(0x0021),
    u2(thisClass),
    u2(superClass),
    u2(ifaces.length),
    ...ifaces.map(u2),
    u2(0),
    u2(methods.length),
    ...methods,
    u2(0),
  ]);
}
