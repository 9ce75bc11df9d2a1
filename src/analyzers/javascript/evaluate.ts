import type { Binding, RuleContext } from './engine.js';
import { NodeMemo } from './memo.js';
import type { Node } from './parse.js';

/** A folded constant: strings, numbers, booleans, arrays of those. */
export type Value = string | number | boolean | Value[];

const MAX_DEPTH = 40;
const MAX_STRING = 1 << 20;
/** Interpreter steps per file (statements + loop iterations) for decoder loops and functions. */
const FILE_STEP_BUDGET = 300_000;
/** Longest array a decoder loop may build. */
const MAX_ARRAY = 200_000;
/** Interpreted decoder functions nested in one another. */
const MAX_FRAMES = 3;
const COMPARE_OPS = new Set(['<', '<=', '>', '>=', '===', '!==', '==', '!=']);
/** Thrown to abandon an interpretation (unsupported statement, budget exhausted). */
const HALT = Symbol('halt');
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
/** Globals reached through `this[...]` in sloppy-mode functions (`this['Function']`). */
const THIS_GLOBALS = new Set([
  'Function',
  'eval',
  'Buffer',
  'process',
  'require',
  'setTimeout',
  'setInterval',
]);
/** Names whose `typeof` is 'function' (for `typeof(Buffer.from)`-style string building). */
const KNOWN_FUNCTIONS =
  /^(Function|eval|require|setTimeout|setInterval|setImmediate|parseInt|parseFloat|String(\.fromCharCode)?|Number|Object(\.\w+)?|Array(\.\w+)?|JSON\.\w+|Buffer(\.\w+)?|Math\.\w+|escape|unescape|atob|btoa|decodeURIComponent|encodeURIComponent|fetch)$/;

function isValue(v: unknown): v is Value {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || Array.isArray(v);
}

function toStr(v: Value): string {
  return Array.isArray(v) ? v.map((x) => toStr(x)).join(',') : String(v);
}

/** Decodes base64 only when the text really is base64 (so ordinary words are not "decoded"). */
export function decodeBase64(s: string): string | undefined {
  const t = s.replace(/\s+/g, '');
  if (t.length < 4 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64').toString('latin1');
}

export function decodeHex(s: string): string | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  return Buffer.from(s, 'hex').toString('latin1');
}

function decodeBuffer(value: string, encoding: string | undefined): string | undefined {
  switch ((encoding ?? 'utf8').toLowerCase()) {
    case 'base64':
    case 'base64url':
      return decodeBase64(value);
    case 'hex':
      return decodeHex(value);
    case 'utf8':
    case 'utf-8':
    case 'latin1':
    case 'binary':
    case 'ascii':
      return value;
    default:
      return undefined;
  }
}

/**
 * Constant folding over ESTree: string concatenation, templates, array joins, reversed/split
 * strings, String.fromCharCode, Buffer.from(.., 'base64'|'hex'), atob, decodeURIComponent.
 * Identifiers resolve through the engine's scope to their initializers. Results are cached per node.
 */
/**
 * The qualified name of member `key` of module value `base`. `.default` of a module is the module
 * (what `import x from` binds, what interop helpers wrap a CommonJS module in): `cp.default.exec`
 * is `child_process.exec`.
 */
export function memberModule(base: string, key: string): string {
  return key === 'default' && !base.includes('.', base.lastIndexOf('/') + 1) ? base : `${base}.${key}`;
}

/** Qualified names of functions that load a module by name, like `require`. */
const REQUIRE_NAMES = new Set([
  'require',
  'module.require',
  'require.main.require',
  'process.mainModule.require',
  'module.constructor._load',
  'process.mainModule.constructor._load',
  'module._load',
]);
/** `module.createRequire(url)` returns a `require`. */
const CREATE_REQUIRE = new Set(['module.createRequire', 'module.createRequireFromPath']);

/** Names compilers give their import interop helpers (TypeScript, Babel, SWC, esbuild). */
const INTEROP_HELPER =
  /^_*(?:importStar|importDefault|interopRequireWildcard|interopRequireDefault|interop_require_wildcard|interop_require_default|toESM)$/;

/** Whether a callee is an import interop helper (`__importStar`, `tslib_1.__importDefault`, `(0, x.__toESM)`). */
function isInteropHelper(callee: Node | undefined): boolean {
  let c = callee;
  if (c?.type === 'SequenceExpression') c = c.expressions?.[c.expressions.length - 1];
  const name =
    c?.type === 'Identifier'
      ? c.name
      : c?.type === 'MemberExpression' && !c.computed
        ? c.property?.name
        : undefined;
  return typeof name === 'string' && INTEROP_HELPER.test(name);
}

export class Evaluator {
  private readonly cache: NodeMemo<Value | null>;
  private readonly qualified: NodeMemo<string | null>;
  private depth = 0;
  /**
   * Parameter and local values while folding a callback body (`arr.map(c => c ^ 42)`) or
   * interpreting a decoder loop/function; `null` marks a declared but unassigned local.
   */
  private locals: Array<Map<string, Value | null>> = [];
  /** Steps left for interpreting loops and decoder functions in this file (keeps folding cheap). */
  private budget = FILE_STEP_BUDGET;
  /** Nesting of interpreted function calls. */
  private frames = 0;
  /** XOR operations folded so far; a node whose fold raised it decoded XOR-encoded data. */
  private xorOps = 0;
  /** Decoding operations (XOR, char codes) folded so far inside loops and functions. */
  private decodeOps = 0;
  /** Nodes whose folded value went through XOR decoding (transitively). */
  private readonly xorNodes = new Set<Node>();
  /** Values of bindings computed by a folded decoder loop, valid while no other assignment happened. */
  private readonly loopValues = new Map<Binding, { value: Value; reassigned: number; xor: boolean }>();
  /** Arrays an interpretation created itself (so pushes need not copy). */
  private readonly owned = new WeakMap<Map<string, Value | null>, Set<Value[]>>();

  constructor(private readonly ctx: RuleContext) {
    this.cache = new NodeMemo(ctx.source.length);
    this.qualified = new NodeMemo(ctx.source.length);
  }

  evaluate(node: Node | undefined | null): Value | undefined {
    if (!node) return undefined;
    // Literals carry their value: no cache entry (on bundles they are ~40% of evaluated nodes).
    if (node.type === 'Literal') return isValue(node.value) ? node.value : undefined;
    // Inside a callback body values depend on the bound parameters: no caching there.
    if (this.locals.length > 0) return this.evaluateUncached(node);
    const cached = this.cache.get(node);
    if (cached !== undefined) {
      if (cached !== null && this.xorNodes.size > 0 && this.xorNodes.has(node)) this.xorOps++;
      return cached ?? undefined;
    }
    const before = this.xorOps;
    const result = this.evaluateUncached(node);
    this.cache.set(node, result ?? null);
    if (result !== undefined && this.xorOps > before) this.xorNodes.add(node);
    return result;
  }

  /** Whether the folded value of `node` was decoded with XOR (a loop, a map, a decoder function). */
  xorDecoded(node: Node): boolean {
    return this.xorNodes.has(node);
  }

  private evaluateUncached(node: Node): Value | undefined {
    if (this.depth > MAX_DEPTH) return undefined;
    this.depth++;
    let result: Value | undefined;
    try {
      result = this.compute(node);
    } catch {
      result = undefined;
    } finally {
      this.depth--;
    }
    if (typeof result === 'string' && result.length > MAX_STRING) result = undefined;
    return result;
  }

  /** Evaluates a node of the surrounding code (no interpreter locals), so its value is cached. */
  private outer(node: Node): Value | undefined {
    if (this.locals.length === 0) return this.evaluate(node);
    const saved = this.locals;
    this.locals = [];
    try {
      return this.evaluate(node);
    } finally {
      this.locals = saved;
    }
  }

  /** Folds `arr.map(fn)` for a callback whose body is one expression (decoders: XOR, shifts, charCodes). */
  private mapWith(arr: Value[], fn: Node | undefined): Value[] | undefined {
    if (!fn || (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression')) return undefined;
    if (arr.length > 20_000) return undefined;
    let body: Node | undefined = fn.body;
    if (body?.type === 'BlockStatement') {
      const stmts = body.body ?? [];
      body = stmts.length === 1 && stmts[0].type === 'ReturnStatement' ? stmts[0].argument : undefined;
    }
    if (!body) return undefined;
    const names = (fn.params ?? []).map((p: Node) => (p.type === 'Identifier' ? p.name : undefined));
    if (names.some((n: string | undefined) => n === undefined)) return undefined;
    const out: Value[] = [];
    const scope = new Map<string, Value | null>();
    this.locals.push(scope);
    try {
      for (let i = 0; i < arr.length; i++) {
        if (names[0]) scope.set(names[0], arr[i]!);
        if (names[1]) scope.set(names[1], i);
        const v = this.evaluate(body);
        if (v === undefined) return undefined;
        out.push(v);
      }
    } finally {
      this.locals.pop();
    }
    return out;
  }

  private compute(node: Node): Value | undefined {
    switch (node.type) {
      case 'Literal':
      case 'StringLiteral':
      case 'NumericLiteral':
      case 'BooleanLiteral':
        return isValue(node.value) ? node.value : undefined;
      case 'TemplateLiteral': {
        let out = '';
        for (let i = 0; i < node.quasis.length; i++) {
          out += node.quasis[i].value.cooked ?? node.quasis[i].value.raw;
          if (i < node.expressions.length) {
            const v = this.evaluate(node.expressions[i]);
            if (v === undefined) return undefined;
            out += toStr(v);
          }
        }
        return out;
      }
      case 'BinaryExpression': {
        const op = node.operator;
        const compare = COMPARE_OPS.has(op);
        // comparisons only matter for loop tests and conditions while interpreting
        if (compare ? this.locals.length === 0 : op !== '+' && !NUMERIC_OPS.has(op)) return undefined;
        const l = this.evaluate(node.left);
        if (l === undefined) return undefined;
        const r = this.evaluate(node.right);
        if (r === undefined) return undefined;
        if (compare) return compareValues(op, l, r);
        if (op === '^' && typeof l === 'number' && typeof r === 'number') {
          this.xorOps++;
          this.decodeOps++;
        }
        if (op !== '+') return typeof l === 'number' && typeof r === 'number' ? numeric(op, l, r) : undefined;
        if (typeof l === 'number' && typeof r === 'number') return l + r;
        return toStr(l) + toStr(r);
      }
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSNonNullExpression':
        return this.evaluate(node.expression);
      case 'SequenceExpression':
        return this.evaluate(node.expressions[node.expressions.length - 1]);
      case 'ConditionalExpression': {
        if (this.locals.length === 0) return undefined;
        const test = this.evaluate(node.test);
        if (test === undefined) return undefined;
        return this.evaluate(truthy(test) ? node.consequent : node.alternate);
      }
      case 'LogicalExpression': {
        if (this.locals.length === 0) return undefined;
        const l = this.evaluate(node.left);
        if (l === undefined) return undefined;
        if (node.operator === '&&') return truthy(l) ? this.evaluate(node.right) : l;
        if (node.operator === '||') return truthy(l) ? l : this.evaluate(node.right);
        return undefined;
      }
      case 'UnaryExpression': {
        if (node.operator === 'typeof') {
          const v = this.evaluate(node.argument);
          if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return typeof v;
          if (Array.isArray(v)) return 'object';
          const name = this.qualify(node.argument);
          if (name && KNOWN_FUNCTIONS.test(name)) return 'function';
          return undefined;
        }
        if (node.operator === '-') {
          const v = this.evaluate(node.argument);
          return typeof v === 'number' ? -v : undefined;
        }
        if (node.operator === '!') {
          const v = this.evaluate(node.argument);
          if (Array.isArray(v)) return false;
          return v === undefined ? undefined : !v;
        }
        return undefined;
      }
      case 'ArrayExpression': {
        const out: Value[] = [];
        for (const el of node.elements) {
          if (!el) return undefined;
          if (el.type === 'SpreadElement') {
            const v = this.evaluate(el.argument);
            if (typeof v === 'string' && v.length <= MAX_ARRAY) out.push(...v);
            else if (!Array.isArray(v)) return undefined;
            else out.push(...v);
            continue;
          }
          const v = this.evaluate(el);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'Identifier': {
        for (let i = this.locals.length - 1; i >= 0; i--) {
          const v = this.locals[i]!.get(node.name);
          if (v !== undefined) return v ?? undefined;
        }
        const b = this.ctx.lookup(node.name);
        if (!b) return undefined;
        if (this.loopValues.size > 0) {
          const looped = this.loopValues.get(b);
          if (looped && looped.reassigned === b.reassigned) {
            if (looped.xor) this.xorOps++;
            return looped.value;
          }
        }
        if (b.reassigned > 0 || !b.init || b.kind === 'function' || b.kind === 'class') return undefined;
        return this.outer(b.init);
      }
      case 'MemberExpression': {
        const obj = this.evaluate(node.object);
        if (obj === undefined) return undefined;
        const key = node.computed ? this.evaluate(node.property) : node.property.name;
        if (key === 'length' && (typeof obj === 'string' || Array.isArray(obj))) return obj.length;
        if (typeof key === 'number' && (typeof obj === 'string' || Array.isArray(obj))) return obj[key];
        return undefined;
      }
      case 'CallExpression':
        return this.call(node);
      case 'AwaitExpression':
        return undefined;
      default:
        return undefined;
    }
  }

  private args(node: Node): Value[] | undefined {
    const out: Value[] = [];
    for (const a of node.arguments) {
      if (a.type === 'SpreadElement') {
        const v = this.evaluate(a.argument);
        if (!Array.isArray(v)) return undefined;
        out.push(...v);
        continue;
      }
      const v = this.evaluate(a);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  private call(node: Node): Value | undefined {
    const callee = node.callee;
    const name = this.qualify(callee);
    switch (name) {
      case 'String.fromCharCode':
      case 'String.fromCodePoint': {
        const args = this.args(node);
        if (!args?.every((a) => typeof a === 'number')) return undefined;
        if (this.locals.length > 0) this.decodeOps++;
        return name === 'String.fromCharCode'
          ? String.fromCharCode(...(args as number[]))
          : String.fromCodePoint(...(args as number[]));
      }
      case 'atob': {
        const v = this.evaluate(node.arguments[0]);
        return typeof v === 'string' ? decodeBase64(v) : undefined;
      }
      case 'decodeURIComponent':
      case 'decodeURI':
      case 'unescape': {
        const v = this.evaluate(node.arguments[0]);
        if (typeof v !== 'string') return undefined;
        try {
          return name === 'unescape' ? unescape(v) : decodeURIComponent(v);
        } catch {
          return undefined;
        }
      }
      case 'Buffer.from':
      case 'buffer.Buffer.from': {
        const v = this.evaluate(node.arguments[0]);
        const enc = this.evaluate(node.arguments[1]);
        if (typeof v === 'string') return decodeBuffer(v, typeof enc === 'string' ? enc : undefined);
        if (Array.isArray(v) && v.every((x) => typeof x === 'number')) {
          return Buffer.from(v as number[]).toString('latin1');
        }
        return undefined;
      }
      case 'String':
        return toStrOrUndefined(this.evaluate(node.arguments[0]));
      case 'parseInt': {
        const v = this.evaluate(node.arguments[0]);
        const radix = this.evaluate(node.arguments[1]);
        return typeof v === 'string' ? Number.parseInt(v, typeof radix === 'number' ? radix : 10) : undefined;
      }
      default:
        break;
    }
    if (callee.type === 'Identifier') return this.callLocal(node);
    if (callee.type !== 'MemberExpression') return undefined;
    const method = callee.computed ? this.evaluate(callee.property) : callee.property.name;
    if (typeof method !== 'string') return undefined;
    // Buffer.from(x, enc).toString(enc2)
    if (method === 'toString' && callee.object.type === 'CallExpression') {
      const inner = this.qualify(callee.object.callee);
      if (inner === 'Buffer.from' || inner === 'buffer.Buffer.from') {
        const decoded = this.evaluate(callee.object);
        const enc = this.evaluate(node.arguments[0]);
        if (typeof decoded !== 'string') return undefined;
        if (enc === 'base64') return Buffer.from(decoded, 'latin1').toString('base64');
        if (enc === 'hex') return Buffer.from(decoded, 'latin1').toString('hex');
        return Buffer.from(decoded, 'latin1').toString('utf8');
      }
    }
    const target = this.evaluate(callee.object);
    if (target === undefined) return undefined;
    if (method === 'map' && Array.isArray(target)) return this.mapWith(target, node.arguments[0]);
    // Buffers fold to latin1 strings; strings have no `.map`, so this is `Buffer.from(x).map(fn)`.
    if (method === 'map' && typeof target === 'string' && this.isBufferExpression(callee.object)) {
      const bytes: number[] = [];
      for (let i = 0; i < target.length; i++) bytes.push(target.charCodeAt(i) & 0xff);
      const mapped = this.mapWith(bytes, node.arguments[0]);
      if (!mapped?.every((b) => typeof b === 'number')) return undefined;
      return Buffer.from((mapped as number[]).map((b) => b & 0xff)).toString('latin1');
    }
    const args = this.args(node);
    if (!args) return undefined;
    if (typeof target === 'string') return stringMethod(target, method, args);
    if (Array.isArray(target)) return arrayMethod(target, method, args);
    return undefined;
  }

  // ---- decoder loops and functions: a tiny statement interpreter with a step budget ----

  /** `Buffer.from(..)`, `new Uint8Array(..)`, or a binding of one. */
  private isBufferExpression(node: Node | undefined, depth = 0): boolean {
    if (!node || depth > 3) return false;
    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const name = this.qualify(node.callee);
      return name === 'Buffer.from' || name === 'buffer.Buffer.from' || name === 'Uint8Array';
    }
    if (node.type === 'Identifier') {
      const b = this.ctx.lookup(node.name);
      return !!b?.init && b.reassigned === 0 && this.isBufferExpression(b.init, depth + 1);
    }
    return false;
  }

  /** The function a local name is bound to (declaration, or a never-reassigned function value). */
  private localFunction(callee: Node): Node | undefined {
    const b = this.ctx.lookup(callee.name);
    const init = b?.init;
    if (!init || b.reassigned > 0) return undefined;
    if (b.kind === 'function') return init.type === 'FunctionDeclaration' ? init : undefined;
    if (b.kind !== 'const' && b.kind !== 'let' && b.kind !== 'var') return undefined;
    return init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression' ? init : undefined;
  }

  /**
   * Folds a call of a local decoder function with constant arguments
   * (`function d(s, k) { let o = ''; for (...) o += String.fromCharCode(s.charCodeAt(i) ^ k); return o }`).
   * Only functions that actually decode (XOR, char codes) fold, so ordinary helpers stay opaque.
   */
  private callLocal(node: Node): Value | undefined {
    if (this.frames >= MAX_FRAMES || this.budget <= 0) return undefined;
    if (this.locals.some((m) => m.has(node.callee.name))) return undefined;
    const fn = this.localFunction(node.callee);
    if (!fn || fn.async || fn.generator) return undefined;
    const args = this.args(node);
    if (!args) return undefined;
    const env = new Map<string, Value | null>();
    const params: Node[] = fn.params ?? [];
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (p.type === 'Identifier') env.set(p.name, args[i] ?? null);
      else if (p.type === 'AssignmentPattern' && p.left?.type === 'Identifier') {
        const v = args[i] ?? this.outer(p.right);
        if (v === undefined) return undefined;
        env.set(p.left.name, v);
      } else return undefined;
    }
    const saved = this.locals;
    const decodeBefore = this.decodeOps;
    this.locals = [env];
    this.frames++;
    try {
      let result: Value | undefined;
      if (fn.body?.type === 'BlockStatement') result = this.execBlock(fn.body.body ?? [], env)?.value;
      else result = this.evaluate(fn.body);
      return result !== undefined && this.decodeOps > decodeBefore ? result : undefined;
    } catch (e) {
      if (e === HALT) return undefined;
      throw e;
    } finally {
      this.locals = saved;
      this.frames--;
    }
  }

  /**
   * Runs a decoder loop of the surrounding code (called when the traversal leaves the loop):
   * `for (let i = 0; i < s.length; i++) out += String.fromCharCode(s.charCodeAt(i) ^ key)`.
   * When the loop only assigns local variables and pushes to local arrays, with constant inputs,
   * the values it leaves in those variables are remembered, so later reads of `out` fold.
   * Returns the folded variables, or nothing when the loop is not a foldable decoder.
   */
  foldLoop(loop: Node): Array<{ name: string; value: Value; xor: boolean }> | undefined {
    if (this.budget <= 0 || this.locals.length > 0) return undefined;
    const targets = new Map<string, number>();
    const declared = new Set<string>();
    if (!collectTargets(loop, targets, declared, 0)) return undefined;
    const env = new Map<string, Value | null>();
    const outer: Array<[string, Binding]> = [];
    for (const [name, count] of targets) {
      if (declared.has(name)) continue;
      const b = this.ctx.lookup(name);
      if (!b || b.kind === 'function' || b.kind === 'class' || b.kind === 'import' || b.kind === 'param')
        return undefined;
      const prior = this.loopValues.get(b);
      let v: Value | null = null;
      if (prior && prior.reassigned + count === b.reassigned) v = prior.value;
      else if (b.reassigned !== count) return undefined;
      else if (b.init) {
        const iv = this.evaluate(b.init);
        if (iv === undefined) return undefined;
        v = iv;
      }
      env.set(name, v);
      outer.push([name, b]);
    }
    if (outer.length === 0) return undefined;
    const decodeBefore = this.decodeOps;
    const xorBefore = this.xorOps;
    this.locals = [env];
    try {
      this.exec(loop, env);
    } catch (e) {
      if (e === HALT) return undefined;
      throw e;
    } finally {
      this.locals = [];
    }
    if (this.decodeOps === decodeBefore) return undefined;
    const xor = this.xorOps > xorBefore;
    const out: Array<{ name: string; value: Value; xor: boolean }> = [];
    for (const [name, b] of outer) {
      const value = env.get(name);
      if (value === undefined || value === null) continue;
      this.loopValues.set(b, { value, reassigned: b.reassigned, xor });
      out.push({ name, value, xor });
    }
    return out;
  }

  private step(): void {
    if (--this.budget < 0) throw HALT;
  }

  private must(node: Node | undefined): Value {
    const v = node ? this.evaluate(node) : undefined;
    if (v === undefined) throw HALT;
    if (typeof v === 'string' && v.length > MAX_STRING) throw HALT;
    return v;
  }

  private execBlock(stmts: Node[], env: Map<string, Value | null>): { value: Value } | undefined {
    for (const stmt of stmts) {
      const r = this.exec(stmt, env);
      if (r) return r;
    }
    return undefined;
  }

  /** Executes one statement; returns the value of a `return`, throws HALT on anything unsupported. */
  private exec(s: Node, env: Map<string, Value | null>): { value: Value } | undefined {
    this.step();
    switch (s.type) {
      case 'EmptyStatement':
        return undefined;
      case 'BlockStatement':
        return this.execBlock(s.body ?? [], env);
      case 'VariableDeclaration':
        for (const d of s.declarations ?? []) {
          if (d.id?.type !== 'Identifier') throw HALT;
          env.set(d.id.name, d.init ? this.must(d.init) : null);
        }
        return undefined;
      case 'ExpressionStatement':
        this.effect(s.expression, env);
        return undefined;
      case 'ReturnStatement':
        return { value: this.must(s.argument) };
      case 'IfStatement':
        if (truthy(this.must(s.test))) return this.exec(s.consequent, env);
        return s.alternate ? this.exec(s.alternate, env) : undefined;
      case 'ForStatement': {
        if (s.init?.type === 'VariableDeclaration') this.exec(s.init, env);
        else if (s.init) this.effect(s.init, env);
        for (;;) {
          this.step();
          if (s.test && !truthy(this.must(s.test))) return undefined;
          const r = this.exec(s.body, env);
          if (r) return r;
          if (s.update) this.effect(s.update, env);
        }
      }
      case 'WhileStatement':
        for (;;) {
          this.step();
          if (!truthy(this.must(s.test))) return undefined;
          const r = this.exec(s.body, env);
          if (r) return r;
        }
      case 'ForOfStatement': {
        const items = this.must(s.right);
        if (typeof items !== 'string' && !Array.isArray(items)) throw HALT;
        const left = s.left?.type === 'VariableDeclaration' ? s.left.declarations?.[0]?.id : s.left;
        if (left?.type !== 'Identifier' || (s.left.type !== 'VariableDeclaration' && !env.has(left.name)))
          throw HALT;
        for (const item of items) {
          this.step();
          env.set(left.name, item);
          const r = this.exec(s.body, env);
          if (r) return r;
        }
        return undefined;
      }
      default:
        throw HALT;
    }
  }

  /** Side effects an interpreted statement may have: assign/update locals, push to local arrays. */
  private effect(e: Node, env: Map<string, Value | null>): void {
    switch (e.type) {
      case 'SequenceExpression':
        for (const x of e.expressions) this.effect(x, env);
        return;
      case 'ParenthesizedExpression':
        this.effect(e.expression, env);
        return;
      case 'AssignmentExpression': {
        const name = e.left?.type === 'Identifier' ? e.left.name : undefined;
        if (!name || !env.has(name)) throw HALT;
        const right = this.must(e.right);
        if (e.operator === '=') {
          env.set(name, right);
          return;
        }
        const old = env.get(name);
        if (old === undefined || old === null) throw HALT;
        const op = e.operator.slice(0, -1);
        let v: Value | undefined;
        if (op === '+')
          v = typeof old === 'number' && typeof right === 'number' ? old + right : toStr(old) + toStr(right);
        else if (typeof old === 'number' && typeof right === 'number') {
          if (op === '^') {
            this.xorOps++;
            this.decodeOps++;
          }
          v = numeric(op, old, right);
        }
        if (v === undefined || (typeof v === 'string' && v.length > MAX_STRING)) throw HALT;
        env.set(name, v);
        return;
      }
      case 'UpdateExpression': {
        const name = e.argument?.type === 'Identifier' ? e.argument.name : undefined;
        const old = name ? env.get(name) : undefined;
        if (!name || typeof old !== 'number') throw HALT;
        env.set(name, e.operator === '++' ? old + 1 : old - 1);
        return;
      }
      case 'CallExpression': {
        const callee = e.callee;
        const name =
          callee?.type === 'MemberExpression' && callee.object?.type === 'Identifier'
            ? callee.object.name
            : undefined;
        const method =
          callee?.type === 'MemberExpression' && !callee.computed ? callee.property?.name : undefined;
        const arr = name ? env.get(name) : undefined;
        if (!name || (method !== 'push' && method !== 'unshift') || !Array.isArray(arr)) throw HALT;
        const values = (e.arguments ?? []).map((a: Node) => this.must(a));
        // copy on first write: the array may be a shared folded constant
        let own = this.owned.get(env);
        if (!own) this.owned.set(env, (own = new Set()));
        let target = arr;
        if (!own.has(arr)) {
          target = [...arr];
          own.add(target);
          env.set(name, target);
        }
        if (method === 'push') target.push(...values);
        else target.unshift(...values);
        if (target.length > MAX_ARRAY) throw HALT;
        return;
      }
      default:
        throw HALT;
    }
  }

  private moduleDepth = 0;

  /**
   * Whether a callee loads a module: `require` and its aliases, `module.require`,
   * `process.mainModule.require` (how payloads reach modules from code that has no `require`),
   * `Module._load`, and the function `createRequire()` returns in ES modules.
   */
  private isRequire(callee: Node | undefined): boolean {
    if (!callee) return false;
    if (callee.type === 'Identifier' && callee.name === 'require') return true;
    if (callee.type === 'CallExpression') return CREATE_REQUIRE.has(this.qualify(callee.callee) ?? '');
    const q = this.qualify(callee);
    if (q && REQUIRE_NAMES.has(q)) return true;
    if (callee.type === 'Identifier') {
      const b = this.ctx.lookup(callee.name);
      return (
        b?.init?.type === 'CallExpression' &&
        b.reassigned === 0 &&
        CREATE_REQUIRE.has(this.qualify(b.init.callee) ?? '')
      );
    }
    return false;
  }

  /** The module a value comes from: `require('x')`, `require('x').y`, `await import('x')`, an alias. */
  moduleOf(node: Node | undefined): string | undefined {
    if (!node) return undefined;
    switch (node.type) {
      case 'CallExpression': {
        const args: Node[] = node.arguments ?? [];
        if (args.length === 0) return undefined;
        // Bindings can refer to themselves (`var f = f()`): resolving a callee goes a few levels deep.
        if (this.moduleDepth > 4) return undefined;
        this.moduleDepth++;
        try {
          if (this.isRequire(node.callee)) {
            const v = this.evaluate(args[0]);
            return typeof v === 'string' ? v.replace(/^node:/, '') : undefined;
          }
          // Compilers wrap every import in an interop helper (TypeScript's
          // `__importStar(require('child_process'))`, Babel's `_interopRequireWildcard`, esbuild's
          // `__toESM`): the result is the module, or a namespace whose members are its members.
          if (isInteropHelper(node.callee)) return this.moduleOf(args[0]);
          // `util.promisify(cp.exec)` and `cp.exec.bind(cp)` are the same function.
          const callee = node.callee;
          if (this.qualify(callee) === 'util.promisify') return this.moduleOf(args[0]);
          if (
            callee?.type === 'MemberExpression' &&
            !callee.computed &&
            callee.property?.name === 'bind' &&
            args.length === 1
          )
            return this.moduleOf(callee.object);
          return undefined;
        } finally {
          this.moduleDepth--;
        }
      }
      case 'ImportExpression': {
        const v = this.evaluate(node.source);
        return typeof v === 'string' ? v.replace(/^node:/, '') : undefined;
      }
      case 'AwaitExpression':
      case 'ParenthesizedExpression':
        return this.moduleOf(node.argument ?? node.expression);
      case 'MemberExpression': {
        const base = this.moduleOf(node.object);
        if (!base) return undefined;
        const key = node.computed ? this.evaluate(node.property) : node.property.name;
        return typeof key === 'string' ? memberModule(base, key) : undefined;
      }
      case 'Identifier': {
        const b = this.ctx.lookup(node.name);
        return b?.module;
      }
      case 'SequenceExpression':
        // `(0, tslib_1.__importStar)(...)`: the value is the last expression
        return this.moduleOf(node.expressions?.[node.expressions.length - 1]);
      default:
        return undefined;
    }
  }

  /**
   * The dotted name an expression refers to, following module aliases, local aliases of
   * globals (`const e = eval`) and computed members with constant keys (`global['ev'+'al']`).
   */
  qualify(node: Node | undefined | null, depth = 0): string | undefined {
    if (!node || depth > 8 || !QUALIFIABLE.has(node.type)) return undefined;
    if (depth === 0) {
      // Rules ask for the same callee many times; resolve it once, at its first use.
      const hit = this.qualified.get(node);
      if (hit !== undefined) return hit ?? undefined;
      const q = this.qualifyUncached(node, 0);
      this.qualified.set(node, q ?? null);
      return q;
    }
    return this.qualifyUncached(node, depth);
  }

  private qualifyUncached(node: Node, depth: number): string | undefined {
    switch (node.type) {
      case 'Identifier': {
        const b = this.ctx.lookup(node.name);
        if (!b) return node.name;
        if (b.module) return b.module;
        // the jQuery plugin idiom `(function ($) { ... })(jQuery)`
        if (b.kind === 'param' && (node.name === '$' || node.name === 'jQuery')) return node.name;
        if (b.init && b.reassigned === 0 && (b.kind === 'const' || b.kind === 'var' || b.kind === 'let')) {
          const init = b.init;
          if (init.type === 'Identifier' || init.type === 'MemberExpression')
            return this.qualify(init, depth + 1);
          const mod = this.moduleOf(init);
          if (mod) return mod;
          // `const m = new Module(id)`: an instance of the module system (`m._compile(code)`)
          if (init.type === 'NewExpression') {
            const cls = this.qualify(init.callee, depth + 1);
            if (cls === 'module' || cls === 'module.Module') return 'module';
          }
        }
        return undefined;
      }
      case 'ThisExpression':
        return 'this';
      case 'MemberExpression': {
        const mod = this.moduleOf(node);
        if (mod) return mod;
        const key = node.computed
          ? this.evaluate(node.property)
          : (node.property.name ?? node.property.value);
        if (typeof key !== 'string') return undefined;
        const obj = this.qualify(node.object, depth + 1);
        if (obj === undefined) return undefined;
        if (GLOBAL_OBJECTS.has(obj)) return key;
        if (obj === 'this' && THIS_GLOBALS.has(key)) return key;
        if (obj.startsWith('this.') && THIS_GLOBALS.has(obj.slice(5))) return `${obj.slice(5)}.${key}`;
        return `${obj}.${key}`;
      }
      case 'CallExpression':
      case 'ImportExpression':
      case 'AwaitExpression':
        return this.moduleOf(node);
      case 'ChainExpression':
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSNonNullExpression':
        return this.qualify(node.expression, depth + 1);
      case 'SequenceExpression':
        return this.qualify(node.expressions[node.expressions.length - 1], depth + 1);
      default:
        return undefined;
    }
  }
}

/** Node types `qualify` can name; anything else (literals, functions, objects...) is undefined without a cache entry. */
const QUALIFIABLE = new Set([
  'Identifier',
  'ThisExpression',
  'MemberExpression',
  'CallExpression',
  'ImportExpression',
  'AwaitExpression',
  'ChainExpression',
  'ParenthesizedExpression',
  'TSAsExpression',
  'TSNonNullExpression',
  'SequenceExpression',
]);

const NUMERIC_OPS = new Set(['-', '*', '/', '%', '^', '|', '&', '<<', '>>', '>>>']);

function numeric(op: string, l: number, r: number): number | undefined {
  switch (op) {
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? undefined : l / r;
    case '%':
      return r === 0 ? undefined : l % r;
    case '^':
      return l ^ r;
    case '|':
      return l | r;
    case '&':
      return l & r;
    case '<<':
      return l << r;
    case '>>':
      return l >> r;
    case '>>>':
      return l >>> r;
    default:
      return undefined;
  }
}

function truthy(v: Value): boolean {
  return Array.isArray(v) ? true : !!v;
}

function compareValues(op: string, l: Value, r: Value): boolean | undefined {
  if (Array.isArray(l) || Array.isArray(r)) return undefined;
  switch (op) {
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    case '===':
    case '==':
      return l === r;
    case '!==':
    case '!=':
      return l !== r;
    default:
      return undefined;
  }
}

/** Statement types a foldable decoder loop may contain. */
const LOOP_STATEMENTS = new Set([
  'ForStatement',
  'WhileStatement',
  'ForOfStatement',
  'BlockStatement',
  'ExpressionStatement',
  'VariableDeclaration',
  'IfStatement',
  'EmptyStatement',
]);

/**
 * Checks that a loop only has statements the interpreter supports and collects the variables
 * it writes: name -> number of assignment expressions (the engine's `reassigned` count).
 * Cheap structural pass over the loop's statements; bails at the first unsupported one.
 */
function collectTargets(
  s: Node,
  targets: Map<string, number>,
  declared: Set<string>,
  depth: number,
): boolean {
  if (!s || depth > 12 || !LOOP_STATEMENTS.has(s.type)) return false;
  switch (s.type) {
    case 'ForStatement':
      if (
        s.init &&
        !(s.init.type === 'VariableDeclaration'
          ? collectTargets(s.init, targets, declared, depth + 1)
          : effectTargets(s.init, targets))
      )
        return false;
      if (s.update && !effectTargets(s.update, targets)) return false;
      return collectTargets(s.body, targets, declared, depth + 1);
    case 'WhileStatement':
      return collectTargets(s.body, targets, declared, depth + 1);
    case 'ForOfStatement':
      if (s.left?.type === 'VariableDeclaration') {
        const id = s.left.declarations?.[0]?.id;
        if (id?.type !== 'Identifier') return false;
        declared.add(id.name);
      } else return false;
      return collectTargets(s.body, targets, declared, depth + 1);
    case 'BlockStatement':
      return (s.body ?? []).every((x: Node) => collectTargets(x, targets, declared, depth + 1));
    case 'ExpressionStatement':
      return effectTargets(s.expression, targets);
    case 'VariableDeclaration':
      for (const d of s.declarations ?? []) {
        if (d.id?.type !== 'Identifier') return false;
        declared.add(d.id.name);
      }
      return true;
    case 'IfStatement':
      return (
        collectTargets(s.consequent, targets, declared, depth + 1) &&
        (!s.alternate || collectTargets(s.alternate, targets, declared, depth + 1))
      );
    default:
      return true;
  }
}

function effectTargets(e: Node, targets: Map<string, number>): boolean {
  switch (e?.type) {
    case 'SequenceExpression':
      return e.expressions.every((x: Node) => effectTargets(x, targets));
    case 'AssignmentExpression':
      if (e.left?.type !== 'Identifier') return false;
      targets.set(e.left.name, (targets.get(e.left.name) ?? 0) + 1);
      return true;
    case 'UpdateExpression':
      if (e.argument?.type !== 'Identifier') return false;
      targets.set(e.argument.name, targets.get(e.argument.name) ?? 0);
      return true;
    case 'CallExpression': {
      const c = e.callee;
      if (c?.type !== 'MemberExpression' || c.computed || c.object?.type !== 'Identifier') return false;
      if (c.property?.name !== 'push' && c.property?.name !== 'unshift') return false;
      targets.set(c.object.name, targets.get(c.object.name) ?? 0);
      return true;
    }
    default:
      return false;
  }
}

function toStrOrUndefined(v: Value | undefined): string | undefined {
  return v === undefined ? undefined : toStr(v);
}

function stringMethod(s: string, method: string, args: Value[]): Value | undefined {
  const a0 = args[0];
  const a1 = args[1];
  switch (method) {
    case 'split':
      return typeof a0 === 'string' ? s.split(a0) : undefined;
    case 'toString':
    case 'valueOf':
    case 'trim':
      return method === 'trim' ? s.trim() : s;
    case 'toLowerCase':
      return s.toLowerCase();
    case 'toUpperCase':
      return s.toUpperCase();
    case 'concat':
      return s + args.map(toStr).join('');
    case 'replace':
    case 'replaceAll':
      return typeof a0 === 'string' && typeof a1 === 'string'
        ? method === 'replace'
          ? s.replace(a0, a1)
          : s.split(a0).join(a1)
        : undefined;
    case 'slice':
    case 'substring':
      return s[method](typeof a0 === 'number' ? a0 : 0, typeof a1 === 'number' ? a1 : undefined);
    case 'substr':
      return s.substr(typeof a0 === 'number' ? a0 : 0, typeof a1 === 'number' ? a1 : undefined);
    case 'charAt':
      return s.charAt(typeof a0 === 'number' ? a0 : 0);
    case 'charCodeAt':
      return s.charCodeAt(typeof a0 === 'number' ? a0 : 0);
    case 'repeat':
      return typeof a0 === 'number' && a0 < 1000 ? s.repeat(a0) : undefined;
    default:
      return undefined;
  }
}

function arrayMethod(arr: Value[], method: string, args: Value[]): Value | undefined {
  switch (method) {
    case 'join':
      return arr.map(toStr).join(args[0] === undefined ? ',' : toStr(args[0]));
    case 'reverse':
      return [...arr].reverse();
    case 'concat':
      return arr.concat(...args.map((a) => (Array.isArray(a) ? a : [a])));
    case 'slice':
      return arr.slice(
        typeof args[0] === 'number' ? args[0] : 0,
        typeof args[1] === 'number' ? args[1] : undefined,
      );
    case 'toString':
      return arr.map(toStr).join(',');
    default:
      return undefined;
  }
}
