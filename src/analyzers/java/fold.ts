/**
 * Constant folding of string-decryption routines. When a jar's own static method turns a
 * literal into a string (XOR over its chars, Base64 then XOR...), Beagle evaluates that method
 * on the literal with a deliberately tiny evaluator: integer arithmetic, local variables,
 * primitive arrays, branches, and a handful of pure String/StringBuilder/Base64 operations.
 * Anything else (any other call, field, object or exception) stops the fold, so nothing the
 * sample does can reach the JVM, the file system or the network: this reads code, it does not
 * run it. A step budget bounds loops.
 */
import { decode, type Instruction, OP } from './bytecode.js';
import { ACC_STATIC, argumentTypes, type ClassFile, type MemberInfo } from './classfile.js';
import { intOp } from './interpret.js';

type Concrete = number | string | ConcreteArray | { sb: string } | { tag: 'UTF8' | 'B64' | 'NEWSTR' } | null;

const INT_OPS = new Set([
  OP.iadd,
  OP.isub,
  OP.imul,
  OP.idiv,
  OP.irem,
  OP.ishl,
  OP.ishr,
  OP.iushr,
  OP.iand,
  OP.ior,
  OP.ixor,
]);
interface ConcreteArray {
  a: number[] | string[];
  kind: string;
}

class Stop extends Error {}

const MAX_STEPS = 200_000;
const MAX_ARRAY = 1 << 16;

function isArr(v: Concrete): v is ConcreteArray {
  return typeof v === 'object' && v !== null && 'a' in v;
}

function bytesToString(a: number[], enc: 'utf8' | 'latin1' = 'utf8'): string {
  return Buffer.from(a.map((x) => x & 0xff)).toString(enc);
}

/** Whether a method is worth folding: static, takes only strings/primitive arrays/ints, returns a string. */
export function foldable(method: MemberInfo): boolean {
  if (!(method.access & ACC_STATIC) || !method.code || method.code.code.length > 4096) return false;
  if (!method.descriptor.endsWith(')Ljava/lang/String;')) return false;
  return argumentTypes(method.descriptor).every((t) => ['Ljava/lang/String;', '[B', '[C', 'I'].includes(t));
}

/**
 * Evaluates a decryption routine on constant arguments; returns the decrypted string, or
 * undefined when the routine does anything outside the evaluator's pure subset.
 */
export function foldDecryptor(
  cls: ClassFile,
  method: MemberInfo,
  args: Concrete[],
  budget: { steps: number } = { steps: MAX_STEPS },
): string | undefined {
  try {
    const r = evaluate(cls, method, args, budget);
    return typeof r === 'string' ? r : undefined;
  } catch (err) {
    if (err instanceof Stop || err instanceof RangeError || err instanceof TypeError) return undefined;
    throw err;
  }
}

function evaluate(cls: ClassFile, method: MemberInfo, args: Concrete[], budget: { steps: number }): Concrete {
  const code = method.code!;
  const ins = decode(code.code);
  const index = new Map<number, number>();
  for (let i = 0; i < ins.length; i++) index.set(ins[i]!.pc, i);
  const locals: Concrete[] = new Array(code.maxLocals).fill(null);
  let slot = 0;
  for (const a of args) locals[slot++] = a;
  const stack: Concrete[] = [];
  const pop = (): Concrete => {
    if (stack.length === 0) throw new Stop();
    return stack.pop()!;
  };
  const popInt = (): number => {
    const v = pop();
    if (typeof v !== 'number') throw new Stop();
    return v;
  };
  const popArr = (): ConcreteArray => {
    const v = pop();
    if (!isArr(v)) throw new Stop();
    return v;
  };
  let pc = 0;
  let steps = 0;
  const jump = (target: number) => {
    const i = index.get(target);
    if (i === undefined) throw new Stop();
    pc = i;
  };
  while (pc < ins.length) {
    if (++steps > MAX_STEPS || --budget.steps < 0) throw new Stop();
    const x: Instruction = ins[pc++]!;
    const op = x.op;
    if (op >= OP.iconst_m1 && op <= OP.iconst_5) stack.push(op - 3);
    else if (op === OP.bipush || op === OP.sipush) stack.push(x.arg!);
    else if (op === OP.ldc || op === OP.ldc_w) {
      const c = cls.pool.loadable(x.arg!);
      if (c.kind === 'string' || c.kind === 'int') stack.push(c.value);
      else throw new Stop();
    } else if (op === OP.iload || op === OP.aload) stack.push(locals[x.arg!]!);
    else if (op >= 0x1a && op <= 0x1d) stack.push(locals[op - 0x1a]!);
    else if (op >= 0x2a && op <= 0x2d) stack.push(locals[op - 0x2a]!);
    else if (op === OP.istore || op === OP.astore) locals[x.arg!] = pop();
    else if (op >= 0x3b && op <= 0x3e) locals[op - 0x3b] = pop();
    else if (op >= 0x4b && op <= 0x4e) locals[op - 0x4b] = pop();
    else if (
      op === OP.iaload ||
      op === OP.baload ||
      op === OP.caload ||
      op === OP.saload ||
      op === OP.aaload
    ) {
      const i = popInt();
      const a = popArr();
      if (i < 0 || i >= a.a.length) throw new Stop();
      stack.push(a.a[i]!);
    } else if (op === OP.iastore || op === OP.bastore || op === OP.castore || op === OP.sastore) {
      const v = popInt();
      const i = popInt();
      const a = popArr();
      if (i < 0 || i >= a.a.length) throw new Stop();
      (a.a as number[])[i] =
        op === OP.bastore
          ? (v << 24) >> 24
          : op === OP.castore
            ? v & 0xffff
            : op === OP.sastore
              ? (v << 16) >> 16
              : v;
    } else if (op === OP.arraylength) stack.push(popArr().a.length);
    else if (op === OP.newarray) {
      const n = popInt();
      if (n < 0 || n > MAX_ARRAY) throw new Stop();
      stack.push({ a: new Array<number>(n).fill(0), kind: String(x.arg) });
    } else if (op === OP.pop) pop();
    else if (op === OP.dup) {
      const v = pop();
      stack.push(v, v);
    } else if (op === OP.swap) {
      const a = pop();
      const b = pop();
      stack.push(a, b);
    } else if (INT_OPS.has(op as never)) {
      const b = popInt();
      const a = popInt();
      stack.push(intArith(op, a, b));
    } else if (op === OP.ineg) stack.push(-popInt() | 0);
    else if (op === OP.iinc) locals[x.arg!] = (((locals[x.arg!] as number) ?? 0) + x.arg2!) | 0;
    else if (op === OP.i2b) stack.push((popInt() << 24) >> 24);
    else if (op === OP.i2c) stack.push(popInt() & 0xffff);
    else if (op === OP.i2s) stack.push((popInt() << 16) >> 16);
    else if (op >= 0x99 && op <= 0x9e) {
      const v = popInt();
      if (cmp(op - 0x99, v, 0)) jump(x.targets![0]!);
    } else if (op >= 0x9f && op <= 0xa4) {
      const b = popInt();
      const a = popInt();
      if (cmp(op - 0x9f, a, b)) jump(x.targets![0]!);
    } else if (op === OP.ifnull || op === OP.ifnonnull) {
      const v = pop();
      if ((v === null) === (op === OP.ifnull)) jump(x.targets![0]!);
    } else if (op === OP.goto || op === OP.goto_w) jump(x.targets![0]!);
    else if (op === OP.areturn || op === OP.ireturn) return pop();
    else if (op === OP.getstatic) {
      const ref = cls.pool.memberRef(x.arg!);
      if (ref.owner === 'java/nio/charset/StandardCharsets' && ref.name === 'UTF_8')
        stack.push({ tag: 'UTF8' });
      else throw new Stop();
    } else if (op === OP.new) {
      const type = cls.pool.className(x.arg!);
      if (type === 'java/lang/StringBuilder' || type === 'java/lang/StringBuffer') stack.push({ sb: '' });
      else if (type === 'java/lang/String') stack.push({ tag: 'NEWSTR' });
      else throw new Stop();
    } else if (op >= OP.invokevirtual && op <= OP.invokestatic)
      invoke(cls.pool.memberRef(x.arg!), op, stack, pop);
    else throw new Stop();
  }
  throw new Stop();
}

/** Integer arithmetic as the interpreter does it; an undefined result (division by zero, unknown op) stops folding. */
function intArith(op: number, a: number, b: number): number {
  const r = intOp(op, a, b);
  if (r === undefined) throw new Stop();
  return r;
}

function cmp(kind: number, a: number, b: number): boolean {
  return [a === b, a !== b, a < b, a >= b, a > b, a <= b][kind]!;
}

/** The pure String/StringBuilder/Base64 operations the evaluator knows. */
function invoke(
  ref: { owner: string; name: string; descriptor: string },
  op: number,
  stack: Concrete[],
  pop: () => Concrete,
): void {
  const n = argumentTypes(ref.descriptor).length;
  const args: Concrete[] = [];
  for (let i = 0; i < n; i++) args.unshift(pop());
  const self = op === OP.invokestatic ? undefined : pop();
  const key = `${ref.owner}.${ref.name}${ref.descriptor}`;
  const push = (v: Concrete) => stack.push(v);
  switch (key) {
    case 'java/lang/String.toCharArray()[C':
      if (typeof self !== 'string') throw new Stop();
      return void push({ a: [...self].map((c) => c.charCodeAt(0)), kind: 'C' });
    case 'java/lang/String.charAt(I)C':
      if (typeof self !== 'string' || typeof args[0] !== 'number') throw new Stop();
      return void push(self.charCodeAt(args[0]) || 0);
    case 'java/lang/String.length()I':
      if (typeof self !== 'string') throw new Stop();
      return void push(self.length);
    case 'java/lang/String.getBytes()[B':
    case 'java/lang/String.getBytes(Ljava/nio/charset/Charset;)[B':
    case 'java/lang/String.getBytes(Ljava/lang/String;)[B':
      if (typeof self !== 'string') throw new Stop();
      return void push({ a: [...Buffer.from(self, 'utf8')].map((b) => (b << 24) >> 24), kind: 'B' });
    case 'java/lang/String.valueOf([C)Ljava/lang/String;':
      if (!isArr(args[0]!)) throw new Stop();
      return void push(String.fromCharCode(...(args[0] as ConcreteArray).a.map(Number)));
    case 'java/lang/String.<init>([C)V':
    case 'java/lang/String.<init>([B)V':
    case 'java/lang/String.<init>([BLjava/nio/charset/Charset;)V':
    case 'java/lang/String.<init>([BLjava/lang/String;)V': {
      const a = args[0]!;
      if (!isArr(a) || typeof self !== 'object' || self === null || !('tag' in self) || self.tag !== 'NEWSTR')
        throw new Stop();
      // `new String; dup; <init>`: the duplicate left on the stack becomes the string.
      const value = ref.descriptor.startsWith('([C')
        ? String.fromCharCode(...a.a.map(Number))
        : bytesToString(a.a.map(Number));
      const i = stack.lastIndexOf(self);
      if (i < 0) throw new Stop();
      stack[i] = value;
      return;
    }
    case 'java/lang/StringBuilder.<init>()V':
    case 'java/lang/StringBuffer.<init>()V':
      return;
    case 'java/lang/StringBuilder.<init>(Ljava/lang/String;)V':
    case 'java/lang/StringBuffer.<init>(Ljava/lang/String;)V':
      if (typeof self !== 'object' || self === null || !('sb' in self) || typeof args[0] !== 'string')
        throw new Stop();
      self.sb = args[0];
      return;
    case 'java/lang/StringBuilder.append(C)Ljava/lang/StringBuilder;':
    case 'java/lang/StringBuffer.append(C)Ljava/lang/StringBuffer;':
    case 'java/lang/StringBuilder.append(Ljava/lang/String;)Ljava/lang/StringBuilder;':
    case 'java/lang/StringBuilder.append(I)Ljava/lang/StringBuilder;': {
      if (typeof self !== 'object' || self === null || !('sb' in self)) throw new Stop();
      const v = args[0];
      self.sb += ref.descriptor.startsWith('(C') ? String.fromCharCode(v as number) : String(v);
      if (self.sb.length > MAX_ARRAY) throw new Stop();
      return void push(self);
    }
    case 'java/lang/StringBuilder.toString()Ljava/lang/String;':
    case 'java/lang/StringBuffer.toString()Ljava/lang/String;':
      if (typeof self !== 'object' || self === null || !('sb' in self)) throw new Stop();
      return void push(self.sb);
    case 'java/util/Base64.getDecoder()Ljava/util/Base64$Decoder;':
      return void push({ tag: 'B64' });
    case 'java/util/Base64$Decoder.decode(Ljava/lang/String;)[B':
      if (
        typeof self !== 'object' ||
        self === null ||
        !('tag' in self) ||
        self.tag !== 'B64' ||
        typeof args[0] !== 'string'
      )
        throw new Stop();
      return void push({ a: [...Buffer.from(args[0], 'base64')].map((b) => (b << 24) >> 24), kind: 'B' });
    default:
      throw new Stop();
  }
}
