import type { RuleMeta, Severity } from '../../../core/types.js';
import { analyzeCommand } from '../../shell/command.js';
import type { FileFacts, RuleContext } from '../engine.js';
import { FUNCTION_TYPES, type Node } from '../parse.js';
import {
  fixedRemoteUrl,
  hasStrongSecret,
  remoteUrl,
  type SinkKind,
  type Taint,
  type TaintKind,
} from '../taint.js';
import { downloadToDisk } from './download-to-disk.js';
import { isShadyLocation, localFunction, preview } from './helpers.js';
import { processExec } from './process-exec.js';
import { reconBeacon } from './recon-beacon.js';
import { remoteCode } from './remote-code.js';
import { secretExfiltration } from './secret-exfiltration.js';

/**
 * Sink wrappers: functions whose parameters reach a sink (`(d) => https.request(o).end(d)`,
 * `function run(cmd) { execSync(cmd) }`). The engine's taint layer follows values *out* of
 * functions (returns); this follows them *in*: a call that passes secrets, host data or a remote
 * response to such a function is the flow, reported at the call. Works in one file and across the
 * package's own modules (`require('./send')(process.env)`, `exports.x = function`, ESM
 * `export function`), resolved once every file is analysed (index.ts `resolveModuleFlows`).
 *
 * Cost: sinks inside functions (rare) and calls of local or package-module functions; no extra
 * traversal.
 */

/** A sink reached by one parameter of a function. */
export interface ParamSink {
  param: number;
  kind: SinkKind;
  callee: string;
  line: number;
  snippet: string;
}

/** What a call passes in one argument: source tags, or the constant string it folds to. */
export interface ArgInfo {
  taint: Taint;
  value?: string;
}

/** A call of a package-module function (`require('./send')(x)`), resolved after all files. */
export interface ModuleCall {
  /** Qualified callee: `./send` (the module value) or `./lib.send` (an export of it). */
  spec: string;
  args: ArgInfo[];
  line: number;
  column: number;
  snippet: string;
}

export interface FunctionSinkFacts {
  /** Export name (`default` = the module value itself) -> sinks its parameters reach. */
  exports: Map<string, ParamSink[]>;
  calls: ModuleCall[];
}

/** Per-file facts, keyed by the file's FileFacts (read by index.ts after the traversal). */
export const FUNCTION_SINK_FACTS = new WeakMap<FileFacts, FunctionSinkFacts>();

const FLOW_KINDS = new Set<TaintKind>([
  'env',
  'secret',
  'browser-data',
  'fingerprint',
  'command-output',
  'remote',
]);
const STRINGISH = new Set(['Literal', 'StringLiteral', 'TemplateLiteral', 'BinaryExpression', 'Identifier']);
const EXEC_COMMAND_ONLY = /\.(exec|execSync)$/;

export interface FlowVerdict {
  rule: RuleMeta;
  severity: Severity;
  confidence: 'low' | 'medium' | 'high';
  category?: RuleMeta['category'];
  message: string;
  sources: Taint;
  /** Command techniques (shell/command.ts ids) when a constant command line reaches the wrapper. */
  techniques?: string[];
}

/** What a source reaching a sink through a wrapper means: the same rules as direct flows. */
export function classifyWrapperFlow(
  taint: Taint,
  sink: { kind: SinkKind; callee: string },
  via: string,
): FlowVerdict | undefined {
  const secrets = taint.filter((s) => s.kind === 'env' || s.kind === 'secret' || s.kind === 'browser-data');
  const host = taint.filter((s) => s.kind === 'fingerprint' || s.kind === 'command-output');
  const remote = taint.filter((s) => s.kind === 'remote');
  const what = (t: Taint) => t.map((s) => s.what).join(', ');
  // A command line carries secrets out only when it is handed a credential itself (a token file,
  // `gh auth token` output): environment objects reach process wrappers as spawn options and
  // child handles all the time.
  const credentials = secrets.filter((s) => s.kind === 'secret' && !s.what.startsWith('process.env'));
  if (sink.kind === 'exec' && credentials.length > 0)
    return {
      rule: secretExfiltration.meta,
      severity: 'high',
      confidence: 'medium',
      message: `Passes ${what(credentials)} to ${via}, which puts it on a command line (${sink.callee}).`,
      sources: credentials,
    };
  if (secrets.length > 0 && (sink.kind === 'network' || sink.kind === 'dns')) {
    const strong = hasStrongSecret(secrets);
    // `process.env[name]` is one variable chosen at run time, most often configuration (a mirror
    // URL): inside a wrapper the analyzer does not see whether it becomes the request's address
    // or its payload, so it is not reported there (chromedriver's installer passes its CDN URL
    // setting to the methods that request it). Sent directly, it still is.
    if (!strong && secrets.every((s) => s.what === 'process.env[*]')) return undefined;
    return {
      rule: secretExfiltration.meta,
      severity: strong ? 'critical' : 'high',
      confidence: strong ? 'high' : 'medium',
      message: `Passes ${what(secrets)} to ${via}, which sends it out through ${sink.callee}.`,
      sources: secrets,
    };
  }
  // the home folder and working directory name where a tool keeps its state (telemetry ids,
  // HashiCorp's checkpoint); the host's name, user and interfaces identify the victim
  const identifying = host.filter((s) => !/homedir|cwd|tmpdir/.test(s.what));
  if (host.length > 0 && (sink.kind === 'network' || sink.kind === 'dns'))
    return {
      rule: reconBeacon.meta,
      severity: sink.kind === 'dns' || (host.length >= 2 && identifying.length > 0) ? 'high' : 'medium',
      confidence: 'medium',
      message: `Passes host data (${what(host)}) to ${via}, which sends it out through ${sink.callee}.`,
      sources: host,
    };
  if (remote.length > 0 && (sink.kind === 'code' || sink.kind === 'exec'))
    return {
      rule: remoteCode.meta,
      severity: 'critical',
      confidence: 'high',
      message: `Passes data fetched from the network (${what(remote)}) to ${via}, which runs it with ${sink.callee}.`,
      sources: remote,
    };
  if (remote.length > 0 && sink.kind === 'file-write') {
    const shady = remote.some((s) => isShadyLocation(remoteUrl(s)));
    return {
      rule: downloadToDisk.meta,
      severity: shady ? 'high' : 'medium',
      confidence: 'medium',
      message: `Passes data fetched from the network (${what(remote)}) to ${via}, which writes it to disk with ${sink.callee}.`,
      sources: remote,
    };
  }
  return undefined;
}

/** A constant command handed to an exec wrapper: analysed like a command line run in place. */
export function classifyWrapperCommand(
  command: string,
  sink: { kind: SinkKind; callee: string },
  via: string,
): FlowVerdict | undefined {
  if (sink.kind !== 'exec') return undefined;
  const techniques = analyzeCommand(command).filter(
    (t) => t.severity === 'high' || t.severity === 'critical',
  );
  const worst = techniques.find((t) => t.severity === 'critical') ?? techniques[0];
  if (!worst) return undefined;
  return {
    rule: processExec.meta,
    severity: worst.severity,
    confidence: 'high',
    category: worst.category,
    message: `Runs \`${preview(command)}\` through ${via} (${sink.callee}), which ${worst.description}.`,
    sources: [],
    techniques: techniques.map((t) => t.id),
  };
}

/** Names (bindings declared as parameters) an expression derives from, through local variables. */
function paramNames(ctx: RuleContext, n: Node | undefined | null, out: Set<string>, depth: number): void {
  if (!n || depth > 6 || out.size > 8) return;
  switch (n.type) {
    case 'Identifier': {
      const b = ctx.lookup(n.name);
      if (!b) return;
      if (b.kind === 'param') out.add(n.name);
      else if (b.init && (b.kind === 'const' || b.kind === 'let' || b.kind === 'var'))
        paramNames(ctx, b.init, out, depth + 1);
      return;
    }
    case 'MemberExpression':
      paramNames(ctx, n.object, out, depth + 1);
      return;
    case 'CallExpression':
    case 'NewExpression':
      for (const a of n.arguments ?? []) if (!FUNCTION_TYPES.has(a.type)) paramNames(ctx, a, out, depth + 1);
      if (n.callee?.type === 'MemberExpression') paramNames(ctx, n.callee.object, out, depth + 1);
      return;
    case 'TemplateLiteral':
      for (const e of n.expressions ?? []) paramNames(ctx, e, out, depth + 1);
      return;
    case 'BinaryExpression':
    case 'LogicalExpression':
      paramNames(ctx, n.left, out, depth + 1);
      paramNames(ctx, n.right, out, depth + 1);
      return;
    case 'ConditionalExpression':
      paramNames(ctx, n.consequent, out, depth + 1);
      paramNames(ctx, n.alternate, out, depth + 1);
      return;
    case 'ObjectExpression':
      for (const p of n.properties ?? [])
        paramNames(ctx, p.type === 'SpreadElement' ? p.argument : p.value, out, depth + 1);
      return;
    case 'ArrayExpression':
      for (const e of n.elements ?? []) paramNames(ctx, e, out, depth + 1);
      return;
    case 'SpreadElement':
    case 'AwaitExpression':
    case 'UnaryExpression':
      paramNames(ctx, n.argument, out, depth + 1);
      return;
    case 'AssignmentExpression':
      paramNames(ctx, n.right, out, depth + 1);
      return;
    case 'SequenceExpression':
      paramNames(ctx, n.expressions?.[n.expressions.length - 1], out, depth + 1);
      return;
    case 'ParenthesizedExpression':
    case 'ChainExpression':
    case 'TSAsExpression':
    case 'TSNonNullExpression':
      paramNames(ctx, n.expression, out, depth + 1);
      return;
    default:
      return;
  }
}

function paramIndex(fn: Node, name: string): number {
  const params: Node[] = fn.params ?? [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const id = p.type === 'AssignmentPattern' ? p.left : p.type === 'RestElement' ? p.argument : p;
    if (id?.type === 'Identifier' && id.name === name) return i;
  }
  return -1;
}

/** The expressions whose data a sink consumes (not its options or callbacks). */
function sinkInputs(node: Node, kind: SinkKind, callee: string): Node[] {
  const args: Node[] = (node.arguments ?? []).filter((a: Node) => !FUNCTION_TYPES.has(a.type));
  if (callee === 'pipe') return node.callee?.object ? [node.callee.object] : [];
  switch (kind) {
    case 'exec':
      return EXEC_COMMAND_ONLY.test(callee) ? args.slice(0, 1) : args.slice(0, 2);
    case 'file-write':
      return callee.endsWith('createWriteStream') ? [] : args.slice(1);
    default:
      return args;
  }
}

interface LocalCall {
  fn: Node;
  node: Node;
  args: ArgInfo[];
  name: string;
}

/** Visitors (merged into JS-010's) that record sink wrappers, exports and calls with tagged input. */
export function functionSinkVisitors(ctx: RuleContext) {
  const fnSinks = new Map<Node, ParamSink[]>();
  const exported: Array<{ name: string; fn: Node }> = [];
  const localCalls: LocalCall[] = [];
  const moduleCalls: ModuleCall[] = [];

  const functionOf = (node: Node | undefined): Node | undefined => {
    if (!node) return undefined;
    if (FUNCTION_TYPES.has(node.type)) return node;
    return node.type === 'Identifier' ? localFunction(ctx, node) : undefined;
  };
  /**
   * The function a method call runs, when the object is written in this file: `o.m()` of
   * `const o = { m() {} }`, `new C().m()` and `c.m()` of `const c = new C()`, `C.m()`, `this.m()`
   * inside class C.
   */
  /** The class whose method the traversal is in (`this` of a method; arrows keep it). */
  const enclosingClass = (): Node | undefined => {
    for (let i = ctx.ancestors.length - 1; i >= 0; i--) {
      const a = ctx.ancestors[i]!;
      if (a.type === 'ClassBody') return ctx.ancestors[i - 1];
      // an ordinary function has its own `this`
      if (
        a.type === 'FunctionDeclaration' ||
        (a.type === 'FunctionExpression' && ctx.ancestors[i - 1]?.type !== 'MethodDefinition')
      )
        return undefined;
    }
    return undefined;
  };
  const methodOf = (callee: Node | undefined): Node | undefined => {
    if (callee?.type !== 'MemberExpression' || callee.computed) return undefined;
    const name = callee.property?.name;
    if (typeof name !== 'string') return undefined;
    let obj: Node | undefined = callee.object;
    if (obj?.type === 'ThisExpression') obj = enclosingClass();
    for (let hops = 0; hops < 2 && obj; hops++) {
      if (obj.type === 'Identifier') {
        const b = ctx.lookup(obj.name);
        obj = b?.reassigned === 0 ? b.init : undefined;
      } else if (obj.type === 'NewExpression' && obj.callee?.type === 'Identifier') {
        const b = ctx.lookup(obj.callee.name);
        obj = b?.reassigned === 0 ? b.init : undefined;
      } else break;
    }
    if (obj?.type === 'ObjectExpression') {
      for (const p of obj.properties ?? []) {
        if (p.type === 'Property' && !p.computed && (p.key?.name ?? p.key?.value) === name)
          return FUNCTION_TYPES.has(p.value?.type) ? p.value : undefined;
      }
    }
    if (obj?.type === 'ClassDeclaration' || obj?.type === 'ClassExpression') {
      for (const m of obj.body?.body ?? []) {
        if (m.type === 'MethodDefinition' && !m.computed && m.key?.name === name) return m.value;
      }
    }
    return undefined;
  };
  const exportObject = (obj: Node) => {
    for (const p of obj.properties ?? []) {
      if (p.type !== 'Property' && p.type !== 'ObjectProperty') continue;
      const key = p.computed ? ctx.evaluateString(p.key) : (p.key?.name ?? p.key?.value);
      const fn = functionOf(p.value);
      if (typeof key === 'string' && fn) exported.push({ name: key, fn });
    }
  };
  const info = (a: Node): ArgInfo => {
    if (a.type === 'SpreadElement' || FUNCTION_TYPES.has(a.type) || a.type === 'ThisExpression')
      return { taint: [] };
    const literal = a.type === 'Literal' || a.type === 'StringLiteral';
    const tags = literal ? [] : ctx.taint.taintOf(a);
    const taint = tags.length === 0 ? [] : tags.filter((s) => FLOW_KINDS.has(s.kind));
    // only string-shaped expressions can be a command line
    const value = taint.length === 0 && STRINGISH.has(a.type) ? ctx.evaluateString(a) : undefined;
    return value !== undefined && value.length <= 2000 ? { taint, value } : { taint };
  };
  /** Per-argument tags and folded strings, or undefined when no argument carries either. */
  const argInfo = (args: Node[]): ArgInfo[] | undefined => {
    const out = args.map(info);
    return out.some((a) => a.taint.length > 0 || a.value !== undefined) ? out : undefined;
  };

  const onCall = (node: Node) => {
    // 1. a sink inside a function: which of the enclosing functions' parameters reach it
    if (ctx.ancestors.length > 1) {
      const sink = ctx.taint.sinkOf(node);
      if (sink) {
        const names = new Set<string>();
        for (const input of sinkInputs(node, sink.kind, sink.callee)) paramNames(ctx, input, names, 0);
        for (const name of names) {
          for (let i = ctx.ancestors.length - 1; i >= 0; i--) {
            const fn = ctx.ancestors[i]!;
            if (!FUNCTION_TYPES.has(fn.type)) continue;
            const idx = paramIndex(fn, name);
            if (idx < 0) continue;
            const list = fnSinks.get(fn) ?? [];
            if (list.length < 8 && !list.some((s) => s.param === idx && s.callee === sink.callee)) {
              const at = ctx.where(node);
              list.push({
                param: idx,
                kind: sink.kind,
                callee: sink.callee,
                line: at.line,
                snippet: at.snippet,
              });
            }
            fnSinks.set(fn, list);
            break;
          }
        }
      }
    }
    // 2. calls of local functions and of package-module functions
    const callee = node.callee;
    if (!node.arguments?.length) return;
    const fn = callee?.type === 'Identifier' ? functionOf(callee) : methodOf(callee);
    if (fn) {
      // Only calls of wrappers (or of functions not traversed yet: hoisted declarations) matter;
      // calls of ordinary local functions cost one map lookup.
      if (!fnSinks.has(fn) && (fn.start ?? 0) < (node.start ?? 0)) return;
      if (localCalls.length >= 200) return;
      const args = argInfo(node.arguments);
      const name =
        callee.type === 'Identifier' ? callee.name : ctx.source.slice(callee.start, callee.end).slice(0, 60);
      if (args) localCalls.push({ fn, node, args, name });
      return;
    }
    // package-module functions: only in files that load a relative module
    // (`require('./x')(…)` is visited before its inner require records the import)
    if ((ctx.facts.imports.size === 0 && callee?.type !== 'CallExpression') || moduleCalls.length >= 200)
      return;
    const q = ctx.qualify(callee);
    if (!q?.startsWith('.')) return;
    const args = argInfo(node.arguments);
    if (!args) return;
    const at = ctx.where(node);
    moduleCalls.push({ spec: q, args, line: at.line, column: at.column, snippet: at.snippet });
  };

  return {
    CallExpression: onCall,
    NewExpression: onCall,
    AssignmentExpression(node: Node) {
      if (node.operator !== '=' || node.left?.type !== 'MemberExpression') return;
      const target = ctx.qualify(node.left);
      if (!target) return;
      if (target === 'module.exports') {
        const fn = functionOf(node.right);
        if (fn) exported.push({ name: 'default', fn });
        else if (node.right?.type === 'ObjectExpression') exportObject(node.right);
        return;
      }
      const m = /^(?:module\.)?exports\.([\w$]+)$/.exec(target);
      const fn = m ? functionOf(node.right) : undefined;
      if (m && fn) exported.push({ name: m[1]!, fn });
    },
    ExportNamedDeclaration(node: Node) {
      const d = node.declaration;
      if (d?.type === 'FunctionDeclaration' && d.id?.name) exported.push({ name: d.id.name, fn: d });
      else if (d?.type === 'VariableDeclaration')
        for (const v of d.declarations ?? []) {
          const fn = functionOf(v.init);
          if (v.id?.type === 'Identifier' && fn) exported.push({ name: v.id.name, fn });
        }
      if (node.source) return;
      for (const spec of node.specifiers ?? []) {
        const fn = functionOf(spec.local);
        const name = spec.exported?.name ?? spec.exported?.value;
        if (fn && typeof name === 'string') exported.push({ name, fn });
      }
    },
    ExportDefaultDeclaration(node: Node) {
      const fn = functionOf(node.declaration);
      if (fn) exported.push({ name: 'default', fn });
    },
    'Program:exit'(_node: Node) {
      // same-file wrappers: `function send(d) {...}; send(process.env)`
      const seen = new Set<string>();
      for (const call of localCalls) {
        const sinks = fnSinks.get(call.fn);
        if (!sinks) continue;
        for (const sink of sinks) {
          const arg = call.args[sink.param];
          if (!arg) continue;
          const via = `${call.name}()`;
          const verdict = arg.taint.length
            ? classifyWrapperFlow(arg.taint, sink, via)
            : arg.value !== undefined
              ? classifyWrapperCommand(arg.value, sink, via)
              : undefined;
          if (!verdict) continue;
          const key = `${verdict.rule.id}|${sink.callee}|${call.name}`;
          if (seen.has(key)) continue;
          seen.add(key);
          ctx.setRule(verdict.rule);
          const at = ctx.where(call.node);
          ctx.report({
            node: call.node,
            message: verdict.message,
            severity: verdict.severity,
            confidence: verdict.confidence,
            category: verdict.category,
            evidence: wrapperEvidence(verdict, sink, via, at.line),
          });
        }
      }
      const exports = new Map<string, ParamSink[]>();
      for (const e of exported) {
        const sinks = fnSinks.get(e.fn);
        if (sinks) exports.set(e.name, sinks);
      }
      if (exports.size > 0 || moduleCalls.length > 0)
        FUNCTION_SINK_FACTS.set(ctx.facts, { exports, calls: moduleCalls });
    },
  };
}

/** Evidence of a flow through a wrapper: sources at the call, the call, the sink inside the wrapper. */
export function wrapperEvidence(
  verdict: FlowVerdict,
  sink: ParamSink,
  via: string,
  callLine: number,
  files?: { caller: string; callee: string },
) {
  return {
    flow: [
      ...verdict.sources.map((s) => ({
        step: 'source',
        kind: s.kind,
        what: s.what,
        line: s.line,
        ...(files ? { file: files.caller } : {}),
      })),
      { step: 'call', kind: 'argument', what: via, line: callLine, ...(files ? { file: files.caller } : {}) },
      {
        step: 'sink',
        kind: sink.kind,
        what: sink.callee,
        line: sink.line,
        snippet: sink.snippet.slice(0, 200),
        ...(files ? { file: files.callee } : {}),
      },
    ],
    sources: verdict.sources.map((s) => s.what).join(', '),
    sink: sink.callee,
    via,
    ...(verdict.techniques ? { techniques: verdict.techniques } : {}),
    ...(fixedRemoteUrl(verdict.sources) ? { fixedUrl: fixedRemoteUrl(verdict.sources) } : {}),
  };
}
