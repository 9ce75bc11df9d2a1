import type { RuleContext } from './engine.js';
import { NodeMemo } from './memo.js';
import type { Node } from './parse.js';

/** A folded constant: strings, numbers, booleans, arrays of those. */
export type Value = string | number | boolean | Value[];

const MAX_DEPTH = 40;
const MAX_STRING = 1 << 20;
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
export class Evaluator {
  private readonly cache: NodeMemo<Value | null>;
  private readonly qualified: NodeMemo<string | null>;
  private depth = 0;
  /** Parameter values while folding a callback body (`arr.map(c => c ^ 42)`). */
  private readonly locals: Array<Map<string, Value>> = [];

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
    if (cached !== undefined) return cached ?? undefined;
    const result = this.evaluateUncached(node);
    this.cache.set(node, result ?? null);
    return result;
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
    const scope = new Map<string, Value>();
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
        if (op !== '+' && !NUMERIC_OPS.has(op)) return undefined;
        const l = this.evaluate(node.left);
        if (l === undefined) return undefined;
        const r = this.evaluate(node.right);
        if (r === undefined) return undefined;
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
      case 'ConditionalExpression':
        return undefined;
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
            if (!Array.isArray(v)) return undefined;
            out.push(...v);
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
          if (v !== undefined) return v;
        }
        const b = this.ctx.lookup(node.name);
        if (!b || b.reassigned > 0 || !b.init || b.kind === 'function' || b.kind === 'class')
          return undefined;
        return this.evaluate(b.init);
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
    const args = this.args(node);
    if (!args) return undefined;
    if (typeof target === 'string') return stringMethod(target, method, args);
    if (Array.isArray(target)) return arrayMethod(target, method, args);
    return undefined;
  }

  /** The module a value comes from: `require('x')`, `require('x').y`, `await import('x')`, an alias. */
  moduleOf(node: Node | undefined): string | undefined {
    if (!node) return undefined;
    switch (node.type) {
      case 'CallExpression':
        if (
          node.callee?.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments.length >= 1
        ) {
          const v = this.evaluate(node.arguments[0]);
          return typeof v === 'string' ? v.replace(/^node:/, '') : undefined;
        }
        return undefined;
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
        return typeof key === 'string' ? `${base}.${key}` : undefined;
      }
      case 'Identifier': {
        const b = this.ctx.lookup(node.name);
        return b?.module;
      }
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
