import type { BinaryType, FileKind } from '../core/types.js';

/** Classification of a file's bytes: text we can analyse, or a binary of a known kind. */
export interface Classification {
  kind: FileKind;
  binaryType?: BinaryType;
}

const SNIFF = 8192;

function startsWith(data: Buffer, bytes: number[]): boolean {
  if (data.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (data[i] !== bytes[i]) return false;
  return true;
}

/** Magic-number detection of executables and containers; `undefined` when none matches. */
export function binaryTypeOf(path: string, data: Buffer): BinaryType | undefined {
  const lower = path.toLowerCase();
  let type: BinaryType | undefined;
  if (startsWith(data, [0x7f, 0x45, 0x4c, 0x46])) type = 'elf';
  else if (startsWith(data, [0x4d, 0x5a])) type = 'pe';
  else if (
    startsWith(data, [0xfe, 0xed, 0xfa, 0xce]) ||
    startsWith(data, [0xfe, 0xed, 0xfa, 0xcf]) ||
    startsWith(data, [0xce, 0xfa, 0xed, 0xfe]) ||
    startsWith(data, [0xcf, 0xfa, 0xed, 0xfe])
  )
    type = 'macho';
  else if (startsWith(data, [0xca, 0xfe, 0xba, 0xbe])) {
    // 0xCAFEBABE is both a Java class and a fat Mach-O; fat headers hold a small arch count.
    const second = data.length >= 8 ? data.readUInt32BE(4) : 0;
    type = lower.endsWith('.class') || second > 30 ? 'java-class' : 'macho';
  } else if (startsWith(data, [0x00, 0x61, 0x73, 0x6d])) type = 'wasm';
  else if (
    startsWith(data, [0x50, 0x4b, 0x03, 0x04]) ||
    startsWith(data, [0x1f, 0x8b]) ||
    startsWith(data, [0x42, 0x5a, 0x68]) ||
    startsWith(data, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) ||
    startsWith(data, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])
  )
    type = 'archive';
  if (type && lower.endsWith('.node') && (type === 'elf' || type === 'pe' || type === 'macho')) {
    return 'node-addon';
  }
  return type;
}

/** True when the sample looks like text: no NUL bytes and few control characters. */
export function looksLikeText(data: Buffer): boolean {
  const n = Math.min(data.length, SNIFF);
  if (n === 0) return true;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = data[i]!;
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control / n < 0.1;
}

export function classify(path: string, data: Buffer): Classification {
  const binaryType = binaryTypeOf(path, data);
  if (binaryType) return { kind: 'binary', binaryType };
  if (looksLikeText(data)) return { kind: 'text' };
  return { kind: 'binary', binaryType: 'other' };
}
