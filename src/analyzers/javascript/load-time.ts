import type { RuleContext } from './engine.js';
import type { Node } from './parse.js';
import { FILE_READS, FILE_WRITES, localFunction, NETWORK_CALLS, PROCESS_EXEC } from './rules/helpers.js';

/** Calls whose function argument runs without anyone calling the module's API. */
const IMMEDIATE_CALLEES = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'process.nextTick',
  'process.on',
  'process.once',
  'Promise',
]);
/** Methods whose callback runs as a consequence of the call: promise and array callbacks. */
const IMMEDIATE_METHODS = new Set([
  'then',
  'catch',
  'finally',
  'forEach',
  'map',
  'filter',
  'reduce',
  'some',
  'every',
  'find',
  'findIndex',
  'flatMap',
]);
/** Event subscriptions (`x.on('data', fn)`): the callback runs when what the code started happens. */
const EVENT_METHODS = new Set(['on', 'once', 'addListener', 'addEventListener']);

/**
 * Which functions of one file certainly run when the file is loaded: immediately invoked
 * functions, callbacks of timers, promises, array iteration, events and of the I/O calls the
 * load-time code makes, and named functions that load-time code calls. Everything else (an
 * exported function, a request handler, a method) runs only if someone calls it.
 *
 * This only ever *adds* certainty: a finding outside these functions keeps its file's context.
 * A finding inside them is known to run at load (`evidence.atLoad`); the verdict treats such
 * actions (remote code, droppers, destruction, persistence) like install-time code.
 */
export class LoadTimeTracker {
  /** Function nodes in traversal (pre-)order. */
  private readonly fns: Node[] = [];
  /** Function -> the functions (null: the module's top level) whose running makes it run. */
  private readonly runsWith = new Map<Node, Array<Node | null>>();
  private load: Set<Node> | undefined;

  constructor(private readonly ctx: RuleContext) {}

  private link(fn: Node, from: Node | null): void {
    const list = this.runsWith.get(fn);
    if (list) {
      if (list.length < 16) list.push(from);
    } else this.runsWith.set(fn, [from]);
  }

  /** On entering a function node; the traversal's ancestors end at its parent. */
  enterFunction(fn: Node): void {
    this.fns.push(fn);
    const anc = this.ctx.ancestors;
    const parent = anc[anc.length - 1];
    if (!parent) return;
    const outer = this.ctx.enclosingFunction() ?? null;
    // `(function () {…})()`, `(() => {…})()`, `(function () {…}).call(this)`
    if (parent.type === 'CallExpression' && parent.callee === fn) {
      this.link(fn, outer);
      return;
    }
    if (parent.type === 'MemberExpression' && parent.object === fn && !parent.computed) {
      const call = anc[anc.length - 2];
      const m = parent.property?.name;
      if (call?.type === 'CallExpression' && call.callee === parent && (m === 'call' || m === 'apply'))
        this.link(fn, outer);
      return;
    }
    if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && this.runsCallback(parent))
      this.link(fn, outer);
  }

  /** On a call: a named local function it calls (or hands to a callback API) runs with the caller. */
  onCall(call: Node): void {
    const outer = this.ctx.enclosingFunction() ?? null;
    const target = localFunction(this.ctx, call.callee);
    if (target) this.link(target, outer);
    if (!call.arguments?.length || !this.runsCallback(call)) return;
    for (const a of call.arguments) {
      const fn = localFunction(this.ctx, a);
      if (fn) this.link(fn, outer);
    }
  }

  /** Whether a call runs (eventually, without further calls) the functions passed to it. */
  private runsCallback(call: Node): boolean {
    const name = this.ctx.qualify(call.callee);
    if (name && IMMEDIATE_CALLEES.has(name)) return true;
    if (
      name &&
      (NETWORK_CALLS.has(name) || FILE_READS.has(name) || FILE_WRITES.has(name) || PROCESS_EXEC.has(name))
    )
      return true;
    const callee = call.callee;
    if (callee?.type !== 'MemberExpression' || callee.computed) return false;
    const method = callee.property?.name;
    if (IMMEDIATE_METHODS.has(method)) return true;
    return EVENT_METHODS.has(method) && typeof this.ctx.evaluateString(call.arguments?.[0]) === 'string';
  }

  /** The functions that certainly run at load (computed once, after the traversal). */
  private loadSet(): Set<Node> {
    if (this.load) return this.load;
    const load = new Set<Node>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const fn of this.fns) {
        if (load.has(fn)) continue;
        const from = this.runsWith.get(fn);
        if (from?.some((f) => f === null || load.has(f))) {
          load.add(fn);
          changed = true;
        }
      }
    }
    this.load = load;
    return load;
  }

  /** Whether the code at `offset` certainly runs when the file loads. */
  atLoad(offset: number): boolean {
    // the innermost function around `offset`: in pre-order, the last one that starts before it
    // and has not ended
    let inner: Node | undefined;
    for (let i = this.fns.length - 1; i >= 0; i--) {
      const fn = this.fns[i]!;
      if (fn.start <= offset && offset < fn.end) {
        inner = fn;
        break;
      }
    }
    return inner === undefined || this.loadSet().has(inner);
  }
}
