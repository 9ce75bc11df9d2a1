/**
 * A Java class-file reader (JVMS chapter 4): constant pool, fields, methods with their Code
 * attribute (bytecode, exception table, LineNumberTable), bootstrap methods and the attributes
 * Beagle reasons about. It reads bytes only; nothing is loaded or run. Kotlin, Scala and Groovy
 * compile to the same format, so the reader is language-neutral.
 */

/** Constant-pool tags (JVMS 4.4). */
export const CP = {
  Utf8: 1,
  Integer: 3,
  Float: 4,
  Long: 5,
  Double: 6,
  Class: 7,
  String: 8,
  Fieldref: 9,
  Methodref: 10,
  InterfaceMethodref: 11,
  NameAndType: 12,
  MethodHandle: 15,
  MethodType: 16,
  Dynamic: 17,
  InvokeDynamic: 18,
  Module: 19,
  Package: 20,
} as const;

export type CpEntry =
  | { tag: typeof CP.Utf8; value: string }
  | { tag: typeof CP.Integer; value: number }
  | { tag: typeof CP.Float; value: number }
  | { tag: typeof CP.Long; value: bigint }
  | { tag: typeof CP.Double; value: number }
  | { tag: typeof CP.Class; nameIndex: number }
  | { tag: typeof CP.String; stringIndex: number }
  | {
      tag: typeof CP.Fieldref | typeof CP.Methodref | typeof CP.InterfaceMethodref;
      classIndex: number;
      nameAndTypeIndex: number;
    }
  | { tag: typeof CP.NameAndType; nameIndex: number; descriptorIndex: number }
  | { tag: typeof CP.MethodHandle; kind: number; referenceIndex: number }
  | { tag: typeof CP.MethodType; descriptorIndex: number }
  | { tag: typeof CP.Dynamic | typeof CP.InvokeDynamic; bootstrapIndex: number; nameAndTypeIndex: number }
  | { tag: typeof CP.Module | typeof CP.Package; nameIndex: number };

/** A resolved field or method reference: `java/lang/Runtime.exec:(Ljava/lang/String;)...`. */
export interface MemberRef {
  owner: string;
  name: string;
  descriptor: string;
}

export interface ExceptionHandler {
  startPc: number;
  endPc: number;
  handlerPc: number;
  catchType?: string;
}

export interface CodeAttribute {
  maxStack: number;
  maxLocals: number;
  code: Buffer;
  handlers: ExceptionHandler[];
  /** Sorted by pc: `[pc, line]`. */
  lines: Array<[number, number]>;
}

export interface Annotation {
  /** Type descriptor, e.g. `Ljavax/annotation/processing/SupportedAnnotationTypes;`. */
  type: string;
}

export interface MemberInfo {
  access: number;
  name: string;
  descriptor: string;
  code?: CodeAttribute;
  annotations: Annotation[];
  /** For fields: the ConstantValue attribute. */
  constantValue?: string | number | bigint;
}

export interface BootstrapMethod {
  /** The bootstrap method handle's target, e.g. `java/lang/invoke/StringConcatFactory.makeConcatWithConstants`. */
  method?: MemberRef;
  /** Static arguments: strings stay strings, other constants are described. */
  args: Array<string | number | bigint | undefined>;
}

export interface ClassFile {
  minor: number;
  major: number;
  access: number;
  /** Internal name, `com/x/Init`. */
  name: string;
  superName?: string;
  interfaces: string[];
  fields: MemberInfo[];
  methods: MemberInfo[];
  sourceFile?: string;
  annotations: Annotation[];
  bootstrapMethods: BootstrapMethod[];
  pool: ConstantPool;
}

export const ACC_STATIC = 0x0008;
export const ACC_SYNTHETIC = 0x1000;
export const ACC_INTERFACE = 0x0200;
export const ACC_NATIVE = 0x0100;

/** Thrown for class files that cannot be read; callers wrap it with the file name. */
export class ClassFormatError extends Error {
  override name = 'ClassFormatError';
}

/** Big-endian cursor over a buffer that fails with a ClassFormatError instead of reading garbage. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new ClassFormatError(`truncated at byte ${this.pos} (need ${n} more)`);
  }
  u1(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u2(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u4(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i4(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/**
 * Decodes the JVM's "modified UTF-8" (JVMS 4.4.7): NUL is two bytes, supplementary characters
 * are surrogate pairs encoded separately. Invalid sequences become U+FFFD rather than failing.
 */
export function decodeModifiedUtf8(b: Buffer): string {
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    if (b[i]! >= 0x80 || b[i] === 0) {
      ascii = false;
      break;
    }
  }
  if (ascii) return b.toString('latin1');
  const units: number[] = [];
  for (let i = 0; i < b.length; ) {
    const x = b[i]!;
    if (x < 0x80) {
      units.push(x);
      i += 1;
    } else if ((x & 0xe0) === 0xc0 && i + 1 < b.length) {
      units.push(((x & 0x1f) << 6) | (b[i + 1]! & 0x3f));
      i += 2;
    } else if ((x & 0xf0) === 0xe0 && i + 2 < b.length) {
      units.push(((x & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
      i += 3;
    } else {
      units.push(0xfffd);
      i += 1;
    }
  }
  let out = '';
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}

/** The constant pool with typed accessors; index 0 and the second slot of longs/doubles are empty. */
export class ConstantPool {
  private readonly refs = new Map<number, MemberRef>();
  constructor(readonly entries: Array<CpEntry | undefined>) {}

  get size(): number {
    return this.entries.length;
  }

  entry(i: number): CpEntry | undefined {
    return this.entries[i];
  }

  utf8(i: number): string {
    const e = this.entries[i];
    if (!e || e.tag !== CP.Utf8) throw new ClassFormatError(`constant #${i} is not Utf8`);
    return e.value;
  }

  className(i: number): string {
    const e = this.entries[i];
    if (!e || e.tag !== CP.Class) throw new ClassFormatError(`constant #${i} is not a Class`);
    return this.utf8(e.nameIndex);
  }

  nameAndType(i: number): { name: string; descriptor: string } {
    const e = this.entries[i];
    if (!e || e.tag !== CP.NameAndType) throw new ClassFormatError(`constant #${i} is not NameAndType`);
    return { name: this.utf8(e.nameIndex), descriptor: this.utf8(e.descriptorIndex) };
  }

  /** A Fieldref/Methodref/InterfaceMethodref as owner.name:descriptor. */
  memberRef(i: number): MemberRef {
    const hit = this.refs.get(i);
    if (hit) return hit;
    const ref = this.readMemberRef(i);
    this.refs.set(i, ref);
    return ref;
  }

  private readMemberRef(i: number): MemberRef {
    const e = this.entries[i];
    if (!e || (e.tag !== CP.Fieldref && e.tag !== CP.Methodref && e.tag !== CP.InterfaceMethodref))
      throw new ClassFormatError(`constant #${i} is not a member reference`);
    return { owner: this.className(e.classIndex), ...this.nameAndType(e.nameAndTypeIndex) };
  }

  /** The value an `ldc` of this entry pushes, as far as Beagle tracks it. */
  loadable(
    i: number,
  ):
    | { kind: 'string'; value: string }
    | { kind: 'int' | 'float' | 'double'; value: number }
    | { kind: 'long'; value: bigint }
    | { kind: 'class'; value: string }
    | { kind: 'other' } {
    const e = this.entries[i];
    if (!e) throw new ClassFormatError(`constant #${i} is empty`);
    switch (e.tag) {
      case CP.String:
        return { kind: 'string', value: this.utf8(e.stringIndex) };
      case CP.Integer:
        return { kind: 'int', value: e.value };
      case CP.Float:
        return { kind: 'float', value: e.value };
      case CP.Double:
        return { kind: 'double', value: e.value };
      case CP.Long:
        return { kind: 'long', value: e.value };
      case CP.Class:
        return { kind: 'class', value: this.utf8(e.nameIndex) };
      default:
        return { kind: 'other' };
    }
  }

  /** Every string literal (CONSTANT_String) in the class. */
  *strings(): Generator<string> {
    for (const e of this.entries) if (e?.tag === CP.String) yield this.utf8(e.stringIndex);
  }
}

function readPool(r: Reader): ConstantPool {
  const count = r.u2();
  const entries: Array<CpEntry | undefined> = new Array(count);
  for (let i = 1; i < count; i++) {
    const tag = r.u1();
    switch (tag) {
      case CP.Utf8: {
        const len = r.u2();
        entries[i] = { tag, value: decodeModifiedUtf8(r.bytes(len)) };
        break;
      }
      case CP.Integer:
        entries[i] = { tag, value: r.i4() };
        break;
      case CP.Float: {
        r.need(4);
        entries[i] = { tag, value: r.buf.readFloatBE(r.pos) };
        r.pos += 4;
        break;
      }
      case CP.Long: {
        r.need(8);
        entries[i] = { tag, value: r.buf.readBigInt64BE(r.pos) };
        r.pos += 8;
        i++; // longs take two slots
        break;
      }
      case CP.Double: {
        r.need(8);
        entries[i] = { tag, value: r.buf.readDoubleBE(r.pos) };
        r.pos += 8;
        i++;
        break;
      }
      case CP.Class:
        entries[i] = { tag, nameIndex: r.u2() };
        break;
      case CP.String:
        entries[i] = { tag, stringIndex: r.u2() };
        break;
      case CP.Fieldref:
      case CP.Methodref:
      case CP.InterfaceMethodref:
        entries[i] = { tag, classIndex: r.u2(), nameAndTypeIndex: r.u2() };
        break;
      case CP.NameAndType:
        entries[i] = { tag, nameIndex: r.u2(), descriptorIndex: r.u2() };
        break;
      case CP.MethodHandle:
        entries[i] = { tag, kind: r.u1(), referenceIndex: r.u2() };
        break;
      case CP.MethodType:
        entries[i] = { tag, descriptorIndex: r.u2() };
        break;
      case CP.Dynamic:
      case CP.InvokeDynamic:
        entries[i] = { tag, bootstrapIndex: r.u2(), nameAndTypeIndex: r.u2() };
        break;
      case CP.Module:
      case CP.Package:
        entries[i] = { tag, nameIndex: r.u2() };
        break;
      default:
        throw new ClassFormatError(`unknown constant-pool tag ${tag} at entry #${i}`);
    }
  }
  return new ConstantPool(entries);
}

function readAnnotationsAttr(r: Reader, pool: ConstantPool): Annotation[] {
  const n = r.u2();
  const out: Annotation[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ type: pool.utf8(r.u2()) });
    skipAnnotationBody(r);
  }
  return out;
}

function skipAnnotationBody(r: Reader): void {
  const pairs = r.u2();
  for (let i = 0; i < pairs; i++) {
    r.u2();
    skipElementValue(r);
  }
}

function skipElementValue(r: Reader): void {
  const tag = String.fromCharCode(r.u1());
  if ('BCDFIJSZsc'.includes(tag)) r.u2();
  else if (tag === 'e') r.bytes(4);
  else if (tag === '@') {
    r.u2();
    skipAnnotationBody(r);
  } else if (tag === '[') {
    const n = r.u2();
    for (let i = 0; i < n; i++) skipElementValue(r);
  } else throw new ClassFormatError(`bad annotation element tag "${tag}"`);
}

function readCode(data: Buffer, pool: ConstantPool): CodeAttribute {
  const r = new Reader(data);
  const maxStack = r.u2();
  const maxLocals = r.u2();
  const codeLength = r.u4();
  const code = r.bytes(codeLength);
  const handlers: ExceptionHandler[] = [];
  const n = r.u2();
  for (let i = 0; i < n; i++) {
    const startPc = r.u2();
    const endPc = r.u2();
    const handlerPc = r.u2();
    const type = r.u2();
    handlers.push({ startPc, endPc, handlerPc, catchType: type ? pool.className(type) : undefined });
  }
  const lines: Array<[number, number]> = [];
  const attrs = r.u2();
  for (let i = 0; i < attrs; i++) {
    const name = pool.utf8(r.u2());
    const len = r.u4();
    const body = r.bytes(len);
    if (name === 'LineNumberTable') {
      const lr = new Reader(body);
      const count = lr.u2();
      for (let j = 0; j < count; j++) lines.push([lr.u2(), lr.u2()]);
    }
  }
  lines.sort((a, b) => a[0] - b[0]);
  return { maxStack, maxLocals, code, handlers, lines };
}

function readMember(r: Reader, pool: ConstantPool): MemberInfo {
  const access = r.u2();
  const name = pool.utf8(r.u2());
  const descriptor = pool.utf8(r.u2());
  const member: MemberInfo = { access, name, descriptor, annotations: [] };
  const attrs = r.u2();
  for (let i = 0; i < attrs; i++) {
    const attrName = pool.utf8(r.u2());
    const len = r.u4();
    const body = r.bytes(len);
    if (attrName === 'Code') member.code = readCode(body, pool);
    else if (attrName === 'RuntimeVisibleAnnotations' || attrName === 'RuntimeInvisibleAnnotations')
      member.annotations.push(...readAnnotationsAttr(new Reader(body), pool));
    else if (attrName === 'ConstantValue' && len >= 2) {
      const c = pool.loadable(body.readUInt16BE(0));
      if (c.kind === 'string' || c.kind === 'int' || c.kind === 'long') member.constantValue = c.value;
    }
  }
  return member;
}

function readBootstrapMethods(body: Buffer, pool: ConstantPool): BootstrapMethod[] {
  const r = new Reader(body);
  const n = r.u2();
  const out: BootstrapMethod[] = [];
  for (let i = 0; i < n; i++) {
    const ref = r.u2();
    const handle = pool.entry(ref);
    let method: MemberRef | undefined;
    if (handle?.tag === CP.MethodHandle) {
      try {
        method = pool.memberRef(handle.referenceIndex);
      } catch {
        method = undefined;
      }
    }
    const argc = r.u2();
    const args: BootstrapMethod['args'] = [];
    for (let j = 0; j < argc; j++) {
      const idx = r.u2();
      const e = pool.entry(idx);
      if (e?.tag === CP.String) args.push(pool.utf8(e.stringIndex));
      else if (e?.tag === CP.Integer || e?.tag === CP.Long) args.push(e.value);
      else args.push(undefined);
    }
    out.push({ method, args });
  }
  return out;
}

/** Parses a class file. Throws ClassFormatError for anything that is not a well-formed class. */
export function parseClassFile(data: Buffer): ClassFile {
  const r = new Reader(data);
  if (r.u4() !== 0xcafebabe) throw new ClassFormatError('missing 0xCAFEBABE magic');
  const minor = r.u2();
  const major = r.u2();
  if (major < 45 || major > 80) throw new ClassFormatError(`unsupported class-file version ${major}`);
  const pool = readPool(r);
  const access = r.u2();
  const name = pool.className(r.u2());
  const superIdx = r.u2();
  const superName = superIdx ? pool.className(superIdx) : undefined;
  const interfaces: string[] = [];
  const ni = r.u2();
  for (let i = 0; i < ni; i++) interfaces.push(pool.className(r.u2()));
  const fields: MemberInfo[] = [];
  const nf = r.u2();
  for (let i = 0; i < nf; i++) fields.push(readMember(r, pool));
  const methods: MemberInfo[] = [];
  const nm = r.u2();
  for (let i = 0; i < nm; i++) methods.push(readMember(r, pool));
  const cls: ClassFile = {
    minor,
    major,
    access,
    name,
    superName,
    interfaces,
    fields,
    methods,
    annotations: [],
    bootstrapMethods: [],
    pool,
  };
  const attrs = r.u2();
  for (let i = 0; i < attrs; i++) {
    const attrName = pool.utf8(r.u2());
    const len = r.u4();
    const body = r.bytes(len);
    if (attrName === 'SourceFile' && len >= 2) cls.sourceFile = pool.utf8(body.readUInt16BE(0));
    else if (attrName === 'BootstrapMethods') cls.bootstrapMethods = readBootstrapMethods(body, pool);
    else if (attrName === 'RuntimeVisibleAnnotations' || attrName === 'RuntimeInvisibleAnnotations')
      cls.annotations.push(...readAnnotationsAttr(new Reader(body), pool));
  }
  return cls;
}

/** The source line of a bytecode offset, from the LineNumberTable when present. */
export function lineAt(code: CodeAttribute, pc: number): number | undefined {
  const lines = code.lines;
  let lo = 0;
  let hi = lines.length - 1;
  let line: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]![0] <= pc) {
      line = lines[mid]![1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return line;
}

/** Number of argument slots a method descriptor pops (longs/doubles count once: Beagle's stack holds values, not slots). */
const argCache = new Map<string, string[]>();

export function argumentTypes(descriptor: string): string[] {
  let hit = argCache.get(descriptor);
  if (!hit) {
    hit = parseArgumentTypes(descriptor);
    if (argCache.size < 50_000) argCache.set(descriptor, hit);
  }
  return hit;
}

function parseArgumentTypes(descriptor: string): string[] {
  const out: string[] = [];
  let i = descriptor.indexOf('(') + 1;
  while (i > 0 && i < descriptor.length && descriptor[i] !== ')') {
    const start = i;
    while (descriptor[i] === '[') i++;
    if (descriptor[i] === 'L') i = descriptor.indexOf(';', i) + 1;
    else i++;
    if (i <= start) break;
    out.push(descriptor.slice(start, i));
  }
  return out;
}

export function returnType(descriptor: string): string {
  return descriptor.slice(descriptor.indexOf(')') + 1);
}

/** `java/lang/Runtime` -> `Runtime`; `com/x/A$B` -> `A$B`. */
export function simpleName(internal: string): string {
  return internal.slice(internal.lastIndexOf('/') + 1);
}
