import type { ArtifactFile, ExecutionContext, Finding, PackageContext, RuleMeta } from '../../core/types.js';
import { type FindingInput, makeCodeFinding, makeFinding } from '../../rules/finding.js';
import { Evaluator } from './evaluate.js';
import type { Node } from './parser.js';

/** Node type -> handler; `module:exit` runs once after the whole file was walked. */
export type PyVisitors = Partial<Record<string, (node: Node) => void>>;

/** A Python rule: catalogue metadata plus a factory of node visitors (same shape as the JS rules). */
export interface PyRule {
  meta: RuleMeta;
  create(ctx: PyContext): PyVisitors;
}

export interface Binding {
  /**
   * `item`: something stored into the name's container (`d[k] = v`, `l.append(v)`): carries taint,
   * never a folded value.
   */
  kind: 'import' | 'assign' | 'augassign' | 'def' | 'class' | 'for' | 'param' | 'item';
  /** Parameters: the function and position. */
  fn?: string;
  index?: number;
  /** Imports: the dotted module or member it names (`base64`, `os.system`). */
  module?: string;
  /** Assignments: the assigned expression. */
  value?: Node;
  /** Where the binding happens (source offset) for "latest assignment before use". */
  at: number;
  /** Enclosing function (start offset of its definition), -1 at module level. */
  scope?: number;
}

/** A finding plus what the analyzer needs to place it in time. */
export interface PyFinding {
  finding: Finding;
  /** Runs when the file is loaded (module/class top level, or a function called from it). */
  loadTime: boolean;
  /** A capability, not a technique: dropped where it only runs on request (runtime). */
  weak: boolean;
  /** Enclosing functions (innermost last), to re-decide loadTime with calls from other files. */
  stack?: string[];
}

export interface ReportInput extends Omit<FindingInput, 'file' | 'line' | 'column' | 'snippet' | 'context'> {
  node: Node;
  /** Mark capability-only findings (dropped when the code does not run at install/import/startup). */
  weak?: boolean;
}

/** Facts about one file shared by rules (filled while walking, read at `module:exit`). */
export interface FileFacts {
  /** Imports as written: absolute dotted names and relative (`level` dots). */
  imports: Array<{ module: string; level: number }>;
  /** Capability name -> first node using it (`download`, `process`, `socket-connect`...). */
  capabilities: Map<string, Node>;
  /** Module names imported anywhere in the file. */
  modules: Set<string>;
}

const FUNCTION_TYPES = new Set(['function_definition']);

/** Per-file context handed to every rule: reporting, name resolution, folding and taint. */
export class PyContext {
  readonly findings: PyFinding[] = [];
  readonly facts: FileFacts = { imports: [], capabilities: new Map(), modules: new Set() };
  readonly bindings = new Map<string, Binding[]>();
  readonly starImports: string[] = [];
  readonly evaluator: Evaluator;
  readonly lines: string[];
  /** Names of functions called from code that runs at load time (closed transitively after the walk). */
  readonly loadCalled = new Set<string>();
  /** Function name -> call nodes that call it (by bare or method name), for parameter taint. */
  readonly callSites = new Map<string, Node[]>();
  /** Function name -> names it calls. */
  readonly callsIn = new Map<string, Set<string>>();
  /** Enclosing function names of the node being visited (innermost last). */
  fnStack: string[] = [];
  /** Start offsets of the enclosing function definitions, parallel to fnStack. */
  scopeIds: number[] = [];
  /** Inside `if __name__ == '__main__':` (runs only as a script). */
  mainGuard = 0;
  private rule: RuleMeta | undefined;
  /** Set by the analyzer: parses decoded code and runs all rules on it, reporting at `node`. */
  reanalyze?: (code: string, node: Node) => Promise<void> | void;
  readonly pending: Array<Promise<void> | void> = [];

  constructor(
    readonly file: ArtifactFile,
    readonly source: string,
    readonly pkg: PackageContext,
    readonly fileContext: ExecutionContext,
    readonly depth = 0,
    readonly origin?: { line: number; column: number; snippet: string; loadTime: boolean },
  ) {
    this.evaluator = new Evaluator(this);
    this.lines = source.split('\n');
  }

  setRule(rule: RuleMeta): void {
    this.rule = rule;
  }

  get path(): string {
    return this.file.path;
  }

  get isSetupPy(): boolean {
    return this.file.path === 'setup.py';
  }

  // ---- bindings ----
  bind(name: string, binding: Binding): void {
    binding.scope ??= this.scopeIds[this.scopeIds.length - 1] ?? -1;
    let list = this.bindings.get(name);
    if (!list) this.bindings.set(name, (list = []));
    list.push(binding);
  }

  /** The function scope a node is in (start offset of the enclosing def), -1 at module level. */
  scopeOf(node: Node): number {
    for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p.startIndex;
    return -1;
  }

  /**
   * Bindings of a name visible from a node: those of its own function if it has any, else the
   * module's, else (closures, class bodies) all of them.
   */
  bindingsFor(name: string, from?: Node): Binding[] | undefined {
    const list = this.bindings.get(name);
    if (!list || !from || list.length === 1) return list;
    let scope = this.scopeOf(from);
    for (;;) {
      const own = list.filter((b) => b.scope === scope);
      if (own.length > 0) return own;
      if (scope === -1) return list;
      scope = -1;
    }
  }

  /** The binding in force at `at` (latest plain binding before it, else the first one). */
  lookup(name: string, at = Number.MAX_SAFE_INTEGER, from?: Node): Binding | undefined {
    const list = this.bindingsFor(name, from);
    if (!list || list.length === 0) return undefined;
    let best: Binding | undefined;
    for (const b of list) if (b.kind !== 'augassign' && b.kind !== 'item' && b.at < at) best = b;
    return best ?? list.find((b) => b.kind !== 'augassign' && b.kind !== 'item') ?? list[0];
  }

  /** Whether the node being visited runs when the file is loaded. */
  loadTime(): boolean {
    if (this.origin) return this.origin.loadTime;
    if (this.mainGuard > 0) return false;
    return this.fnStack.every((f) => this.loadCalled.has(f));
  }

  // ---- names and values ----
  qualify(node: Node | null | undefined): string | undefined {
    return this.evaluator.qualify(node);
  }

  /** Qualified callee of a `call` node. */
  callee(call: Node): string | undefined {
    return this.evaluator.qualify(call.childForFieldName('function'));
  }

  evaluate(node: Node | null | undefined) {
    return this.evaluator.evaluate(node);
  }

  evaluateString(node: Node | null | undefined): string | undefined {
    return this.evaluator.evaluateString(node);
  }

  taint(node: Node | null | undefined): Set<string> {
    return this.evaluator.taint(node);
  }

  /** Positional and keyword arguments of a call. */
  args(call: Node): { positional: Node[]; keywords: Map<string, Node> } {
    const list = call.childForFieldName('arguments');
    const positional: Node[] = [];
    const keywords = new Map<string, Node>();
    if (!list) return { positional, keywords };
    if (list.type !== 'argument_list') return { positional: [list], keywords };
    for (const a of list.namedChildren) {
      if (!a) continue;
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (k && v) keywords.set(k, v);
      } else if (a.type !== 'comment') positional.push(a);
    }
    return { positional, keywords };
  }

  capability(name: string, node: Node): void {
    if (!this.facts.capabilities.has(name)) this.facts.capabilities.set(name, node);
  }

  // ---- reporting ----
  snippetOf(node: Node): string {
    const line = this.lines[node.startPosition.row] ?? '';
    if (line.length <= 200) return line;
    const col = node.startPosition.column;
    return line.slice(Math.max(0, col - 40), col + 160);
  }

  report(input: ReportInput): void {
    if (!this.rule) throw new Error('report() outside a rule');
    const { node, weak, ...rest } = input;
    const where = this.origin ?? {
      line: node.startPosition.row + 1,
      column: node.startPosition.column + 1,
      snippet: this.snippetOf(node),
    };
    const finding = makeCodeFinding(
      this.rule,
      rest,
      { file: this.file.path, context: this.fileContext, location: where },
      this.depth > 0 ? { depth: this.depth, snippet: this.snippetOf(node) } : undefined,
    );
    this.findings.push({ finding, ...this.placement(node), weak: !!weak });
  }

  /** When a node runs, from its own ancestry (also right for reports made after the walk). */
  private placement(node: Node): { loadTime: boolean; stack?: string[] } {
    if (this.origin) return { loadTime: this.origin.loadTime };
    const stack: string[] = [];
    for (let p = node.parent; p; p = p.parent) {
      if (isMainGuard(p)) return { loadTime: false };
      if (p.type === 'function_definition') stack.unshift(p.childForFieldName('name')?.text ?? '<fn>');
    }
    return { loadTime: stack.every((f) => this.loadCalled.has(f)), stack };
  }

  /** Names called at load time that this file imported from elsewhere (`from .x import f; f()`). */
  externalLoadCalls(): string[] {
    const out: string[] = [];
    // Everything setup.py calls runs at install, including from cmdclass methods.
    const names = new Set(this.loadCalled);
    if (this.isSetupPy) for (const set of this.callsIn.values()) for (const n of set) names.add(n);
    for (const name of names) {
      const b = this.lookup(name);
      if (b?.kind === 'import') out.push(b.module?.split('.').pop() ?? name);
    }
    return out;
  }

  /** Adds a finding built elsewhere (shared IOC helpers), placed at `node`. */
  reportFinding(finding: Finding, node: Node, weak = false): void {
    const where = this.origin ?? {
      line: node.startPosition.row + 1,
      column: node.startPosition.column + 1,
      snippet: this.snippetOf(node),
    };
    finding.file = this.file.path;
    finding.line = where.line;
    finding.column = where.column;
    finding.snippet = makeFinding(this.rule ?? ({} as RuleMeta), { snippet: where.snippet }).snippet;
    finding.context = this.fileContext;
    this.findings.push({ finding, ...this.placement(node), weak });
  }

  /** Reports without a node (file-level facts), at line 1 or the given line. */
  reportFile(
    input: Omit<ReportInput, 'node'> & { line?: number; snippet?: string; loadTime?: boolean },
  ): void {
    if (!this.rule) throw new Error('report() outside a rule');
    const { weak, line, snippet, loadTime, ...rest } = input;
    const finding = makeFinding(this.rule, {
      ...rest,
      file: this.file.path,
      line: this.origin?.line ?? line ?? 1,
      snippet: this.origin?.snippet ?? snippet,
      context: this.fileContext,
    });
    this.findings.push({ finding, loadTime: loadTime ?? this.origin?.loadTime ?? true, weak: !!weak });
  }
}

function isMainGuard(node: Node): boolean {
  if (node.type !== 'if_statement') return false;
  const cond = node.childForFieldName('condition');
  return !!cond && /^__name__\s*==\s*['"]__main__['"]$|^['"]__main__['"]\s*==\s*__name__$/.test(cond.text);
}

/** Records what a statement binds (imports, assignments, defs) before rules see its nodes. */
function bindNode(ctx: PyContext, node: Node): void {
  switch (node.type) {
    case 'import_statement':
      for (const child of node.namedChildren) {
        if (!child) continue;
        if (child.type === 'dotted_name') {
          const full = child.text;
          ctx.facts.imports.push({ module: full, level: 0 });
          ctx.facts.modules.add(full);
          const top = full.split('.')[0]!;
          ctx.bind(top, { kind: 'import', module: top, at: node.startIndex });
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text;
          const alias = child.childForFieldName('alias')?.text;
          if (name && alias) {
            ctx.facts.imports.push({ module: name, level: 0 });
            ctx.facts.modules.add(name);
            ctx.bind(alias, { kind: 'import', module: name, at: node.startIndex });
          }
        }
      }
      break;
    case 'import_from_statement': {
      const modNode = node.childForFieldName('module_name');
      let module = '';
      let level = 0;
      if (modNode?.type === 'relative_import') {
        const text = modNode.text;
        level = /^\.+/.exec(text)?.[0].length ?? 0;
        module = text.slice(level);
      } else if (modNode) module = modNode.text;
      if (level === 0) ctx.facts.modules.add(module);
      const names = node.childrenForFieldName('name');
      if (names.length === 0 && node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
        if (level === 0) ctx.starImports.push(module);
        ctx.facts.imports.push({ module, level });
      }
      for (const n of names) {
        if (!n) continue;
        const imported = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
        if (!imported || !local) continue;
        const full = module ? `${module}.${imported}` : imported;
        // `from pkg import sub` may name a submodule: record both for context propagation.
        ctx.facts.imports.push({ module: full, level });
        if (module) ctx.facts.imports.push({ module, level });
        ctx.bind(local.split('.')[0]!, {
          kind: 'import',
          module: level > 0 ? `.${full}` : full,
          at: node.startIndex,
        });
      }
      break;
    }
    case 'with_statement': {
      // `with open(p) as f` / `with urlopen(u) as r`: the name holds what the context manager gives.
      for (const item of node.descendantsOfType('with_item')) {
        const pattern = item?.namedChildren[0];
        if (pattern?.type !== 'as_pattern') continue;
        const value = pattern.namedChildren[0];
        const target = pattern.childForFieldName('alias') ?? pattern.namedChildren[1];
        const id = target?.type === 'as_pattern_target' ? target.namedChildren[0] : target;
        if (value && id?.type === 'identifier')
          ctx.bind(id.text, { kind: 'assign', value, at: node.startIndex });
      }
      break;
    }
    case 'call': {
      // `items.append(v)`, `d.update(v)`: v is now in the container (taint only).
      const fn = node.childForFieldName('function');
      const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (obj?.type === 'identifier' && method && /^(append|extend|update|add|insert)$/.test(method)) {
        const args = node
          .childForFieldName('arguments')
          ?.namedChildren.filter((a) => a && a.type !== 'comment');
        const value = args?.[method === 'insert' ? 1 : 0];
        if (value) ctx.bind(obj.text, { kind: 'item', value, at: node.startIndex });
      }
      break;
    }
    case 'assignment': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left?.type === 'subscript' && right) {
        // `d[k] = v`: the container now carries v's taint.
        let base: Node | null = left.childForFieldName('value');
        while (base?.type === 'subscript') base = base.childForFieldName('value');
        if (base?.type === 'identifier')
          ctx.bind(base.text, { kind: 'item', value: right, at: node.startIndex });
      } else if (
        left?.type === 'attribute' &&
        right &&
        left.childForFieldName('object')?.text === 'self' &&
        left.childForFieldName('attribute')
      ) {
        // `self.data = value`: instance attributes read elsewhere in the class as `self.data`.
        ctx.bind(`self.${left.childForFieldName('attribute')!.text}`, {
          kind: 'assign',
          value: right,
          at: node.startIndex,
          scope: -2,
        });
      }
      if (left?.type === 'identifier' && right) {
        // `a = b = value`: the right side may itself be an assignment
        let value: Node = right;
        while (value.type === 'assignment' && value.childForFieldName('right'))
          value = value.childForFieldName('right')!;
        ctx.bind(left.text, { kind: 'assign', value, at: node.startIndex });
      } else if (left && right && (left.type === 'pattern_list' || left.type === 'tuple_pattern')) {
        const targets = left.namedChildren;
        const values = right.type === 'expression_list' || right.type === 'tuple' ? right.namedChildren : [];
        targets.forEach((t, i) => {
          if (t?.type === 'identifier')
            ctx.bind(t.text, { kind: 'assign', value: values[i] ?? undefined, at: node.startIndex });
        });
      }
      break;
    }
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text;
      if (left?.type === 'identifier' && right && op === '+=')
        ctx.bind(left.text, { kind: 'augassign', value: right, at: node.startIndex });
      break;
    }
    case 'function_definition':
    case 'class_definition': {
      const name = node.childForFieldName('name')?.text;
      if (name && node.type === 'function_definition') {
        const params = node.childForFieldName('parameters')?.namedChildren ?? [];
        let index = 0;
        for (const p of params) {
          if (!p) continue;
          const id =
            p.type === 'identifier'
              ? p
              : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
          if (id?.type === 'identifier' && id.text !== 'self' && id.text !== 'cls') {
            ctx.bind(id.text, {
              kind: 'param',
              fn: name,
              index,
              at: node.startIndex,
              scope: node.startIndex,
            });
          }
          if (id?.text !== 'self' && id?.text !== 'cls') index++;
        }
      }
      if (name)
        ctx.bind(name, {
          kind: node.type === 'class_definition' ? 'class' : 'def',
          value: node,
          at: node.startIndex,
        });
      break;
    }
    case 'for_statement':
    case 'for_in_clause': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left?.type === 'identifier' && right)
        ctx.bind(left.text, { kind: 'for', value: right, at: node.startIndex });
      else if (
        right &&
        node.type === 'for_statement' &&
        (left?.type === 'pattern_list' || left?.type === 'tuple_pattern')
      )
        // `for b, k in zip(data, key)`: each name carries what is iterated (taint only).
        for (const t of left.namedChildren)
          if (t?.type === 'identifier') ctx.bind(t.text, { kind: 'for', value: right, at: node.startIndex });
      break;
    }
    default:
      break;
  }
}

/** Callees that run a function handed to them (position of the function argument). */
const CALLBACK_RUNNERS: Record<string, number> = {
  Timer: 1,
  start_new_thread: 0,
  submit: 0,
  run_in_executor: 1,
  call_soon: 0,
  call_later: 1,
  apply_async: 0,
};

/** The last name of a function reference (`init`, `self.run` -> `run`). */
function refName(node: Node | null | undefined): string | undefined {
  if (node?.type === 'identifier') return node.text;
  if (node?.type === 'attribute') return node.childForFieldName('attribute')?.text;
  return undefined;
}

/**
 * Functions a call hands over to be run: `target=` of Thread/Process, `atexit.register(f)`,
 * `threading.Timer(t, f)`, `_thread.start_new_thread(f, ())`, `executor.submit(f)`. A thread
 * started at import runs its target at import, so its body is load-time code.
 */
function callbackTargets(call: Node): string[] {
  const out: string[] = [];
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return out;
  const list = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
  for (const a of list) {
    if (a.type !== 'keyword_argument' || a.childForFieldName('name')?.text !== 'target') continue;
    const name = refName(a.childForFieldName('value'));
    if (name) out.push(name);
  }
  const fn = call.childForFieldName('function');
  const callee = refName(fn);
  const positional = list.filter((a) => a.type !== 'keyword_argument');
  const index =
    fn?.text === 'atexit.register'
      ? 0
      : callee && Object.hasOwn(CALLBACK_RUNNERS, callee)
        ? CALLBACK_RUNNERS[callee]
        : undefined;
  if (index !== undefined) {
    const name = refName(positional[index]);
    if (name) out.push(name);
  }
  return out;
}

/** Records a call of `name` from the current function (or from module load, outside `__main__`). */
function noteCall(ctx: PyContext, name: string): void {
  const current = ctx.fnStack[ctx.fnStack.length - 1];
  if (current === undefined) {
    if (ctx.mainGuard === 0) ctx.loadCalled.add(name);
    return;
  }
  let set = ctx.callsIn.get(current);
  if (!set) ctx.callsIn.set(current, (set = new Set()));
  set.add(name);
}

type Handler = { rule: RuleMeta; fn: (node: Node) => void };

/**
 * Walks one tree once: bindings are recorded in source order (Python's own order), handlers for
 * module-level nodes run at once, and handlers for nodes inside functions run after the walk,
 * when every global and every call from load-time code is known. `module:exit` runs last.
 */
export function runPyRules(root: Node, rules: PyRule[], ctx: PyContext): void {
  const dispatch = new Map<string, Handler[]>();
  for (const rule of rules) {
    ctx.setRule(rule.meta);
    const visitors = rule.create(ctx);
    for (const [type, fn] of Object.entries(visitors)) {
      if (!fn) continue;
      let list = dispatch.get(type);
      if (!list) dispatch.set(type, (list = []));
      list.push({ rule: rule.meta, fn });
    }
  }
  const fire = (node: Node) => {
    const handlers = dispatch.get(node.type);
    if (!handlers) return;
    for (const h of handlers) {
      ctx.setRule(h.rule);
      h.fn(node);
    }
  };
  const deferred: Array<{ node: Node; fnStack: string[]; mainGuard: number }> = [];

  const exits: Array<() => void> = [];
  // Iterative pre-order walk with explicit exit actions for scope tracking.
  const visit = (node: Node) => {
    bindNode(ctx, node);
    if (node.type === 'call') {
      const name = refName(node.childForFieldName('function'));
      if (name) {
        let sites = ctx.callSites.get(name);
        if (!sites) ctx.callSites.set(name, (sites = []));
        if (sites.length < 50) sites.push(node);
        noteCall(ctx, name);
      }
      // `Thread(target=init).start()`, `atexit.register(f)`, `Timer(1, f)`: f runs as if called here.
      for (const target of callbackTargets(node)) noteCall(ctx, target);
    }
    if (node.type === 'decorator' && ctx.fnStack.length === 0 && ctx.mainGuard === 0) {
      // Decorators run when the module is loaded: `@register` calls register(f) at import.
      const expr = node.namedChildren[0];
      const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      const name =
        target?.type === 'identifier'
          ? target.text
          : target?.type === 'attribute'
            ? target.childForFieldName('attribute')?.text
            : undefined;
      if (name) ctx.loadCalled.add(name);
    }
    if (dispatch.has(node.type)) {
      if (ctx.fnStack.length === 0) fire(node);
      else deferred.push({ node, fnStack: [...ctx.fnStack], mainGuard: ctx.mainGuard });
    }
  };

  const enter = (node: Node): number => {
    let pushed = 0;
    if (FUNCTION_TYPES.has(node.type)) {
      ctx.fnStack.push(node.childForFieldName('name')?.text ?? '<fn>');
      ctx.scopeIds.push(node.startIndex);
      pushed |= 1;
    }
    if (isMainGuard(node)) {
      ctx.mainGuard++;
      pushed |= 2;
    }
    return pushed;
  };
  const leave = (flags: number) => {
    if (flags & 1) {
      ctx.fnStack.pop();
      ctx.scopeIds.pop();
    }
    if (flags & 2) ctx.mainGuard--;
  };

  // Iterative pre-order walk (obfuscated code nests deeper than the JS stack allows).
  const stack: Array<{ node: Node; flags: number; next: number }> = [];
  visit(root);
  stack.push({ node: root, flags: enter(root), next: 0 });
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const child = top.node.children[top.next++];
    if (child) {
      visit(child);
      stack.push({ node: child, flags: enter(child), next: 0 });
    } else {
      leave(top.flags);
      stack.pop();
    }
  }
  for (const fn of exits) fn();

  // Close load-time calls transitively: a function called from one that runs at load runs too.
  const queue = [...ctx.loadCalled];
  while (queue.length > 0) {
    const f = queue.pop()!;
    for (const g of ctx.callsIn.get(f) ?? []) {
      if (!ctx.loadCalled.has(g)) {
        ctx.loadCalled.add(g);
        queue.push(g);
      }
    }
  }
  for (const d of deferred) {
    ctx.fnStack = d.fnStack;
    ctx.mainGuard = d.mainGuard;
    fire(d.node);
  }
  ctx.fnStack = [];
  ctx.mainGuard = 0;
  const done = dispatch.get('module:exit') ?? [];
  for (const h of done) {
    ctx.setRule(h.rule);
    h.fn(root);
  }
}
