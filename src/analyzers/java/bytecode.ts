/**
 * JVM instruction decoding (JVMS chapter 6): opcode names, operand layout and branch targets.
 * `decode` turns a Code attribute's bytes into instructions without interpreting them.
 */
import { ClassFormatError } from './classfile.js';

export interface Instruction {
  pc: number;
  op: number;
  /** Constant-pool index (ldc, field/method/class refs), local index, or immediate value. */
  arg?: number;
  /** Second operand: iinc constant, newarray type, multianewarray dimensions. */
  arg2?: number;
  /** Branch targets (absolute pcs); switches list every target, the default first. */
  targets?: number[];
  /** Switch keys, aligned with targets[1..]. */
  keys?: number[];
}

export const OP = {
  nop: 0x00,
  aconst_null: 0x01,
  iconst_m1: 0x02,
  iconst_5: 0x08,
  lconst_0: 0x09,
  lconst_1: 0x0a,
  fconst_0: 0x0b,
  fconst_2: 0x0d,
  dconst_0: 0x0e,
  dconst_1: 0x0f,
  bipush: 0x10,
  sipush: 0x11,
  ldc: 0x12,
  ldc_w: 0x13,
  ldc2_w: 0x14,
  iload: 0x15,
  aload: 0x19,
  iload_0: 0x1a,
  aload_3: 0x2d,
  iaload: 0x2e,
  laload: 0x2f,
  daload: 0x31,
  aaload: 0x32,
  baload: 0x33,
  caload: 0x34,
  saload: 0x35,
  istore: 0x36,
  astore: 0x3a,
  istore_0: 0x3b,
  astore_3: 0x4e,
  iastore: 0x4f,
  aastore: 0x53,
  bastore: 0x54,
  castore: 0x55,
  sastore: 0x56,
  pop: 0x57,
  pop2: 0x58,
  dup: 0x59,
  dup_x1: 0x5a,
  dup_x2: 0x5b,
  dup2: 0x5c,
  dup2_x1: 0x5d,
  dup2_x2: 0x5e,
  swap: 0x5f,
  iadd: 0x60,
  isub: 0x64,
  imul: 0x68,
  idiv: 0x6c,
  irem: 0x70,
  ineg: 0x74,
  ishl: 0x78,
  ishr: 0x7a,
  iushr: 0x7c,
  iand: 0x7e,
  ior: 0x80,
  ixor: 0x82,
  lxor: 0x83,
  iinc: 0x84,
  i2l: 0x85,
  i2b: 0x91,
  i2c: 0x92,
  i2s: 0x93,
  ifeq: 0x99,
  if_acmpne: 0xa6,
  goto: 0xa7,
  jsr: 0xa8,
  ret: 0xa9,
  tableswitch: 0xaa,
  lookupswitch: 0xab,
  ireturn: 0xac,
  areturn: 0xb0,
  return: 0xb1,
  getstatic: 0xb2,
  putstatic: 0xb3,
  getfield: 0xb4,
  putfield: 0xb5,
  invokevirtual: 0xb6,
  invokespecial: 0xb7,
  invokestatic: 0xb8,
  invokeinterface: 0xb9,
  invokedynamic: 0xba,
  new: 0xbb,
  newarray: 0xbc,
  anewarray: 0xbd,
  arraylength: 0xbe,
  athrow: 0xbf,
  checkcast: 0xc0,
  instanceof: 0xc1,
  monitorenter: 0xc2,
  monitorexit: 0xc3,
  wide: 0xc4,
  multianewarray: 0xc5,
  ifnull: 0xc6,
  ifnonnull: 0xc7,
  goto_w: 0xc8,
  jsr_w: 0xc9,
} as const;

/** Operand bytes after the opcode for fixed-length instructions; -1 marks variable or invalid. */
const OPERAND_BYTES = new Int8Array(256).fill(-1);
for (let op = 0x00; op <= 0xc9; op++) OPERAND_BYTES[op] = 0;
OPERAND_BYTES[OP.bipush] = 1;
OPERAND_BYTES[OP.sipush] = 2;
OPERAND_BYTES[OP.ldc] = 1;
OPERAND_BYTES[OP.ldc_w] = 2;
OPERAND_BYTES[OP.ldc2_w] = 2;
for (let op = 0x15; op <= 0x19; op++) OPERAND_BYTES[op] = 1; // xload idx
for (let op = 0x36; op <= 0x3a; op++) OPERAND_BYTES[op] = 1; // xstore idx
OPERAND_BYTES[OP.iinc] = 2;
for (let op = 0x99; op <= 0xa8; op++) OPERAND_BYTES[op] = 2; // if*, goto, jsr
OPERAND_BYTES[OP.ret] = 1;
OPERAND_BYTES[OP.tableswitch] = -1;
OPERAND_BYTES[OP.lookupswitch] = -1;
for (let op = 0xb2; op <= 0xb8; op++) OPERAND_BYTES[op] = 2; // field + invoke
OPERAND_BYTES[OP.invokeinterface] = 4;
OPERAND_BYTES[OP.invokedynamic] = 4;
OPERAND_BYTES[OP.new] = 2;
OPERAND_BYTES[OP.newarray] = 1;
OPERAND_BYTES[OP.anewarray] = 2;
OPERAND_BYTES[OP.checkcast] = 2;
OPERAND_BYTES[OP.instanceof] = 2;
OPERAND_BYTES[OP.wide] = -1;
OPERAND_BYTES[OP.multianewarray] = 3;
OPERAND_BYTES[OP.ifnull] = 2;
OPERAND_BYTES[OP.ifnonnull] = 2;
OPERAND_BYTES[OP.goto_w] = 4;
OPERAND_BYTES[OP.jsr_w] = 4;

/** True for conditional branches (if*, ifnull, ifnonnull). */
export function isConditionalBranch(op: number): boolean {
  return (op >= 0x99 && op <= 0xa6) || op === OP.ifnull || op === OP.ifnonnull;
}

/** True when control never falls through to the next instruction. */
export function endsFlow(op: number): boolean {
  return (
    op === OP.goto ||
    op === OP.goto_w ||
    op === OP.athrow ||
    op === OP.ret ||
    op === OP.tableswitch ||
    op === OP.lookupswitch ||
    (op >= OP.ireturn && op <= OP.return)
  );
}

/** Decodes a method's bytecode into instructions. Throws ClassFormatError on malformed code. */
export function decode(code: Buffer): Instruction[] {
  const out: Instruction[] = [];
  let pc = 0;
  const s1 = (p: number) => code.readInt8(p);
  const s2 = (p: number) => code.readInt16BE(p);
  const u2 = (p: number) => code.readUInt16BE(p);
  const s4 = (p: number) => code.readInt32BE(p);
  const need = (n: number) => {
    if (pc + n > code.length) throw new ClassFormatError(`bytecode truncated at pc ${pc}`);
  };
  while (pc < code.length) {
    const op = code[pc]!;
    const ins: Instruction = { pc, op };
    if (op === OP.tableswitch || op === OP.lookupswitch) {
      let p = (pc + 4) & ~3; // operands are 4-byte aligned from the method start
      pc = p;
      need(12);
      const def = s4(p);
      if (op === OP.tableswitch) {
        const low = s4(p + 4);
        const high = s4(p + 8);
        const n = high - low + 1;
        if (n < 0 || n > 65536) throw new ClassFormatError(`bad tableswitch range at pc ${ins.pc}`);
        pc = p + 12;
        need(n * 4);
        ins.targets = [ins.pc + def];
        ins.keys = [];
        for (let i = 0; i < n; i++) {
          ins.targets.push(ins.pc + s4(pc + i * 4));
          ins.keys.push(low + i);
        }
        pc += n * 4;
      } else {
        const n = s4(p + 4);
        if (n < 0 || n > 65536) throw new ClassFormatError(`bad lookupswitch size at pc ${ins.pc}`);
        p += 8;
        pc = p;
        need(n * 8);
        ins.targets = [ins.pc + def];
        ins.keys = [];
        for (let i = 0; i < n; i++) {
          ins.keys.push(s4(p + i * 8));
          ins.targets.push(ins.pc + s4(p + i * 8 + 4));
        }
        pc = p + n * 8;
      }
      out.push(ins);
      continue;
    }
    if (op === OP.wide) {
      need(4);
      const inner = code[pc + 1]!;
      ins.op = inner;
      ins.arg = u2(pc + 2);
      if (inner === OP.iinc) {
        need(6);
        ins.arg2 = s2(pc + 4);
        pc += 6;
      } else pc += 4;
      out.push(ins);
      continue;
    }
    const n = OPERAND_BYTES[op]!;
    if (n < 0) throw new ClassFormatError(`invalid opcode 0x${op.toString(16)} at pc ${pc}`);
    need(1 + n);
    switch (op) {
      case OP.bipush:
      case OP.newarray:
        ins.arg = op === OP.bipush ? s1(pc + 1) : code[pc + 1]!;
        break;
      case OP.sipush:
        ins.arg = s2(pc + 1);
        break;
      case OP.ldc:
        ins.arg = code[pc + 1]!;
        break;
      case OP.iinc:
        ins.arg = code[pc + 1]!;
        ins.arg2 = s1(pc + 2);
        break;
      case OP.goto_w:
      case OP.jsr_w:
        ins.targets = [pc + s4(pc + 1)];
        break;
      case OP.multianewarray:
        ins.arg = u2(pc + 1);
        ins.arg2 = code[pc + 3]!;
        break;
      default:
        if ((op >= 0x99 && op <= 0xa8) || op === OP.ifnull || op === OP.ifnonnull)
          ins.targets = [pc + s2(pc + 1)];
        else if (n === 1) ins.arg = code[pc + 1]!;
        else if (n >= 2) ins.arg = u2(pc + 1);
    }
    out.push(ins);
    pc += 1 + n;
  }
  return out;
}
