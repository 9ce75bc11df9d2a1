/**
 * A single-pass abstract interpreter over one method's bytecode. It tracks, per stack slot and
 * local, what static reading can know: constant strings and ints, arrays filled with constants,
 * StringBuilder contents, `invokedynamic` string concatenation, Base64-decoded constants,
 * reflective Class/Method values, and where a value came from (environment, files, network,
 * decoding). It never runs the code: calls are modelled, not made.
 *
 * Control flow is followed linearly; at a jump target reached after an unconditional jump the
 * stack recorded by the branch that targets it is restored, which keeps the stack aligned
 * through `cond ? a : b` and try/catch blocks.
 */
import { decode, endsFlow, type Instruction, isConditionalBranch, OP } from './bytecode.js';
import {
  ACC_STATIC,
  argumentTypes,
  type ClassFile,
  CP,
  lineAt,
  type MemberInfo,
  type MemberRef,
  returnType,
} from './classfile.js';

/** Provenance tags a value carries. */
export type Taint =
  | 'env' // whole environment or a secret-named variable
  | 'file' // file contents
  | 'network' // bytes read from the network
  | 'decoded' // Base64-decoded
  | 'decrypted' // output of a decryption routine or Cipher
  | 'encoded' // Base64-encoded (packing data to send)
  | 'computed' // built at run time from non-constant parts
  | 'host'; // host facts: system properties, host names, ordinary env vars

export interface ArrayState {
  elem: string;
  items: Array<Value | undefined>;
  /** Known raw bytes (Base64-decoded constants, String.getBytes). */
  bytes?: Buffer;
}

export interface Value {
  /** Type descriptor (`I`, `J`, `Ljava/lang/String;`, `[B`) or `null`. */
  t: string;
  /** Known string value. */
  s?: string;
  /** Known int value. */
  n?: number;
  arr?: ArrayState;
  /** StringBuilder/StringBuffer parts; `undefined` parts are unknown. */
  sb?: Array<string | undefined>;
  /** For java.lang.Class values: the dotted class name when known. */
  cls?: string;
  /** For reflective Method/Constructor/Field values: `owner.name` when known. */
  member?: string;
  src?: Taint[];
  /** `owner.name` of the call that produced the value. */
  from?: string;
  /** Derived from an array or string element (what XOR decryption loops work on). */
  el?: boolean;
}

export interface CallSite {
  pc: number;
  line?: number;
  op: number;
  ref: MemberRef;
  receiver?: Value;
  args: Value[];
  result?: Value;
}

export interface StringUse {
  value: string;
  pc: number;
  line?: number;
  /** True when the string was built at run time (concatenation, decoding), not a literal. */
  computed: boolean;
  /** For computed strings: how (`base64`, `concat`, `bytes`, `chars`, `xor`...). */
  how?: string;
}

export interface MethodSummary {
  method: MemberInfo;
  calls: CallSite[];
  strings: StringUse[];
  /** `ixor` instructions whose operand came from an array/char element (decryption loops). */
  xorOnElements: number;
  /** Array stores of constant values (byte/char/int arrays built from constants). */
  constantArrayStores: number;
  instructions: number;
  /** Static fields written with their last known value. */
  staticWrites: Array<{ ref: MemberRef; value: Value }>;
  /** Types instantiated with `new`. */
  news: string[];
}

/** What the interpreter may read about other methods and fields of the class/jar. */
export interface InterpretEnv {
  /** Known values of static fields (`owner.name`), typically set by `<clinit>`. */
  statics: Map<string, Value>;
  /** Methods of this jar known to decrypt/decode strings (`owner.name:desc`). */
  decoders?: Set<string>;
  /** Folds a call to one of the jar's decryption routines on constant arguments (see fold.ts). */
  fold?: (ref: MemberRef, args: Value[]) => string | undefined;
}

const STRING = 'Ljava/lang/String;';
const W = (t: string) => t === 'J' || t === 'D';
const unknown = (t: string, src?: Taint[]): Value => (src?.length ? { t, src } : { t });
const str = (s: string, src?: Taint[]): Value => (src?.length ? { t: STRING, s, src } : { t: STRING, s });
const int = (n: number): Value => ({ t: 'I', n: n | 0 });

function mergeSrc(...vals: Array<Value | undefined>): Taint[] | undefined {
  let out: Taint[] | undefined;
  const add = (src: readonly Taint[] | undefined) => {
    if (!src) return;
    for (const t of src) {
      if (!out) out = [t];
      else if (!out.includes(t)) out.push(t);
    }
  };
  for (const v of vals) {
    if (!v) continue;
    add(v.src);
    const items = v.arr?.items;
    if (items) for (let i = 0; i < items.length && i < 64; i++) add(items[i]?.src);
  }
  return out;
}

function withTaint(src: Taint[] | undefined, ...add: Taint[]): Taint[] {
  const out = [...(src ?? [])];
  for (const a of add) if (!out.includes(a)) out.push(a);
  return out;
}

/** The string a value stands for, when fully known. */
export function knownString(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  if (v.s !== undefined) return v.s;
  if (v.sb?.every((p) => p !== undefined)) return v.sb.join('');
  return undefined;
}

/** Renders a value for a message: `"text"`, `{"a","b"}`, or a placeholder naming its origin. */
export function describeValue(v: Value | undefined, max = 120): string {
  if (!v) return '?';
  const s = knownString(v);
  if (s !== undefined) return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
  if (v.n !== undefined) return String(v.n);
  if (v.arr && v.t.startsWith('[L')) {
    const parts = v.arr.items.slice(0, 8).map((it) => (it ? describeValue(it, 60) : '?'));
    return `{${parts.join(', ')}}`;
  }
  if (v.cls) return `${v.cls}.class`;
  if (v.from) return `${v.from.slice(v.from.lastIndexOf('/') + 1)}(…)`;
  return '…';
}

/** The text of a string or string-array value (a command line from `exec(String[])`). */
export function commandText(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  const s = knownString(v);
  if (s !== undefined) return s;
  if (v.arr && v.t === '[Ljava/lang/String;') {
    const parts = v.arr.items.map((it) => knownString(it) ?? '…');
    if (parts.every((p) => p === '…')) return undefined;
    return parts.join(' ');
  }
  if (v.sb) return v.sb.map((p) => p ?? '…').join('');
  return undefined;
}

function bytesOf(v: Value | undefined): Buffer | undefined {
  const a = v?.arr;
  if (!a) return undefined;
  if (a.bytes) return a.bytes;
  if (a.items.length === 0 || a.items.length > 1 << 20) return undefined;
  const out = Buffer.alloc(a.items.length);
  for (let i = 0; i < a.items.length; i++) {
    const n = a.items[i]?.n;
    if (n === undefined) return undefined;
    out[i] = n & 0xff;
  }
  return out;
}

function charsOf(v: Value | undefined): string | undefined {
  const a = v?.arr;
  if (!a || a.items.length > 1 << 16) return undefined;
  let out = '';
  for (const it of a.items) {
    if (it?.n === undefined) return undefined;
    out += String.fromCharCode(it.n & 0xffff);
  }
  return out;
}

const BASE64_RE = /^[A-Za-z0-9+/=_\-\s]+$/;

/** Decodes Base64 (standard or URL alphabet) when the text is plausibly Base64. */
export function decodeBase64(s: string): Buffer | undefined {
  const t = s.replace(/\s+/g, '');
  if (t.length < 4 || !BASE64_RE.test(t)) return undefined;
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Bytes as text when they are mostly printable UTF-8; otherwise undefined. */
export function printable(b: Buffer): string | undefined {
  const s = b.toString('utf8');
  if (s.length === 0) return '';
  let bad = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) bad++;
  }
  return bad / s.length < 0.05 ? s : undefined;
}

function newArray(elem: string, len: Value | undefined): Value {
  const n = len?.n;
  const items: Array<Value | undefined> = n !== undefined && n >= 0 && n <= 1 << 16 ? new Array(n) : [];
  return { t: `[${elem}`, arr: { elem, items } };
}

const ARRAY_LOAD_TYPES: Record<number, string> = {
  46: 'I',
  47: 'J',
  48: 'F',
  49: 'D',
  50: 'Ljava/lang/Object;',
  51: 'B',
  52: 'C',
  53: 'S',
};
const NEWARRAY_TYPES: Record<number, string> = {
  4: 'Z',
  5: 'C',
  6: 'F',
  7: 'D',
  8: 'B',
  9: 'S',
  10: 'I',
  11: 'J',
};

function loadType(op: number): string {
  // iload..aload (0x15..0x19) and their _n forms (0x1a..0x2d)
  const base = op <= 0x19 ? op - 0x15 : Math.floor((op - 0x1a) / 4);
  return ['I', 'J', 'F', 'D', 'Ljava/lang/Object;'][base]!;
}

function localIndex(ins: Instruction): number {
  if (ins.op >= 0x1a && ins.op <= 0x2d) return (ins.op - 0x1a) % 4;
  if (ins.op >= 0x3b && ins.op <= 0x4e) return (ins.op - 0x3b) % 4;
  return ins.arg ?? 0;
}

/** JVM int arithmetic (32-bit wrap); undefined for division by zero or a non-arithmetic opcode. */
export function intOp(op: number, a: number, b: number): number | undefined {
  switch (op) {
    case OP.iadd:
      return (a + b) | 0;
    case OP.isub:
      return (a - b) | 0;
    case OP.imul:
      return Math.imul(a, b);
    case OP.idiv:
      return b === 0 ? undefined : (a / b) | 0;
    case OP.irem:
      return b === 0 ? undefined : (a % b) | 0;
    case OP.ishl:
      return a << (b & 31);
    case OP.ishr:
      return a >> (b & 31);
    case OP.iushr:
      return (a >>> (b & 31)) | 0;
    case OP.iand:
      return a & b;
    case OP.ior:
      return a | b;
    case OP.ixor:
      return a ^ b;
    default:
      return undefined;
  }
}

/** Resolves an invokedynamic string-concatenation recipe (`\u0001` = argument, `\u0002` = constant). */
function concatRecipe(recipe: string | undefined, args: Value[], constants: unknown[]): Value {
  const parts: Array<string | undefined> = [];
  if (recipe === undefined) {
    for (const a of args) parts.push(knownString(a) ?? (a.n !== undefined ? String(a.n) : undefined));
  } else {
    let ai = 0;
    let ci = 0;
    let lit = '';
    for (const ch of recipe) {
      if (ch === '\u0001') {
        if (lit) parts.push(lit);
        lit = '';
        const a = args[ai++];
        parts.push(knownString(a) ?? (a?.n !== undefined && a.t !== 'C' ? String(a.n) : undefined));
      } else if (ch === '\u0002') {
        const c = constants[ci++];
        lit += typeof c === 'string' ? c : String(c);
      } else lit += ch;
    }
    if (lit) parts.push(lit);
  }
  const src = mergeSrc(...args);
  if (parts.every((p) => p !== undefined)) return str(parts.join(''), src);
  return { t: STRING, sb: parts, src: withTaint(src, 'computed') };
}

/**
 * Interprets one method. `onCall` lets the caller model calls into the jar (decoders); the
 * summary lists every call with its abstract arguments and every string the method uses.
 */
export function interpretMethod(cls: ClassFile, method: MemberInfo, env: InterpretEnv): MethodSummary {
  const summary: MethodSummary = {
    method,
    calls: [],
    strings: [],
    xorOnElements: 0,
    constantArrayStores: 0,
    instructions: 0,
    staticWrites: [],
    news: [],
  };
  const code = method.code;
  if (!code) return summary;
  const pool = cls.pool;
  const instructions = decode(code.code);
  summary.instructions = instructions.length;
  const locals: Array<Value | undefined> = new Array(code.maxLocals);
  // Parameters: `this` then the declared arguments.
  let slot = 0;
  if (!(method.access & ACC_STATIC)) locals[slot++] = { t: `L${cls.name};` };
  for (const a of argumentTypes(method.descriptor)) {
    locals[slot] = { t: a };
    slot += W(a) ? 2 : 1;
  }
  const handlerAt = new Map<number, string>();
  for (const h of code.handlers) handlerAt.set(h.handlerPc, h.catchType ?? 'java/lang/Throwable');
  const snapshots = new Map<number, Value[]>();
  let stack: Value[] = [];
  let afterJump = false;

  const pop = (): Value => stack.pop() ?? { t: 'Ljava/lang/Object;' };
  const push = (v: Value) => {
    if (stack.length < 1024) stack.push(v);
  };
  const popN = (n: number): Value[] => {
    const out: Value[] = new Array(n);
    for (let i = n - 1; i >= 0; i--) out[i] = pop();
    return out;
  };
  const emitString = (value: string, pc: number, computed: boolean, how?: string): void => {
    if (value.length === 0) return;
    summary.strings.push({ value, pc, line: lineAt(code, pc), computed, how });
  };

  for (const ins of instructions) {
    const { op, pc } = ins;
    const handler = handlerAt.get(pc);
    if (handler !== undefined) {
      stack = [{ t: `L${handler};` }];
    } else if (afterJump) {
      const snap = snapshots.get(pc);
      stack = snap ? [...snap] : [];
    }
    afterJump = false;

    if (op === OP.nop) {
      // nothing
    } else if (op === OP.aconst_null) push({ t: 'null' });
    else if (op >= OP.iconst_m1 && op <= OP.iconst_5) push(int(op - 0x03));
    else if (op === OP.lconst_0 || op === OP.lconst_1) push({ t: 'J', n: op - OP.lconst_0 });
    else if (op >= OP.fconst_0 && op <= OP.fconst_2) push({ t: 'F' });
    else if (op === OP.dconst_0 || op === OP.dconst_1) push({ t: 'D' });
    else if (op === OP.bipush || op === OP.sipush) push(int(ins.arg!));
    else if (op === OP.ldc || op === OP.ldc_w || op === OP.ldc2_w) {
      const c = pool.loadable(ins.arg!);
      if (c.kind === 'string') {
        push(str(c.value));
        emitString(c.value, pc, false);
      } else if (c.kind === 'int') push(int(c.value));
      else if (c.kind === 'long') push({ t: 'J', n: Number(BigInt.asIntN(32, c.value)) });
      else if (c.kind === 'float') push({ t: 'F' });
      else if (c.kind === 'double') push({ t: 'D' });
      else if (c.kind === 'class') push({ t: 'Ljava/lang/Class;', cls: c.value.replace(/\//g, '.') });
      else push({ t: 'Ljava/lang/Object;' });
    } else if ((op >= 0x15 && op <= 0x19) || (op >= 0x1a && op <= 0x2d)) {
      const idx = localIndex(ins);
      push(locals[idx] ?? { t: loadType(op) });
    } else if (op >= 0x2e && op <= 0x35) {
      const index = pop();
      const arr = pop();
      const item = index.n !== undefined ? arr.arr?.items[index.n] : undefined;
      let v: Value;
      if (item) v = item;
      else if (arr.arr?.bytes && index.n !== undefined && index.n < arr.arr.bytes.length)
        v = int((arr.arr.bytes[index.n]! << 24) >> 24);
      else {
        const elem = op === 0x32 && arr.t.startsWith('[') ? arr.t.slice(1) : ARRAY_LOAD_TYPES[op]!;
        v = unknown(elem, arr.src);
      }
      if (op !== 0x32) v = { ...v, el: true };
      push(v);
    } else if ((op >= 0x36 && op <= 0x3a) || (op >= 0x3b && op <= 0x4e)) {
      locals[localIndex(ins)] = pop();
    } else if (op >= 0x4f && op <= 0x56) {
      const value = pop();
      const index = pop();
      const arr = pop();
      if (arr.arr && index.n !== undefined && index.n >= 0 && index.n < arr.arr.items.length) {
        arr.arr.items[index.n] = value;
        arr.arr.bytes = undefined;
        if (value.n !== undefined || value.s !== undefined) summary.constantArrayStores++;
      }
      if (value.src) arr.src = mergeSrc(arr, value);
    } else if (op === OP.pop) pop();
    else if (op === OP.pop2) {
      const v = pop();
      if (!W(v.t)) pop();
    } else if (op === OP.dup) {
      const v = pop();
      push(v);
      push(v);
    } else if (op === OP.dup_x1) {
      const [a, b] = popN(2);
      push(b!);
      push(a!);
      push(b!);
    } else if (op === OP.dup_x2) {
      const v1 = pop();
      const v2 = pop();
      if (W(v2.t)) {
        push(v1);
        push(v2);
        push(v1);
      } else {
        const v3 = pop();
        push(v1);
        push(v3);
        push(v2);
        push(v1);
      }
    } else if (op === OP.dup2) {
      const v1 = pop();
      if (W(v1.t)) {
        push(v1);
        push(v1);
      } else {
        const v2 = pop();
        push(v2);
        push(v1);
        push(v2);
        push(v1);
      }
    } else if (op === OP.dup2_x1 || op === OP.dup2_x2) {
      const v1 = pop();
      if (W(v1.t)) {
        const v2 = pop();
        push(v1);
        push(v2);
        push(v1);
      } else {
        const v2 = pop();
        const v3 = pop();
        push(v2);
        push(v1);
        push(v3);
        push(v2);
        push(v1);
      }
    } else if (op === OP.swap) {
      const a = pop();
      const b = pop();
      push(a);
      push(b);
    } else if (op >= 0x60 && op <= 0x83 && !(op >= 0x74 && op <= 0x77)) {
      const b = pop();
      const a = pop();
      const kind = op >= 0x78 ? ['I', 'J'][(op - 0x78) % 2]! : ['I', 'J', 'F', 'D'][(op - 0x60) % 4]!;
      if (op === OP.ixor || op === OP.lxor) {
        if (a.el || b.el) summary.xorOnElements++;
      }
      const n = kind === 'I' && a.n !== undefined && b.n !== undefined ? intOp(op, a.n, b.n) : undefined;
      const v: Value = n !== undefined ? int(n) : unknown(kind, mergeSrc(a, b));
      if (a.el || b.el) v.el = true;
      push(v);
    } else if (op >= 0x74 && op <= 0x77) {
      const a = pop();
      push(op === 0x74 && a.n !== undefined ? int(-a.n) : unknown(['I', 'J', 'F', 'D'][op - 0x74]!));
    } else if (op === OP.iinc) {
      const idx = ins.arg!;
      const cur = locals[idx];
      locals[idx] = cur?.n !== undefined ? int(cur.n + ins.arg2!) : { t: 'I' };
    } else if (op >= 0x85 && op <= 0x93) {
      const a = pop();
      const to = ['J', 'F', 'D', 'I', 'F', 'D', 'I', 'J', 'D', 'I', 'J', 'F', 'B', 'C', 'S'][op - 0x85]!;
      let v: Value;
      if (a.n !== undefined && (to === 'B' || to === 'C' || to === 'S' || to === 'J' || to === 'I')) {
        const n =
          to === 'B' ? (a.n << 24) >> 24 : to === 'C' ? a.n & 0xffff : to === 'S' ? (a.n << 16) >> 16 : a.n;
        v = { t: to === 'B' || to === 'C' || to === 'S' ? 'I' : to, n };
      } else v = unknown(to === 'B' || to === 'C' || to === 'S' ? 'I' : to, a.src);
      if (a.el) v.el = true;
      push(v);
    } else if (op >= 0x94 && op <= 0x98) {
      popN(2);
      push({ t: 'I' });
    } else if (isConditionalBranch(op)) {
      popN(op >= 0x9f && op <= 0xa6 ? 2 : 1);
      const target = ins.targets![0]!;
      if (!snapshots.has(target)) snapshots.set(target, [...stack]);
    } else if (op === OP.goto || op === OP.goto_w) {
      const target = ins.targets![0]!;
      if (!snapshots.has(target)) snapshots.set(target, [...stack]);
    } else if (op === OP.jsr || op === OP.jsr_w) {
      push({ t: 'ret' });
    } else if (op === OP.tableswitch || op === OP.lookupswitch) {
      pop();
      for (const t of ins.targets ?? []) if (!snapshots.has(t)) snapshots.set(t, [...stack]);
    } else if (op >= OP.ireturn && op <= OP.areturn) pop();
    else if (op === OP.getstatic || op === OP.getfield) {
      const ref = pool.memberRef(ins.arg!);
      if (op === OP.getfield) pop();
      const known = op === OP.getstatic ? env.statics.get(`${ref.owner}.${ref.name}`) : undefined;
      push(known ?? { t: ref.descriptor });
    } else if (op === OP.putstatic || op === OP.putfield) {
      const ref = pool.memberRef(ins.arg!);
      const v = pop();
      if (op === OP.putfield) pop();
      else {
        summary.staticWrites.push({ ref, value: v });
        if (ref.owner === cls.name) env.statics.set(`${ref.owner}.${ref.name}`, v);
      }
    } else if (op >= OP.invokevirtual && op <= OP.invokeinterface) {
      const ref = pool.memberRef(ins.arg!);
      const argTypes = argumentTypes(ref.descriptor);
      const args = popN(argTypes.length);
      const receiver = op === OP.invokestatic ? undefined : pop();
      const call: CallSite = { pc, line: lineAt(code, pc), op, ref, receiver, args };
      const result = modelCall(call, env, emitString);
      call.result = result;
      summary.calls.push(call);
      if (returnType(ref.descriptor) !== 'V') push(result ?? { t: returnType(ref.descriptor) });
    } else if (op === OP.invokedynamic) {
      const e = pool.entry(ins.arg!);
      if (e?.tag !== CP.InvokeDynamic) {
        push({ t: 'Ljava/lang/Object;' });
        continue;
      }
      const nt = pool.nameAndType(e.nameAndTypeIndex);
      const args = popN(argumentTypes(nt.descriptor).length);
      const bsm = cls.bootstrapMethods[e.bootstrapIndex];
      const ret = returnType(nt.descriptor);
      const ref: MemberRef = {
        owner: bsm?.method?.owner ?? 'java/lang/invoke/CallSite',
        name: nt.name,
        descriptor: nt.descriptor,
      };
      let result: Value | undefined;
      if (bsm?.method?.owner === 'java/lang/invoke/StringConcatFactory') {
        const recipe =
          nt.name === 'makeConcatWithConstants' ? (bsm.args[0] as string | undefined) : undefined;
        result = concatRecipe(recipe, args, bsm.args.slice(1));
        const s = knownString(result);
        if (s !== undefined && args.length > 0) emitString(s, pc, true, 'concat');
      }
      summary.calls.push({ pc, line: lineAt(code, pc), op, ref, args, result });
      if (ret !== 'V') push(result ?? unknown(ret, mergeSrc(...args)));
    } else if (op === OP.new) {
      const type = pool.className(ins.arg!);
      summary.news.push(type);
      const v: Value = { t: `L${type};` };
      if (type === 'java/lang/StringBuilder' || type === 'java/lang/StringBuffer') v.sb = [];
      push(v);
    } else if (op === OP.newarray) {
      push(newArray(NEWARRAY_TYPES[ins.arg!] ?? 'I', pop()));
    } else if (op === OP.anewarray) {
      const elem = pool.className(ins.arg!);
      push(newArray(elem.startsWith('[') ? elem : `L${elem};`, pop()));
    } else if (op === OP.arraylength) {
      const a = pop();
      push(a.arr && a.arr.items.length > 0 ? int(a.arr.items.length) : { t: 'I' });
    } else if (op === OP.athrow) pop();
    else if (op === OP.checkcast) {
      // keeps the value, which knows more than the cast type
    } else if (op === OP.instanceof) {
      pop();
      push({ t: 'I' });
    } else if (op === OP.monitorenter || op === OP.monitorexit) pop();
    else if (op === OP.multianewarray) {
      popN(ins.arg2!);
      push({ t: pool.className(ins.arg!) });
    } else if (op === OP.ret || op === OP.return) {
      // nothing on the stack
    }
    if (endsFlow(op)) afterJump = true;
  }
  return summary;
}

type Emit = (value: string, pc: number, computed: boolean, how?: string) => void;

/** Environment variable names that hold credentials. */
export const SECRET_ENV =
  /TOKEN|SECRET|PASSW|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|SESSION|COOKIE|NPM_|AWS_|GITHUB_|GH_|AZURE_|GOOGLE_APPLICATION|DOCKER_|KUBE/i;

const DECODER_GETTERS = new Set(['getDecoder', 'getMimeDecoder', 'getUrlDecoder']);

/** Models the result of calls whose semantics matter for reading strings and provenance. */
function modelCall(call: CallSite, env: InterpretEnv, emit: Emit): Value | undefined {
  const { ref, receiver: rcv, args } = call;
  const ret = returnType(ref.descriptor);
  const key = `${ref.owner}.${ref.name}`;
  const src = mergeSrc(rcv, ...args);
  const tainted = (...t: Taint[]): Value => ({ t: ret, src: withTaint(src, ...t), from: key });
  const a0 = args[0];

  // StringBuilder / StringBuffer
  if (ref.owner === 'java/lang/StringBuilder' || ref.owner === 'java/lang/StringBuffer') {
    if (!rcv) return undefined;
    if (ref.name === '<init>') {
      rcv.sb = [];
      if (a0 && a0.t !== 'I') rcv.sb.push(knownString(a0));
      rcv.src = mergeSrc(a0);
      return undefined;
    }
    if (ref.name === 'append' && rcv.sb) {
      const d = argumentTypes(ref.descriptor)[0];
      const part =
        d === 'C' && a0?.n !== undefined
          ? String.fromCharCode(a0.n & 0xffff)
          : (d === 'I' || d === 'J') && a0?.n !== undefined
            ? String(a0.n)
            : d === '[C'
              ? charsOf(a0)
              : knownString(a0);
      if (rcv.sb.length < 4096) rcv.sb.push(part);
      rcv.src = mergeSrc(rcv, a0);
      return rcv;
    }
    if (ref.name === 'reverse' && rcv.sb) {
      const s = knownString(rcv);
      rcv.sb = s !== undefined ? [[...s].reverse().join('')] : [undefined];
      return rcv;
    }
    if (ref.name === 'toString') {
      const s = knownString(rcv);
      if (s !== undefined) {
        if ((rcv.sb?.length ?? 0) > 1) emit(s, call.pc, true, 'concat');
        return str(s, rcv.src);
      }
      return { t: STRING, sb: rcv.sb ? [...rcv.sb] : undefined, src: withTaint(rcv.src, 'computed') };
    }
    if (rcv.sb && ret.startsWith('Ljava/lang/StringBu')) return rcv;
    return undefined;
  }

  if (ref.owner === 'java/lang/String') {
    const s = knownString(rcv);
    if (ref.name === '<init>' && rcv) {
      const d = argumentTypes(ref.descriptor)[0];
      let v: string | undefined;
      if (d === '[B') {
        const b = bytesOf(a0);
        v = b ? printable(b) : undefined;
      } else if (d === '[C') v = charsOf(a0);
      else if (d === STRING) v = knownString(a0);
      if (v !== undefined) {
        rcv.s = v;
        emit(v, call.pc, true, d === '[B' ? 'bytes' : 'chars');
      } else rcv.src = withTaint(mergeSrc(...args), 'computed');
      if (a0?.src) rcv.src = withTaint(rcv.src, ...a0.src);
      return undefined;
    }
    switch (ref.name) {
      case 'valueOf':
      case 'copyValueOf': {
        const d = argumentTypes(ref.descriptor)[0];
        if (d === '[C') {
          const c = charsOf(a0);
          if (c !== undefined) emit(c, call.pc, true, 'chars');
          return c !== undefined ? str(c, src) : tainted('computed');
        }
        if (d === 'C' && a0?.n !== undefined) return str(String.fromCharCode(a0.n), src);
        if (d === 'I' && a0?.n !== undefined) return str(String(a0.n), src);
        const k = knownString(a0);
        return k !== undefined ? str(k, src) : tainted();
      }
      case 'toLowerCase':
      case 'toUpperCase':
      case 'trim':
      case 'strip':
      case 'intern':
      case 'toString':
        if (s !== undefined)
          return str(
            ref.name === 'toLowerCase'
              ? s.toLowerCase()
              : ref.name === 'toUpperCase'
                ? s.toUpperCase()
                : ref.name === 'trim' || ref.name === 'strip'
                  ? s.trim()
                  : s,
            src,
          );
        return tainted();
      case 'concat': {
        const b = knownString(a0);
        if (s !== undefined && b !== undefined) {
          emit(s + b, call.pc, true, 'concat');
          return str(s + b, src);
        }
        return { t: STRING, sb: [s, b], src: withTaint(src, 'computed') };
      }
      case 'replace':
      case 'replaceAll': {
        const d = argumentTypes(ref.descriptor)[0];
        if (s === undefined) return tainted();
        if (d === 'C' && a0?.n !== undefined && args[1]?.n !== undefined)
          return str(s.split(String.fromCharCode(a0.n)).join(String.fromCharCode(args[1].n)), src);
        const from = knownString(a0);
        const to = knownString(args[1]);
        if (from !== undefined && to !== undefined) {
          // replaceAll takes a regular expression: only literal patterns are applied, so a
          // hostile constant cannot make Beagle backtrack for ever.
          if (ref.name === 'replaceAll' && /[\\^$.|?*+()[\]{}]/.test(from)) return tainted();
          const r = s.split(from).join(ref.name === 'replaceAll' ? to.replace(/\$\d/g, '') : to);
          if (r !== s) emit(r, call.pc, true, 'replace');
          return str(r, src);
        }
        return tainted();
      }
      case 'substring':
        if (s !== undefined && a0?.n !== undefined) {
          const end = args[1]?.n;
          return str(s.substring(a0.n, end), src);
        }
        return tainted();
      case 'charAt':
        if (s !== undefined && a0?.n !== undefined) return { ...int(s.charCodeAt(a0.n) || 0), el: true };
        return { ...tainted(), el: true };
      case 'getBytes':
        if (s !== undefined) {
          const bytes = Buffer.from(s, 'utf8');
          return { t: '[B', arr: { elem: 'B', items: [], bytes }, src };
        }
        return tainted();
      case 'toCharArray':
        if (s !== undefined && s.length <= 1 << 16)
          return { t: '[C', arr: { elem: 'C', items: [...s].map((c) => int(c.charCodeAt(0))) }, src };
        return tainted();
      default:
        return ret === 'V' ? undefined : tainted();
    }
  }

  // List.of / Arrays.asList: keep the elements (ProcessBuilder(List) command lines).
  if (
    (ref.owner === 'java/util/List' && ref.name === 'of') ||
    (ref.owner === 'java/util/Arrays' && ref.name === 'asList')
  ) {
    const items = args.length === 1 && args[0]?.arr ? args[0].arr.items : args;
    return {
      t: '[Ljava/lang/String;',
      arr: { elem: 'Ljava/lang/String;', items: [...items] },
      src,
      from: key,
    };
  }
  // Base64
  if (ref.owner === 'java/util/Base64' && DECODER_GETTERS.has(ref.name))
    return { t: ret, from: key, s: undefined, member: 'base64-decoder' };
  if (
    (ref.owner === 'java/util/Base64$Decoder' && ref.name === 'decode') ||
    (ref.owner === 'javax/xml/bind/DatatypeConverter' && ref.name === 'parseBase64Binary') ||
    (ref.owner === 'org/apache/commons/codec/binary/Base64' && ref.name === 'decodeBase64') ||
    (ref.owner === 'android/util/Base64' && ref.name === 'decode')
  ) {
    const text = knownString(a0) ?? (bytesOf(a0) ? bytesOf(a0)!.toString('latin1') : undefined);
    const bytes = text !== undefined ? decodeBase64(text) : undefined;
    const v: Value = { t: '[B', src: withTaint(src, 'decoded'), from: key, arr: { elem: 'B', items: [] } };
    if (bytes) {
      v.arr!.bytes = bytes;
      const p = printable(bytes);
      if (p !== undefined) emit(p, call.pc, true, 'base64');
    }
    return v;
  }

  // Reflection: Class.forName / getMethod / loadClass
  if (
    (ref.owner === 'java/lang/Class' && ref.name === 'forName') ||
    (ref.owner === 'java/lang/ClassLoader' && ref.name === 'loadClass')
  ) {
    const name = knownString(a0);
    return {
      t: 'Ljava/lang/Class;',
      cls: name,
      src: name === undefined ? withTaint(src, 'computed') : src,
      from: key,
    };
  }
  if (ref.owner === 'java/lang/Class' && /^get(Declared)?(Method|Field|Constructor)$/.test(ref.name)) {
    const name = ref.name.endsWith('Constructor') ? '<init>' : knownString(a0);
    return {
      t: ret,
      member: rcv?.cls && name ? `${rcv.cls}.${name}` : name ? `?.${name}` : undefined,
      src: name === undefined || rcv?.cls === undefined ? withTaint(src, 'computed') : src,
      from: key,
    };
  }
  if (ref.owner === 'java/lang/Object' && ref.name === 'getClass' && rcv) {
    // The static type of the receiver says little (often Object): only a concrete class counts.
    const known =
      rcv.t.startsWith('L') && rcv.t !== 'Ljava/lang/Object;'
        ? rcv.t.slice(1, -1).replace(/\//g, '.')
        : undefined;
    return { t: 'Ljava/lang/Class;', cls: known };
  }

  // Sources of secrets and host facts.
  if (
    ref.owner === 'java/lang/System' &&
    (ref.name === 'getenv' || ref.name === 'getProperty' || ref.name === 'getProperties')
  ) {
    const name = knownString(a0);
    const secret =
      ref.name === 'getenv' && (args.length === 0 || (name !== undefined && SECRET_ENV.test(name)));
    return tainted(secret ? 'env' : 'host');
  }
  if (ref.owner === 'java/util/Base64$Encoder' && ref.name.startsWith('encode')) return tainted('encoded');
  if (
    (ref.owner === 'java/nio/file/Files' &&
      /^(readAllBytes|readString|readAllLines|lines|newInputStream|newBufferedReader)$/.test(ref.name)) ||
    (ref.owner === 'java/io/FileInputStream' && ref.name === '<init>') ||
    (ref.owner === 'java/io/FileReader' && ref.name === '<init>')
  ) {
    if (ref.name === '<init>' && rcv) rcv.src = withTaint(src, 'file');
    return ref.name === '<init>' ? undefined : tainted('file');
  }
  if (
    ref.owner === 'java/net/URL' &&
    (ref.name === 'openStream' || ref.name === 'openConnection' || ref.name === 'getContent')
  ) {
    // Class-path resources and file: URLs are local reads, not downloads.
    const local =
      rcv?.s !== undefined
        ? /^(file|jar|jrt):/i.test(rcv.s)
        : !!rcv?.from && /getResource|findResource|toURL|getLocation|getCodeSource/.test(rcv.from);
    return tainted(local ? 'file' : 'network');
  }
  if (
    (ref.owner === 'java/net/URLConnection' ||
      ref.owner === 'java/net/HttpURLConnection' ||
      ref.owner === 'javax/net/ssl/HttpsURLConnection') &&
    ref.name === 'getInputStream'
  )
    return { t: ret, src: rcv?.src, from: key };
  if (ref.owner === 'java/net/Socket' && ref.name === 'getInputStream') return tainted('network');
  // Streams that lead to the network carry the mark so writes into them (and their wrappers) are sinks.
  if (
    ref.name === 'getOutputStream' &&
    /^(java\/net\/(URLConnection|HttpURLConnection|Socket)|javax\/net\/ssl\/(HttpsURLConnection|SSLSocket))$/.test(
      ref.owner,
    )
  )
    return tainted('network');
  if (
    ref.owner === 'java/net/InetAddress' &&
    /^(getLocalHost|getHostName|getCanonicalHostName)$/.test(ref.name)
  )
    return tainted('host');
  if (ref.owner === 'javax/crypto/Cipher' && ref.name === 'doFinal') return tainted('decrypted');
  if (env.decoders?.has(`${ref.owner}.${ref.name}:${ref.descriptor}`)) {
    const plain = env.fold?.(ref, args);
    if (plain !== undefined) {
      emit(plain, call.pc, true, 'decrypt');
      return str(plain, withTaint(src, 'decrypted'));
    }
    return { t: ret, src: withTaint(src, 'decrypted'), from: key };
  }

  // Constructors that wrap a string: keep the string on the object (URL, File, URI, ProcessBuilder...).
  if (ref.name === '<init>' && rcv) {
    const parts = args.map((a) => knownString(a));
    if (parts.length === 1 && parts[0] !== undefined) rcv.s = parts[0];
    else if (
      parts.length === 2 &&
      parts[0] !== undefined &&
      parts[1] !== undefined &&
      ref.owner === 'java/io/File'
    )
      rcv.s = `${parts[0]}/${parts[1]}`;
    if (a0?.arr && a0.t === '[Ljava/lang/String;') rcv.arr = a0.arr;
    const s = mergeSrc(...args);
    if (s) rcv.src = withTaint(rcv.src, ...s);
    return undefined;
  }
  if (ret === 'V') return undefined;
  // Wrappers and conversions keep the receiver's knowledge (toURI, toPath, getAbsolutePath...).
  if (
    rcv &&
    (ref.name === 'toString' ||
      ref.name === 'getPath' ||
      ref.name === 'getAbsolutePath' ||
      ref.name === 'toPath')
  )
    return { t: ret, s: rcv.s, src: rcv.src, from: key };
  if (ref.owner === 'java/nio/file/Paths' || (ref.owner === 'java/nio/file/Path' && ref.name === 'of')) {
    const parts = [knownString(a0), ...(args[1]?.arr?.items.map((i) => knownString(i)) ?? [])];
    return { t: ret, s: parts.every((p) => p !== undefined) ? parts.join('/') : undefined, src, from: key };
  }
  return { t: ret, src, from: key };
}
