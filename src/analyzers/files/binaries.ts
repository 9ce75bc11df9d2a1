import type { ArtifactFile, Finding, PackageContext, RuleMeta } from '../../core/types.js';
import { lifecycleScripts } from '../../ecosystems/npm/contexts.js';
import { makeFinding } from '../../rules/finding.js';

const files = { analyzer: 'files', ecosystems: ['npm'] } as const;

export const UNEXPLAINED_BINARY: RuleMeta = {
  ...files,
  id: 'BIN-002',
  name: 'unexplained-binary',
  category: 'dropper',
  severity: 'low',
  confidence: 'medium',
  description:
    'An npm package ships a native executable or library (ELF, PE, Mach-O) although nothing in it explains a prebuilt binary: no binding.gyp or gypfile, no native build tooling (node-gyp-build, prebuild, prebuildify, node-pre-gyp, napi-rs, node-addon-api...), no os/cpu platform fields, and the file is not in a prebuilds/ or per-platform layout.',
  rationale:
    'Packages that legitimately ship binaries say so: they are per-platform packages (esbuild, swc, sharp), use prebuild tooling, or build from binding.gyp. A lone executable in a small JavaScript package, started by its install or import code, is how droppers deliver a payload that no source review sees.',
  falsePositives:
    'Hand-rolled binary distribution without the usual tooling (a helper .exe named without its platform); vendored tools in unusual folders.',
  example: 'package.json: { "scripts": { "postinstall": "node setup.js" } }; setup.js: spawn("./lib/update")',
  references: ['https://attack.mitre.org/techniques/T1105/', 'https://socket.dev/npm/issue/hasNativeCode'],
};

export const OPAQUE_BLOB: RuleMeta = {
  ...files,
  id: 'BIN-003',
  name: 'opaque-blob',
  category: 'obfuscation',
  severity: 'low',
  confidence: 'low',
  description:
    'An npm package ships a large opaque blob: a high-entropy file that is no known media, font, archive or data format, or a long base64/hex run inside a text file that decodes to an executable.',
  rationale:
    'Encrypted or encoded second stages are shipped as data and decoded by the install/import code; an executable hidden as base64 text in a JavaScript file is a dropper with no other purpose. High-entropy data alone is weak (it is also what compressed assets look like) and weighs more when install/import-time code names the file.',
  falsePositives:
    'Compressed or encrypted assets with unusual extensions (model weights, dictionaries), license blobs.',
  example:
    "lib/data.bin (400 KB, 7.99 bits/byte) read by install.js: fs.readFileSync(__dirname + '/data.bin')",
  references: [
    'https://attack.mitre.org/techniques/T1027/',
    'https://attack.mitre.org/techniques/T1027/009/',
  ],
};

/** Dependencies that build, fetch or load native addons: a shipped binary is expected with them. */
const NATIVE_TOOLING = new Set([
  'node-gyp',
  'node-gyp-build',
  'node-gyp-build-optional-packages',
  'prebuild',
  'prebuild-install',
  'prebuildify',
  'prebuildify-cross',
  'pkg-prebuilds',
  'node-pre-gyp',
  '@mapbox/node-pre-gyp',
  'node-addon-api',
  'nan',
  'bindings',
  'cmake-js',
  '@napi-rs/cli',
  'napi-rs',
  'neon-cli',
  '@neon-rs/cli',
  '@neon-rs/load',
  'cargo-cp-artifact',
  'node-api-headers',
]);

/** A platform or architecture token in a path or package name (`linux-x64`, `win32`, `windows-kill.exe`). */
const PLATFORM =
  /(^|[^a-z0-9])(win32|win64|windows|win|linux|linuxmusl|darwin|macos|osx|mac|freebsd|openbsd|sunos|android|x64|x86|ia32|amd64|arm64|aarch64|armv7|arm|musl|glibc|gnu|msvc|universal)([^a-z0-9]|$)/i;
/** Folders prebuilt addons live in by convention. */
const PREBUILT_DIRS =
  /(^|\/)(prebuilds?|prebuilt|build\/(Release|Debug)|lib\/binding|binding|napi-v\d+|node-v\d+)\//i;
/** High-entropy formats that are data, not payloads. */
const KNOWN_DATA =
  /\.(png|jpe?g|gif|webp|avif|ico|icns|bmp|tiff?|heic|woff2?|ttf|otf|eot|mp3|mp4|m4a|wav|ogg|oga|webm|flac|pdf|zip|gz|tgz|br|zst|xz|bz2|7z|rar|jar|war|wasm|node|db|sqlite3?|pb|onnx|tflite|bin\.gz|dat\.gz|map|der|cer|crt|p12|pfx|keystore|mo|nupkg|vsix|whl|dll\.gz)$/i;
const BLOB_MIN = 64 * 1024;
const TEXT_RUN_MIN = 32 * 1024;

function bytesEntropy(data: Buffer): number {
  const n = Math.min(data.length, 1 << 20);
  if (n === 0) return 0;
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i++) counts[data[i]!]!++;
  let e = 0;
  for (let i = 0; i < 256; i++) {
    const c = counts[i]!;
    if (c) {
      const p = c / n;
      e -= p * Math.log2(p);
    }
  }
  return e;
}

/** What explains prebuilt binaries in this package (undefined: nothing does). */
function packageExplanation(pkg: PackageContext): string | undefined {
  const m = pkg.artifact.manifest as Record<string, unknown>;
  if (Array.isArray(m.os) || Array.isArray(m.cpu)) return 'os/cpu platform fields';
  if (PLATFORM.test(String(m.name ?? '').replace(/^@[^/]+\//, ''))) return 'a per-platform package name';
  if (m.gypfile === true || m.binary !== undefined || m.napi !== undefined) return 'native build settings';
  if (pkg.artifact.files.some((f) => /(^|\/)binding\.gyp$/.test(f.path))) return 'binding.gyp';
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = m[field];
    if (deps && typeof deps === 'object')
      for (const name of Object.keys(deps)) if (NATIVE_TOOLING.has(name)) return `the ${name} dependency`;
  }
  return undefined;
}

/** Which early-running text (lifecycle scripts, install/import-time JS) names a file. */
function referencedEarly(pkg: PackageContext, file: ArtifactFile): 'install' | 'import' | undefined {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  if (base.length < 3) return undefined;
  const stem = base.replace(/\.(exe|bin|dat|node)$/i, '');
  const names = stem.length >= 3 && stem !== base ? [base, stem] : [base];
  const mentions = (text: string) => names.some((n) => text.includes(n));
  const scripts = lifecycleScripts(pkg.artifact.manifest);
  for (const name of ['preinstall', 'install', 'postinstall', 'prepare']) {
    const cmd = scripts[name];
    if (cmd && mentions(cmd)) return 'install';
  }
  let found: 'install' | 'import' | undefined;
  for (const [path, context] of pkg.entryPoints) {
    if (context !== 'install' && context !== 'import') continue;
    const f = pkg.artifact.files.find((x) => x.path === path);
    if (f?.kind !== 'text' || f === file || f.size > 2_000_000) continue;
    if (mentions(f.data.toString('latin1'))) {
      if (context === 'install') return 'install';
      found = 'import';
    }
  }
  return found;
}

/** Length of the longest base64/hex run in a text file and where it starts (byte loop, one pass). */
function longestEncodedRun(data: Buffer): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = 0;
  let len = 0;
  for (let i = 0; i <= data.length; i++) {
    const c = i < data.length ? data[i]! : 0;
    const ok =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 43 ||
      c === 47 ||
      c === 61;
    if (ok) {
      if (len === 0) start = i;
      len++;
    } else {
      if (len > best.length) best = { start, length: len };
      len = 0;
    }
  }
  return best;
}

/** The executable format a base64/hex run decodes to, if any. */
function encodedExecutable(run: string): string | undefined {
  const head = /^[0-9a-fA-F]+$/.test(run.slice(0, 64))
    ? Buffer.from(run.slice(0, 64), 'hex')
    : Buffer.from(run.slice(0, 64).replace(/=+$/, ''), 'base64');
  if (head[0] === 0x4d && head[1] === 0x5a) return 'Windows PE executable';
  if (head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') return 'ELF executable';
  const magic = head.length >= 4 ? head.readUInt32BE(0) : 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic)) return 'Mach-O executable';
  return undefined;
}

/**
 * npm only: prebuilt binaries nothing in the package explains (BIN-002) and opaque blobs
 * (BIN-003), weighted by whether install/import-time code or scripts name them.
 */
export function binaryFindings(pkg: PackageContext): Finding[] {
  if (pkg.artifact.ecosystem !== 'npm') return [];
  const out: Finding[] = [];
  let explanation: string | null | undefined = null;
  const explain = () => {
    if (explanation === null) explanation = packageExplanation(pkg);
    return explanation;
  };
  for (const file of pkg.artifact.files) {
    if (file.kind === 'binary') {
      const native =
        file.binaryType === 'elf' ||
        file.binaryType === 'pe' ||
        file.binaryType === 'macho' ||
        file.binaryType === 'node-addon';
      if (native) {
        if (PREBUILT_DIRS.test(file.path) || PLATFORM.test(file.path) || explain()) continue;
        const early = referencedEarly(pkg, file);
        out.push(
          makeFinding(UNEXPLAINED_BINARY, {
            file: file.path,
            context: early ?? pkg.contextOf(file.path),
            message: `${file.path} is a prebuilt ${file.binaryType!.toUpperCase()} binary (${file.size} bytes) that no build step, native tooling or platform layout explains${early ? `, and ${early}-time code or scripts name it` : ''}.`,
            severity: early === 'install' ? 'high' : early === 'import' ? 'medium' : 'low',
            evidence: { binaryType: file.binaryType, size: file.size, referencedBy: early },
          }),
        );
        continue;
      }
      if (file.binaryType !== 'other' || file.size < BLOB_MIN || KNOWN_DATA.test(file.path)) continue;
      const entropy = bytesEntropy(file.data);
      if (entropy < 7.5) continue;
      const early = referencedEarly(pkg, file);
      out.push(
        makeFinding(OPAQUE_BLOB, {
          file: file.path,
          context: early ?? pkg.contextOf(file.path),
          message: `${file.path} is an opaque high-entropy blob (${file.size} bytes, ${entropy.toFixed(2)} bits/byte) of no known format${early ? `, named by ${early}-time code or scripts` : ''}.`,
          severity: early ? 'medium' : 'low',
          confidence: early ? 'medium' : 'low',
          evidence: { size: file.size, entropy: Number(entropy.toFixed(2)), referencedBy: early },
        }),
      );
      continue;
    }
    // an executable hidden as base64/hex text
    if (file.kind !== 'text' || file.size < TEXT_RUN_MIN) continue;
    const run = longestEncodedRun(file.data);
    if (run.length < TEXT_RUN_MIN) continue;
    const text = file.data.toString('latin1', run.start, run.start + Math.min(run.length, 128));
    const exe = encodedExecutable(text);
    if (!exe) continue;
    const line = file.data.subarray(0, run.start).toString('latin1').split('\n').length;
    out.push(
      makeFinding(OPAQUE_BLOB, {
        file: file.path,
        line,
        context: pkg.contextOf(file.path),
        message: `${file.path} hides a ${exe} as ${run.length} characters of encoded text.`,
        severity: 'high',
        confidence: 'high',
        category: 'dropper',
        evidence: { encodedLength: run.length, decodesTo: exe },
      }),
    );
  }
  return out;
}
