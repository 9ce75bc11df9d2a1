import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Synchronous .xz decoding for constant folding (`lzma.decompress(b'\xfd7zXZ...')`, the format
 * `lzma.compress` writes by default). It reuses the WebAssembly build of xz-embedded that ships
 * in `xz-decompress` (already used for .tar.xz sdists), instantiated synchronously so the folding
 * code can stay synchronous. Output is capped; anything unexpected yields undefined.
 */

interface XzExports {
  memory: { buffer: ArrayBuffer };
  create_context(): number;
  destroy_context(ptr: number): void;
  supply_input(ptr: number, length: number): void;
  get_next_output(ptr: number): number;
}

/** The parts of the global WebAssembly API used here (the project's lib settings omit its types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: object) => { exports: unknown };
}

let exportsCache: XzExports | null | undefined;

function xzExports(): XzExports | null {
  if (exportsCache !== undefined) return exportsCache;
  try {
    const require = createRequire(import.meta.url);
    const bundle = readFileSync(require.resolve('xz-decompress'), 'utf8');
    const m = /data:application\/wasm;base64,([A-Za-z0-9+/=]+)/.exec(bundle);
    if (!m) throw new Error('no wasm in xz-decompress');
    const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
    const instance = new wasm.Instance(new wasm.Module(Buffer.from(m[1]!, 'base64')), {});
    exportsCache = instance.exports as unknown as XzExports;
  } catch {
    exportsCache = null;
  }
  return exportsCache;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

export function isXzData(data: Buffer): boolean {
  return data.length > 12 && data.subarray(0, 6).equals(XZ_MAGIC);
}

/** Decodes one .xz stream; undefined when it is not one, is corrupt, or exceeds `cap` bytes. */
export function unxzSync(data: Buffer, cap = 16 * 1024 * 1024): Buffer | undefined {
  if (!isXzData(data)) return undefined;
  const ex = xzExports();
  if (!ex) return undefined;
  const ptr = ex.create_context();
  try {
    const header = () => new Uint32Array(ex.memory.buffer, ptr, 8);
    let h = header();
    const bufSize = h[0]!;
    const inStart = h[1]! - ptr;
    const outStart = h[4]! - ptr;
    let offset = 0;
    let total = 0;
    const out: Buffer[] = [];
    for (let guard = 0; guard < 1_000_000; guard++) {
      h = header();
      if (h[2] === h[3]) {
        // the decoder consumed its input buffer: supply the next chunk
        const n = Math.min(bufSize, data.length - offset);
        new Uint8Array(ex.memory.buffer, ptr).set(data.subarray(offset, offset + n), inStart);
        ex.supply_input(ptr, n);
        offset += n;
      }
      const result = ex.get_next_output(ptr);
      h = header();
      if (result !== 0 && result !== 1) return undefined;
      const produced = h[5]!;
      total += produced;
      if (total > cap) return undefined;
      out.push(Buffer.from(new Uint8Array(ex.memory.buffer, ptr).slice(outStart, outStart + produced)));
      h[5] = 0;
      if (result === 1) return Buffer.concat(out);
      if (offset >= data.length && produced === 0 && h[2] === h[3]) return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    ex.destroy_context(ptr);
  }
}
