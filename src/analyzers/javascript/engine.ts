import { KEYS } from 'eslint-visitor-keys';
import type { ArtifactFile, ExecutionContext, Finding, PackageContext, RuleMeta } from '../../core/types.js';
import { type FindingInput, makeCodeFinding } from '../../rules/finding.js';
import { Evaluator, memberModule } from './evaluate.js';
import { LoadTimeTracker } from './load-time.js';
import { FUNCTION_TYPES, type Node } from './parse.js';
import { mergeTaint, type Taint, TaintTracker } from './taint.js';

/** Node type -> handler; `Type:exit` keys run after the node's children (ESLint convention). */
export type Visitors = Partial<Record<string, (node: Node) => void>>;

/** A JavaScript rule: catalogue metadata plus a factory of node visitors (ESLint's rule shape). */
export interface JsRule {
  meta: RuleMeta;
  create(context: RuleContext): Visitors;
}

export interface ReportInput extends Omit<FindingInput, 'file' | 'line' | 'column' | 'snippet' | 'context'> {
  node: Node;
}

export interface Binding {
  name: string;
  kind: 'var' | 'let' | 'const' | 'param' | 'function' | 'import' | 'catch' | 'class';
  /** The initializer (declarations) or the declaration itself (functions). */
  init?: Node;
  /** For bindings of a required module or a member of one: `child_process`, `child_process.exec`. */
  module?: string;
  /** How many times the binding is assigned after its declaration. */
  reassigned: number;
  /** Data-flow tags added by later assignments/pushes (see taint.ts). */
  taint?: Taint;
}

/** Facts about one file that several rules share; filled during the single traversal. */
export interface FileFacts {
  /** Relative module specifiers this file loads (require, import, import(), export from). */
  imports: Set<string>;
  /** Qualified names of capabilities used (`child_process.exec`, `https.request`, `fetch`...). */
  capabilities: Set<string>;
  /** Data-flow tags of what the module exports (`module.exports = secrets`). */
  exportTaint: Taint;
  /** Package files this file starts as processes (`spawn('node update.js')`). */
  runsFiles: Set<string>;
  /** Sinks fed by another package module's export, resolved once every file is analysed. */
  pendingFlows: PendingFlow[];
}

/** A sink whose input comes from `require('./other')`: a finding if that module exports a source. */
export interface PendingFlow {
  module: string;
  sink: string;
  sinkKind: string;
  line: number;
  column: number;
  snippet: string;
}

/** What re-analysing decoded code as code found; undefined from `reanalyze` when it is not code. */
export interface Reanalysis {
  /** Something in it weighs medium or more (inert decoded code, such as a worker script, does not). */
  harmful: boolean;
}

/** Per-file context handed to every rule: reporting, scope, name resolution, constant folding. */
export class RuleContext {
  readonly findings: Finding[] = [];
  readonly ancestors: Node[] = [];
  /** The first node the walk did not enter because the tree was nested deeper than `MAX_WALK_DEPTH`. */
  tooDeep: Node | undefined;
  /** Where the open functions are in `ancestors`, innermost last (kept by the walk). */
  readonly functionDepths: number[] = [];
  readonly facts: FileFacts = {
    imports: new Set(),
    capabilities: new Set(),
    exportTaint: [],
    runsFiles: new Set(),
    pendingFlows: [],
  };
  readonly evaluator: Evaluator;
  readonly taint: TaintTracker;
  /** Which functions certainly run when the file loads (see load-time.ts). */
  readonly loadTime: LoadTimeTracker;
  /** Where each reported finding is, as a source offset (for `loadTime.atLoad`). */
  readonly findingOffsets = new Map<Finding, number>();
  /**
   * Scopes as one table: each name maps to its bindings from outer to inner, as pairs of the
   * declaring scope's depth and the binding, so a lookup is one map read however deep the code
   * nests (bundles nest hundreds of functions). Each open scope lists the names it declared,
   * to unbind them when it closes.
   */
  private readonly names = new Map<string, Array<number | Binding>>();
  private readonly declared: Array<string[] | undefined> = [undefined];
  private lineStarts: number[] | undefined;
  private rule: RuleMeta | undefined;
  /** Set by the analyzer: parses decoded code and runs all rules on it, reporting at `node`. */
  reanalyze?: (code: string, node: Node) => Reanalysis | undefined;

  constructor(
    readonly file: ArtifactFile,
    readonly source: string,
    readonly pkg: PackageContext,
    readonly fileContext: ExecutionContext,
    /** Nesting depth of decoded code being re-analysed (0 for package files). */
    readonly depth = 0,
    /** Where decoded code came from, so findings point back at the original location. */
    readonly origin?: { line: number; column: number; snippet: string },
  ) {
    this.evaluator = new Evaluator(this);
    this.taint = new TaintTracker(this);
    this.loadTime = new LoadTimeTracker(this);
  }

  /** Line/column of a node (or of the decoded code's origin) for findings raised outside report(). */
  where(node: Node): { line: number; column: number; snippet: string } {
    return this.origin ?? { ...this.lineOf(node.start ?? 0), snippet: this.snippetOf(node) };
  }

  /** The innermost function around the traversal position. */
  enclosingFunction(): Node | undefined {
    const n = this.functionDepths.length;
    return n > 0 ? this.ancestors[this.functionDepths[n - 1]!] : undefined;
  }

  /** Called by the engine before dispatching to a rule's handlers. */
  setRule(rule: RuleMeta): void {
    this.rule = rule;
  }

  get path(): string {
    return this.file.path;
  }

  parent(): Node | undefined {
    return this.ancestors[this.ancestors.length - 1];
  }

  // ---- scope ----
  pushScope(): void {
    this.declared.push(undefined);
  }

  popScope(): void {
    if (this.declared.length <= 1) return;
    const names = this.declared.pop();
    if (names) for (const name of names) this.names.get(name)!.length -= 2;
  }

  declare(binding: Binding): void {
    const depth = this.declared.length - 1;
    let stack = this.names.get(binding.name);
    if (!stack) this.names.set(binding.name, (stack = []));
    const n = stack.length;
    // declared again in the same scope: the later declaration replaces the earlier one
    if (n > 0 && stack[n - 2] === depth) {
      stack[n - 1] = binding;
      return;
    }
    stack.push(depth, binding);
    const list = this.declared[depth];
    if (list) list.push(binding.name);
    else this.declared[depth] = [binding.name];
  }

  lookup(name: string): Binding | undefined {
    const stack = this.names.get(name);
    return stack && stack.length > 0 ? (stack[stack.length - 1] as Binding) : undefined;
  }

  /** True when the current traversal position is inside no function (runs when the module loads). */
  atTopLevel(): boolean {
    return this.functionDepths.length === 0;
  }

  // ---- names and values ----
  /** Dotted name of what an expression refers to, with module aliases resolved (`cp.exec` -> `child_process.exec`). */
  qualify(node: Node | undefined): string | undefined {
    return this.evaluator.qualify(node);
  }

  /** The statically known value of an expression (strings, numbers, arrays), or undefined. */
  evaluate(node: Node | undefined): unknown {
    return this.evaluator.evaluate(node);
  }

  evaluateString(node: Node | undefined): string | undefined {
    const v = this.evaluator.evaluate(node);
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    return undefined;
  }

  // ---- reporting ----
  lineOf(offset: number): { line: number; column: number } {
    const lo = this.lineIndex(offset);
    return { line: lo + 1, column: offset - this.lineStarts![lo]! + 1 };
  }

  /** Zero-based line of an offset: a binary search over the line starts, computed once per file. */
  private lineIndex(offset: number): number {
    let starts = this.lineStarts;
    if (!starts) {
      starts = this.lineStarts = [0];
      const src = this.source;
      for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The node's source, or the window of a long line around it. Line bounds come from the line
   * index, not from scanning the text: a minified bundle is one line of megabytes.
   */
  snippetOf(node: Node): string {
    const start = node.start ?? 0;
    const end = node.end ?? start;
    if (end - start <= 200) {
      const first = this.lineIndex(start);
      const last = this.lineIndex(end);
      const lineStart = this.lineStarts![first]!;
      const next = this.lineStarts![last + 1];
      const lineEnd = next === undefined ? this.source.length : next - 1;
      if (lineEnd - lineStart <= 200) return this.source.slice(lineStart, lineEnd);
    }
    return this.source.slice(start, Math.min(end, start + 200));
  }

  report(input: ReportInput): void {
    if (!this.rule) throw new Error('report() outside a rule');
    const { node, ...rest } = input;
    const where = this.origin ?? { ...this.lineOf(node.start ?? 0), snippet: this.snippetOf(node) };
    const finding = makeCodeFinding(
      this.rule,
      rest,
      { file: this.file.path, context: this.fileContext, location: where },
      this.depth > 0 ? { depth: this.depth, snippet: this.snippetOf(node) } : undefined,
    );
    this.findings.push(finding);
    this.findingOffsets.set(finding, node.start ?? 0);
  }
}

/** How deep the walk goes: real code nests a few hundred levels at most. */
export const MAX_WALK_DEPTH = 1_500;

type Dispatch = Map<string, Array<{ rule: RuleMeta; fn: (node: Node) => void }>>;

/** Node types `enterBindings` acts on; other nodes skip the call. */
const BINDING_TYPES = new Set([
  'VariableDeclarator',
  'FunctionDeclaration',
  'ClassDeclaration',
  'ImportDeclaration',
  'ExportNamedDeclaration',
  'ExportAllDeclaration',
  'ExportDefaultDeclaration',
  'AssignmentExpression',
  'ReturnStatement',
  'CallExpression',
  'ImportExpression',
]);
const SKIP_KEYS = new Set([
  'loc',
  'range',
  'start',
  'end',
  'parent',
  'leadingComments',
  'trailingComments',
  'extra',
]);

const FALLBACK_KEYS = new Map<string, readonly string[]>();

function childKeys(node: Node): readonly string[] {
  const known = (KEYS as Record<string, readonly string[] | undefined>)[node.type];
  if (known) return known;
  let keys = FALLBACK_KEYS.get(node.type);
  if (!keys) {
    keys = Object.keys(node).filter((k) => !SKIP_KEYS.has(k));
    // parser-specific node types have a fixed shape: remember their keys
    if (FALLBACK_KEYS.size < 200) FALLBACK_KEYS.set(node.type, keys);
  }
  return keys;
}

/**
 * Whether a function can be called through a binding whose `init` is the function itself (what
 * `TaintTracker.localFunction` resolves): declarations, named function expressions, and functions
 * that initialise a variable or a parameter default.
 */
function callableByName(fn: Node, parent: Node | undefined): boolean {
  if (fn.type === 'FunctionDeclaration' || (fn.type === 'FunctionExpression' && fn.id)) return true;
  if (!parent) return false;
  return (
    (parent.type === 'VariableDeclarator' && parent.init === fn) ||
    (parent.type === 'AssignmentPattern' && parent.right === fn)
  );
}

/** Functions worth seeing through `.call`/`.apply` besides module functions: code and timer sinks. */
const DIRECT_GLOBALS = new Set(['eval', 'Function', 'fetch', 'require', 'setTimeout', 'setInterval']);

/**
 * The direct form of an indirect call of a module function or code sink: `f.call(t, a, b)` and
 * `f.apply(t, [a, b])` and `Reflect.apply(f, t, [a, b])` are `f(a, b)`. The synthetic node spans the
 * original call (findings point at it); its callee and arguments are the original's nodes.
 */
export function directCall(ctx: RuleContext, node: Node): Node | undefined {
  const callee = node.callee;
  if (callee?.type !== 'MemberExpression' || callee.computed) return undefined;
  const method = callee.property?.name;
  if (method !== 'call' && method !== 'apply') return undefined;
  const args: Node[] = node.arguments ?? [];
  let fn: Node | undefined;
  let list: Node[] | undefined;
  if (method === 'apply' && callee.object?.type === 'Identifier' && callee.object.name === 'Reflect') {
    fn = args[0];
    list = args[2]?.type === 'ArrayExpression' ? args[2].elements : undefined;
  } else {
    fn = callee.object;
    list =
      method === 'call' ? args.slice(1) : args[1]?.type === 'ArrayExpression' ? args[1].elements : undefined;
  }
  if (!fn || !list || list.some((a) => !a || a.type === 'SpreadElement')) return undefined;
  if (fn.type !== 'Identifier' && fn.type !== 'MemberExpression') return undefined;
  const name = ctx.qualify(fn);
  if (!name || (!DIRECT_GLOBALS.has(name) && ctx.evaluator.moduleOf(fn) === undefined)) return undefined;
  return {
    type: 'CallExpression',
    callee: fn,
    arguments: list,
    optional: false,
    start: node.start,
    end: node.end,
  };
}

/** Declares the names a pattern binds, recording module aliases for `const {exec} = require('cp')`. */
function declarePattern(
  ctx: RuleContext,
  pattern: Node | null | undefined,
  kind: Binding['kind'],
  init?: Node,
): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier': {
      const module = init ? ctx.evaluator.moduleOf(init) : undefined;
      ctx.declare({ name: pattern.name, kind, init, module, reassigned: 0 });
      break;
    }
    case 'ObjectPattern': {
      const base = init ? ctx.evaluator.moduleOf(init) : undefined;
      for (const prop of pattern.properties ?? []) {
        if (prop.type === 'RestElement') {
          declarePattern(ctx, prop.argument, kind);
          continue;
        }
        const keyName = prop.computed ? ctx.evaluateString(prop.key) : (prop.key?.name ?? prop.key?.value);
        const target = prop.value?.type === 'AssignmentPattern' ? prop.value.left : prop.value;
        if (target?.type === 'Identifier') {
          ctx.declare({
            name: target.name,
            kind,
            module: base && keyName !== undefined ? memberModule(base, String(keyName)) : undefined,
            init: init && keyName !== undefined ? memberOf(init, String(keyName)) : undefined,
            reassigned: 0,
          });
        } else declarePattern(ctx, target, kind);
      }
      break;
    }
    case 'ArrayPattern':
      for (const el of pattern.elements ?? []) declarePattern(ctx, el, kind);
      break;
    case 'AssignmentPattern':
      declarePattern(ctx, pattern.left, kind, init ?? pattern.right);
      break;
    case 'RestElement':
      declarePattern(ctx, pattern.argument, kind);
      break;
    default:
      break;
  }
}

/** A synthetic `init.key` member expression so destructured bindings keep a resolvable initializer. */
function memberOf(object: Node, key: string): Node {
  return {
    type: 'MemberExpression',
    object,
    property: { type: 'Identifier', name: key, start: object.start, end: object.end },
    computed: false,
    start: object.start,
    end: object.end,
  };
}

/**
 * Walks one file's tree once and calls every rule's handlers for each node (ESLint-style
 * dispatch). The engine itself maintains scopes, bindings and module aliases before rules see
 * a node, so rules can resolve names without walking again.
 */
export function runRules(ast: Node, rules: JsRule[], ctx: RuleContext): void {
  // Enter and exit handlers live in separate maps so no `Type:exit` key is built per node.
  const dispatch: Dispatch = new Map();
  const exitDispatch: Dispatch = new Map();
  for (const rule of rules) {
    ctx.setRule(rule.meta);
    const visitors = rule.create(ctx);
    // for-in rather than Object.entries: no arrays per rule per file (small files are most files).
    for (const key in visitors) {
      const fn = visitors[key];
      if (!fn) continue;
      const exit = key.endsWith(':exit');
      const table = exit ? exitDispatch : dispatch;
      const type = exit ? key.slice(0, -5) : key;
      let list = table.get(type);
      if (!list) table.set(type, (list = []));
      list.push({ rule: rule.meta, fn });
    }
  }

  const fire = (handlers: Array<{ rule: RuleMeta; fn: (node: Node) => void }>, node: Node) => {
    for (let i = 0; i < handlers.length; i++) {
      const h = handlers[i]!;
      ctx.setRule(h.rule);
      h.fn(node);
    }
  };

  const enterBindings = (node: Node) => {
    switch (node.type) {
      case 'VariableDeclarator': {
        const parent = ctx.parent();
        const kind = (parent?.kind as Binding['kind']) ?? 'var';
        declarePattern(
          ctx,
          node.id,
          kind === 'let' || kind === 'const' ? kind : 'var',
          node.init ?? undefined,
        );
        break;
      }
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        if (node.id?.name)
          ctx.declare({
            name: node.id.name,
            kind: node.type === 'ClassDeclaration' ? 'class' : 'function',
            init: node,
            reassigned: 0,
          });
        break;
      case 'ImportDeclaration': {
        const source = String(node.source?.value ?? '').replace(/^node:/, '');
        if (source.startsWith('.')) ctx.facts.imports.add(source);
        for (const spec of node.specifiers ?? []) {
          const imported =
            spec.type === 'ImportSpecifier' ? (spec.imported?.name ?? spec.imported?.value) : undefined;
          ctx.declare({
            name: spec.local.name,
            kind: 'import',
            module: imported && imported !== 'default' ? `${source}.${imported}` : source,
            reassigned: 0,
          });
        }
        break;
      }
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration': {
        const source = node.source?.value;
        if (typeof source === 'string' && source.startsWith('.')) ctx.facts.imports.add(source);
        break;
      }
      case 'AssignmentExpression': {
        if (node.left?.type === 'Identifier') {
          const b = ctx.lookup(node.left.name);
          if (b) b.reassigned++;
        }
        ctx.taint.onAssign(node);
        const target = ctx.qualify(node.left);
        if (
          target === 'module.exports' ||
          target?.startsWith('exports.') ||
          target?.startsWith('module.exports.')
        )
          ctx.facts.exportTaint = mergeTaint(ctx.facts.exportTaint, ctx.taint.taintOf(node.right));
        break;
      }
      case 'ReturnStatement': {
        // Return tags are only read back through a name bound to the function (`f()` of a local
        // `function f` / `const f = () => ...`): callbacks and methods skip the computation.
        const depths = ctx.functionDepths;
        if (depths.length > 0) {
          const at = depths[depths.length - 1]!;
          const fn = ctx.ancestors[at]!;
          if (callableByName(fn, ctx.ancestors[at - 1])) ctx.taint.onReturn(node, fn);
        }
        break;
      }
      case 'ExportDefaultDeclaration':
        ctx.facts.exportTaint = mergeTaint(ctx.facts.exportTaint, ctx.taint.taintOf(node.declaration));
        break;
      case 'CallExpression':
      case 'ImportExpression': {
        if (node.type === 'CallExpression') {
          ctx.taint.onCall(node);
          ctx.loadTime.onCall(node);
        }
        const spec =
          node.type === 'ImportExpression'
            ? node.source
            : node.callee?.name === 'require'
              ? node.arguments?.[0]
              : undefined;
        if (spec) {
          const value = ctx.evaluateString(spec);
          if (value?.startsWith('.')) ctx.facts.imports.add(value);
        }
        break;
      }
      default:
        break;
    }
  };

  /**
   * `moduleInit`: what the first parameter receives when it is a module (`import(x).then(m => …)`);
   * `onlyParam`: the one parameter the taint is for (a request hook's data), else all of them.
   */
  const declareParams = (fn: Node, taint: Taint | undefined, moduleInit?: Node, onlyParam?: number) => {
    const params: Node[] = fn.params ?? [];
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      declarePattern(ctx, p, 'param', i === 0 ? moduleInit : undefined);
      if (taint && taint.length > 0 && (onlyParam === undefined || onlyParam === i)) {
        const name =
          p.type === 'Identifier' ? p.name : p.type === 'AssignmentPattern' ? p.left?.name : undefined;
        const b = name ? ctx.lookup(name) : undefined;
        if (b) b.taint = taint;
      }
    }
    if (fn.type === 'FunctionExpression' && fn.id?.name) {
      ctx.declare({ name: fn.id.name, kind: 'function', init: fn, reassigned: 0 });
    }
  };

  type Handlers = Array<{ rule: RuleMeta; fn: (node: Node) => void }> | undefined;
  /** Everything the walk needs per node type, resolved with one lookup per node. */
  interface TypeInfo {
    keys: readonly string[];
    enter: Handlers;
    exit: Handlers;
    fn: boolean;
    bindings: boolean;
    /** A call expression some rule handles (the only nodes `directCall` can unwrap). */
    call: boolean;
    /** No children and nothing to do (no handler, binding or scope): the walk skips it. */
    inert: boolean;
  }
  const types = new Map<string, TypeInfo>();
  const infoOf = (node: Node): TypeInfo => {
    let info = types.get(node.type);
    if (!info) {
      info = {
        keys: childKeys(node),
        enter: dispatch.get(node.type),
        exit: exitDispatch.get(node.type),
        fn: FUNCTION_TYPES.has(node.type),
        bindings: BINDING_TYPES.has(node.type),
        call:
          node.type === 'CallExpression' &&
          (dispatch.has('CallExpression') || exitDispatch.has('CallExpression')),
        inert: false,
      };
      info.inert =
        info.keys.length === 0 && !info.enter && !info.exit && !info.fn && !info.bindings && !info.call;
      types.set(node.type, info);
    }
    return info;
  };

  // Identifiers are a third of all nodes; with no identifier handler they are skipped before the
  // call (other inert leaves return at the top of `visit`).
  const skipIdentifiers = !dispatch.has('Identifier') && !exitDispatch.has('Identifier');
  const visit = (node: Node) => {
    const info = infoOf(node);
    if (info.inert) return;
    // A tree deeper than any real code (`a+a+…` two hundred thousand times) would exhaust the stack
    // and with it the whole file's analysis: below the limit the walk stops, the file says so and
    // gets the text-level checks (see `analyzeJavaScriptFile`), and the code above it is analysed.
    if (ctx.ancestors.length >= MAX_WALK_DEPTH) {
      ctx.tooDeep ??= node;
      return;
    }
    if (info.bindings) enterBindings(node);
    if (info.enter) fire(info.enter, node);
    // `cp.exec.call(null, cmd)`, `Reflect.apply(cp.exec, null, [cmd])`: rules also see the direct call.
    const direct = info.call ? directCall(ctx, node) : undefined;
    if (direct && info.enter) fire(info.enter, direct);
    const isFunction = info.fn;
    const isCatch = !isFunction && node.type === 'CatchClause' && !!node.param;
    if (isFunction) {
      const parent = ctx.parent();
      const cbTaint =
        (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') &&
        parent.arguments?.includes(node)
          ? ctx.taint.callbackTaint(parent)
          : undefined;
      // `XMLHttpRequest.prototype.send = function (body) {…}`: the body is the page's data
      const hook =
        parent?.type === 'AssignmentExpression' && parent.right === node
          ? ctx.taint.hookTaint(parent)
          : undefined;
      // `import('x').then((m) => …)`: the callback's first parameter is the module
      const callee = parent?.type === 'CallExpression' ? parent.callee : undefined;
      const imported =
        callee?.type === 'MemberExpression' &&
        !callee.computed &&
        callee.property?.name === 'then' &&
        callee.object?.type === 'ImportExpression' &&
        parent!.arguments[0] === node
          ? callee.object
          : undefined;
      ctx.loadTime.enterFunction(node);
      ctx.pushScope();
      declareParams(node, hook?.taint ?? cbTaint, imported, hook?.param);
    } else if (isCatch) {
      ctx.pushScope();
      declarePattern(ctx, node.param, 'catch');
    }
    ctx.ancestors.push(node);
    if (isFunction) ctx.functionDepths.push(ctx.ancestors.length - 1);
    const keys = info.keys;
    for (let k = 0; k < keys.length; k++) {
      const child = node[keys[k]!];
      if (!child || typeof child !== 'object') continue;
      if (Array.isArray(child)) {
        for (let i = 0; i < child.length; i++) {
          const c = child[i];
          if (c && typeof c.type === 'string' && !(skipIdentifiers && c.type === 'Identifier')) visit(c);
        }
      } else if (typeof child.type === 'string' && !(skipIdentifiers && child.type === 'Identifier'))
        visit(child);
    }
    ctx.ancestors.pop();
    if (isFunction) ctx.functionDepths.pop();
    if (isFunction && callableByName(node, ctx.parent())) ctx.taint.onArrowExit(node);
    if (isFunction || isCatch) ctx.popScope();
    if (direct && info.exit) fire(info.exit, direct);
    if (info.exit) fire(info.exit, node);
  };

  // Hoist top-level function declarations so calls before the declaration resolve.
  for (const stmt of ast.body ?? []) {
    if (stmt.type === 'FunctionDeclaration' && stmt.id?.name) {
      ctx.declare({ name: stmt.id.name, kind: 'function', init: stmt, reassigned: 0 });
    }
  }
  visit(ast);
  const done = dispatch.get('Program:done');
  if (done) fire(done, ast);
}
