import { matchSensitivePaths } from '../text/sensitive.js';
import type { Binding, RuleContext } from './engine.js';
import { NodeMemo } from './memo.js';
import type { Node } from './parse.js';
import { FILE_READS, FILE_WRITES, FINGERPRINT_CALLS, NETWORK_CALLS, PROCESS_EXEC } from './rules/helpers.js';

/**
 * A small data-flow layer that runs inside the engine's single traversal.
 *
 * Values are tagged with the *sources* they derive from (secrets, fingerprints, file contents,
 * remote responses...). Tags flow through variables (declarations and later assignments),
 * properties, object/array literals, template literals, concatenation, JSON.stringify and
 * encoders (any call whose arguments are tagged), callback parameters of source calls
 * (`res.on('data', d => ...)`), `return` values of local functions and `require` of the
 * package's own modules. Rules ask `taintOf(node)` at sinks (network, process, eval, file
 * writes) and report the source -> sink chain.
 */
export type TaintKind =
  | 'env' // the whole process.env
  | 'secret' // a secret-looking env var, token command output, credential file
  | 'fingerprint' // hostname, username, interfaces...
  | 'file' // contents of an ordinary file or directory listing
  | 'command-output' // stdout of a process
  | 'remote' // a network response
  | 'browser-data' // form fields, cookies, storage
  | 'module'; // the export of a package-local module (resolved after all files are analysed)

export interface TaintSource {
  kind: TaintKind;
  /** What the source is: `process.env`, `os.hostname()`, `~/.ssh/id_rsa`, a module path. */
  what: string;
  line: number;
  /** For the parameters of a request hook: the function hooked (`fetch`, `XMLHttpRequest.prototype.send`). */
  hook?: string;
  /** A cloud instance's credentials, read from its metadata service. */
  cloud?: boolean;
}

export type Taint = readonly TaintSource[];

/** The URL a `remote` source was fetched from when it is a constant (`response of fetch(https://…)`). */
export function remoteUrl(s: TaintSource): string | undefined {
  return s.kind === 'remote' ? /\((.*)\)$/.exec(s.what)?.[1] : undefined;
}

/** The first constant URL among remote sources: a fixed host, as loaders have (for evidence and scoring). */
export function fixedRemoteUrl(t: Taint): string | undefined {
  for (const s of t) {
    const url = remoteUrl(s);
    if (url) return url;
  }
  return undefined;
}

const EMPTY: Taint = Object.freeze([]) as Taint;
const MAX_SOURCES = 6;
const MAX_DEPTH = 30;

const SECRET_ENV =
  /TOKEN|SECRET|PASSW(OR)?D|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|_AUTH\b|^AUTH|SESSION|COOKIE|WEBHOOK/i;
/** npm's own config variables (`npm_config_proxy`, `npm_package_version`) are settings, not secrets. */
const NOT_SECRET_ENV = /^npm_(config|package|lifecycle|node|execpath)_(?!.*(_auth|token|password))/i;
const SECRET_COMMANDS =
  /\b(gh\s+auth\s+token|git\s+config\s+[^|;&]*(credential|token|password)|npm\s+(config\s+get\s+[^|;&\s]*(_auth|token|password)|token)|aws\s+(configure|sts)|security\s+find-(generic|internet)-password|printenv|cat\s+[^|;&]*\.(npmrc|ssh|aws|git-credentials|env)\b)/i;
const STRONG_FINGERPRINT = new Set(['os.hostname', 'os.userInfo', 'os.networkInterfaces']);
const BROWSER_DATA_MEMBERS = new Set(['document.cookie', 'localStorage', 'sessionStorage', 'document.forms']);
const BROWSER_DATA_METHODS = new Set(['serialize', 'serializeArray']);
/** Reading a listing is not reading content but still reveals the victim's files. */
const LISTINGS = new Set(['fs.readdirSync', 'fs.readdir', 'fs/promises.readdir']);
const NOT_SOURCES = new Set(['fs.existsSync', 'fs-extra.existsSync']);

export function mergeTaint(a: Taint, b: Taint): Taint {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = [...a];
  for (const s of b) {
    if (out.length >= MAX_SOURCES) break;
    if (!out.some((o) => o.kind === s.kind && o.what === s.what)) out.push(s);
  }
  return out;
}

export function hasKind(t: Taint, ...kinds: TaintKind[]): boolean {
  return t.some((s) => kinds.includes(s.kind));
}

/**
 * Whether tags include a strong secret: the whole environment, browser data, a credential file or
 * token command output. Named environment variables (`process.env.X`, `process.env[name]`) and
 * named storage items (`localStorage.getItem('token')`) are what SDKs send as their own keys, so
 * they alone are not.
 */
export function hasStrongSecret(t: Taint): boolean {
  return t.some(
    (s) =>
      s.kind === 'env' ||
      s.kind === 'browser-data' ||
      (s.kind === 'secret' && !s.what.startsWith('process.env') && !s.what.startsWith('storage item')),
  );
}

export function describeTaint(t: Taint): string {
  return t.map((s) => s.what).join(', ');
}

/** Whether an env var name looks like it holds a credential. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV.test(name) && !NOT_SECRET_ENV.test(name);
}

export type SinkKind = 'network' | 'dns' | 'code' | 'exec' | 'file-write';

export interface Sink {
  kind: SinkKind;
  /** Qualified callee, e.g. `https.request`. */
  callee: string;
  /** What flows into the sink. */
  taint: Taint;
  /** For file writes: the folded target path, when known. */
  target?: string;
}

const CODE_SINKS = new Set([
  'eval',
  'Function',
  'vm.runInThisContext',
  'vm.runInNewContext',
  'vm.runInContext',
  'vm.compileFunction',
  'vm.Script',
  'module._compile',
  'require-from-string',
  'require',
]);
/** How environment variable names are written (`HTTPS_PROXY`, `NPM_TOKEN`), unlike methods or fields. */
const ENV_VAR_NAME = /^[A-Z][A-Z0-9_]+$/;
/** Expressions that can never carry a tag: skipped without a lookup. */
const TRIVIAL = new Set([
  'Literal',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ClassExpression',
  'ThisExpression',
  'UpdateExpression',
]);
const FUNCTION_NODES = new Set(['FunctionExpression', 'ArrowFunctionExpression', 'FunctionDeclaration']);
/**
 * Functions a page's requests go through, with the parameter that carries the request's data:
 * the body of `XMLHttpRequest.send` and `WebSocket.send`, the header value of `setRequestHeader`
 * (tokens), the `init` of `fetch` (body and headers). URLs are left out: monitoring agents report
 * the URLs of the page's requests by design.
 */
const REQUEST_HOOKS = new Map([
  ['fetch', 1],
  ['XMLHttpRequest.prototype.send', 0],
  ['XMLHttpRequest.prototype.setRequestHeader', 1],
  ['WebSocket.prototype.send', 0],
]);
/**
 * Where cloud instances hand out credentials: AWS IMDS (and its IPv6 address) role credentials,
 * the ECS task endpoint, GCP service-account tokens, Azure managed-identity tokens.
 */
const CLOUD_CREDENTIALS =
  /^(?:https?:\/\/)?(?:169\.254\.169\.254|\[fd00:ec2::254\]|169\.254\.170\.2|metadata\.google\.internal|metadata)(?::\d+)?\/(?:latest\/meta-data\/(?:iam\/security-credentials|identity-credentials)|v2\/credentials|computeMetadata\/v1\/instance\/service-accounts|metadata\/identity\/oauth2\/token)/i;
/** Destinations cloud credentials legitimately go to: the metadata services and the providers' APIs. */
const CLOUD_DESTINATION =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:169\.254\.169\.254|\[fd00:ec2::254\]|169\.254\.170\.2|metadata\.google\.internal|metadata|(?:[^/?#]*\.)?(?:amazonaws\.com(?:\.cn)?|aws|googleapis\.com|google\.com|azure\.com|windows\.net|microsoft\.com|microsoftonline\.com|azure\.net))(?=[:/?#]|$)/i;
/** Reading one item of the page's storage. */
const STORAGE_ITEM = /^(?:(?:window|globalThis|self)\.)?(?:localStorage|sessionStorage)\.getItem$/;
const isWholeStorage = (t: TaintSource) =>
  t.kind === 'browser-data' && (t.what === 'localStorage' || t.what === 'sessionStorage');
/** Socket calls that reach only this machine when given no host (see `isLocalConnection`). */
const LOCAL_CAPABLE = new Set(['net.connect', 'net.createConnection', 'tls.connect']);
/** `window.fetch`, `globalThis.fetch` and `fetch` are one function. */
export function withoutGlobal(name: string): string {
  return name.replace(/^(?:window|globalThis|self|global)\./, '');
}
const HANDLE_METHODS = new Set(['write', 'end', 'send', 'emit', 'sendText', 'post']);

export class TaintTracker {
  private readonly cache: NodeMemo<Taint>;
  private readonly returns = new Map<Node, Taint>();
  private readonly sinkCache: NodeMemo<Sink | null>;
  private depth = 0;

  constructor(private readonly ctx: RuleContext) {
    this.cache = new NodeMemo(ctx.source.length);
    this.sinkCache = new NodeMemo(ctx.source.length);
  }

  private line(node: Node): number {
    return this.ctx.lineOf(node.start ?? 0).line;
  }

  private src(kind: TaintKind, what: string, node: Node): Taint {
    return [{ kind, what, line: this.lineFor(node) }];
  }

  /** The line a source is reported at (decoded code reports where it was decoded). */
  private lineFor(node: Node): number {
    return this.ctx.origin?.line ?? this.line(node);
  }

  taintOf(node: Node | undefined | null): Taint {
    if (!node || TRIVIAL.has(node.type)) return EMPTY;
    const cached = this.cache.get(node);
    if (cached) return cached;
    if (this.depth > MAX_DEPTH) return EMPTY;
    this.depth++;
    let t: Taint = EMPTY;
    try {
      t = this.compute(node);
    } finally {
      this.depth--;
    }
    // Identifiers read binding state that later assignments change: never cache them.
    if (node.type !== 'Identifier') this.cache.set(node, t);
    return t;
  }

  private all(nodes: Array<Node | null | undefined>, from = 0): Taint {
    let t: Taint = EMPTY;
    for (let i = from; i < nodes.length; i++) {
      const n = nodes[i];
      if (n) t = mergeTaint(t, this.taintOf(n));
    }
    return t;
  }

  /** Tags of two operands, without building an array for them. */
  private both(a: Node | null | undefined, b: Node | null | undefined): Taint {
    return mergeTaint(this.taintOf(a), this.taintOf(b));
  }

  /** Tags of call arguments other than callbacks (a callback's own code is not the data passed). */
  private dataArgs(nodes: Node[] | undefined, from = 0): Taint {
    let t: Taint = EMPTY;
    if (!nodes) return t;
    for (let i = from; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (!FUNCTION_NODES.has(n.type)) t = mergeTaint(t, this.taintOf(n));
    }
    return t;
  }

  private compute(node: Node): Taint {
    switch (node.type) {
      case 'Identifier': {
        const b = this.ctx.lookup(node.name);
        // the page's storage used bare (`JSON.stringify(localStorage)`)
        if (!b)
          return BROWSER_DATA_MEMBERS.has(node.name) ? this.src('browser-data', node.name, node) : EMPTY;
        let t = b.taint ?? EMPTY;
        if (b.init && b.kind !== 'function' && b.kind !== 'class' && b.kind !== 'import')
          t = mergeTaint(t, this.taintOf(b.init));
        return t;
      }
      case 'MemberExpression': {
        const name = this.ctx.qualify(node);
        if (name === 'process.env') return this.src('env', 'process.env', node);
        if (name && BROWSER_DATA_MEMBERS.has(name)) return this.src('browser-data', name, node);
        const objName = this.ctx.qualify(node.object);
        if (objName === 'process.env') {
          const key = node.computed ? this.ctx.evaluateString(node.property) : node.property?.name;
          // `process.env[name]` reads one variable chosen at run time (config lookups), not the whole environment.
          if (key === undefined) return this.src('secret', 'process.env[*]', node);
          return isSecretEnvName(key) ? this.src('secret', `process.env.${key}`, node) : EMPTY;
        }
        if (objName && BROWSER_DATA_MEMBERS.has(objName)) return this.src('browser-data', objName, node);
        // `.value` of a DOM element (form fields, password inputs)
        if (!node.computed && node.property?.name === 'value' && this.isDomQuery(node.object))
          return this.src('browser-data', 'input value', node);
        const base = this.taintOf(node.object);
        // `env.REGISTRY_URL` of an object derived from the whole environment
        // (`const env = schema.parse(process.env)`) reads one variable, as `process.env.X` does.
        // Only upper-case names: `.map`, `.join` or `.length` of env data still carry all of it.
        if (base.length > 0 && base.some((t) => t.kind === 'env')) {
          const key = node.computed ? this.ctx.evaluateString(node.property) : node.property?.name;
          if (key !== undefined && ENV_VAR_NAME.test(key)) {
            const rest = base.filter((t) => t.kind !== 'env');
            return isSecretEnvName(key)
              ? mergeTaint(rest, this.src('secret', `process.env.${key}`, node))
              : rest;
          }
        }
        return base;
      }
      case 'CallExpression':
      case 'NewExpression':
        return this.call(node);
      case 'TemplateLiteral':
        return this.all(node.expressions);
      case 'TaggedTemplateExpression':
        return this.all(node.quasi?.expressions ?? []);
      case 'BinaryExpression':
        return this.both(node.left, node.right);
      case 'LogicalExpression':
        // `a && b` is `a` only when `a` is falsy ('', 0, null): no data. So `process.env &&
        // process.env.BASE_URL` carries one variable, not the environment it guards.
        return node.operator === '&&' ? this.taintOf(node.right) : this.both(node.left, node.right);
      case 'ConditionalExpression':
        return this.both(node.consequent, node.alternate);
      case 'ArrayExpression':
        return this.all(node.elements);
      case 'ObjectExpression': {
        let t: Taint = EMPTY;
        for (const p of node.properties ?? [])
          t = mergeTaint(t, this.taintOf(p.type === 'SpreadElement' ? p.argument : p.value));
        return t;
      }
      case 'SpreadElement':
      case 'AwaitExpression':
      case 'UnaryExpression':
        return this.taintOf(node.argument);
      case 'SequenceExpression':
        return this.taintOf(node.expressions[node.expressions.length - 1]);
      case 'AssignmentExpression':
        return this.taintOf(node.right);
      case 'ParenthesizedExpression':
      case 'ChainExpression':
      case 'TSAsExpression':
      case 'TSNonNullExpression':
        return this.taintOf(node.expression);
      default:
        return EMPTY;
    }
  }

  /** `$(...)`, `jQuery(...)` or a chain on one (`$('form').find('input')`). */
  private isJQuery(node: Node | undefined, depth = 0): boolean {
    if (!node || depth > 6 || node.type !== 'CallExpression') return false;
    const c = node.callee;
    if (c?.type === 'Identifier') {
      if (c.name !== '$' && c.name !== 'jQuery') return false;
      const b = this.ctx.lookup(c.name);
      return b?.kind !== 'function'; // `(function ($) { ... })(jQuery)` keeps `$` as jQuery
    }
    if (c?.type === 'MemberExpression') return this.isJQuery(c.object, depth + 1);
    return false;
  }

  private isDomQuery(node: Node): boolean {
    if (node?.type !== 'CallExpression') return false;
    const name = this.ctx.qualify(node.callee);
    return (
      !!name && /^document\.(querySelector|getElementById|getElementsByName|querySelectorAll)$/.test(name)
    );
  }

  private call(node: Node): Taint {
    const callee = node.callee;
    const name = this.ctx.qualify(callee);
    if (name) {
      if (FINGERPRINT_CALLS.has(name)) {
        return STRONG_FINGERPRINT.has(name) || name === 'process.cwd' || name === 'os.homedir'
          ? this.src('fingerprint', `${name}()`, node)
          : EMPTY;
      }
      if (NOT_SOURCES.has(name)) return EMPTY;
      // `localStorage.getItem(key)`: one item, as `process.env.X` is one variable (an app's own
      // session token going to its own API). The whole storage stays browser data.
      if (STORAGE_ITEM.test(name)) {
        const key = this.ctx.evaluateString(node.arguments?.[0]) ?? '*';
        return this.src('secret', `storage item "${key.slice(0, 60)}"`, node);
      }
      if (FILE_READS.has(name) || LISTINGS.has(name)) {
        const path = this.pathString(node.arguments?.[0]);
        const sensitive = path ? matchSensitivePaths(path) : [];
        if (sensitive.length > 0) return this.src('secret', `${sensitive[0]!.kind} (${path})`, node);
        if (LISTINGS.has(name)) return this.src('file', `listing of ${path ?? 'a folder'}`, node);
        return this.src('file', `contents of ${path ?? 'a file'}`, node);
      }
      if (PROCESS_EXEC.has(name) && /Sync$/.test(name)) {
        const cmd = this.ctx.evaluateString(node.arguments?.[0]);
        const args = this.ctx.evaluate(node.arguments?.[1]);
        const full = cmd !== undefined ? [cmd, ...(Array.isArray(args) ? args : [])].join(' ') : undefined;
        if (full && SECRET_COMMANDS.test(full))
          return this.src('secret', `output of \`${full.slice(0, 60)}\``, node);
        return this.src(
          'command-output',
          full ? `output of \`${full.slice(0, 60)}\`` : 'process output',
          node,
        );
      }
      if (NETWORK_CALLS.has(name) && !name.startsWith('dns.') && name !== 'navigator.sendBeacon') {
        const url = this.ctx.evaluateString(node.arguments?.[0]) ?? this.hostOption(node.arguments?.[0]);
        // a metadata service's credential endpoint answers with the instance's cloud keys
        if (url && CLOUD_CREDENTIALS.test(url))
          return [
            {
              kind: 'secret',
              what: `cloud credentials (${url.slice(0, 100)})`,
              line: this.lineFor(node),
              cloud: true,
            },
          ];
        return this.src('remote', `response of ${name}${url ? `(${url.slice(0, 100)})` : ''}`, node);
      }
      // `new FormData(form)` captures a page's form; `new FormData()` is an empty multipart body.
      if (name === 'FormData' && node.arguments?.length > 0)
        return this.src('browser-data', 'FormData', node);
      if (name === 'require' || callee.type === 'Import') {
        const spec = this.ctx.evaluateString(node.arguments?.[0]);
        if (spec?.startsWith('.')) return this.src('module', spec, node);
        if (spec !== undefined) return EMPTY;
      }
    }
    if (callee?.type === 'MemberExpression' && !callee.computed) {
      const method = callee.property?.name;
      // jQuery form serialisation: `$('form').serialize()` (not any object's serialize method)
      if (BROWSER_DATA_METHODS.has(method) && this.isJQuery(callee.object))
        return this.src('browser-data', `.${method}()`, node);
      // `storage.getItem(k)` of a storage reached through a helper (`const s = getStorage()`)
      if (method === 'getItem') {
        const recv = this.taintOf(callee.object);
        if (recv.some(isWholeStorage)) {
          const key = this.ctx.evaluateString(node.arguments?.[0]) ?? '*';
          return mergeTaint(
            recv.filter((t) => !isWholeStorage(t)),
            this.src('secret', `storage item "${key.slice(0, 60)}"`, node),
          );
        }
      }
    }
    // Derived values: anything computed from tagged arguments or a tagged receiver.
    let t = this.all(node.arguments ?? []);
    if (callee?.type === 'MemberExpression') t = mergeTaint(t, this.taintOf(callee.object));
    const fn = this.localFunction(callee);
    if (fn) t = mergeTaint(t, this.returns.get(fn) ?? EMPTY);
    return t;
  }

  /**
   * Whether a request's first argument is exactly one value taken from data (a form field, a
   * variable, `x.toString()`), so the data is where the request goes rather than what it carries.
   * Anything built (concatenations, templates, `new URL(base + q)`, helper calls), constant, or
   * tagged by later assignments is not: data in it may ride in the path or query.
   */
  private isDestinationOnly(arg: Node | undefined, depth = 0): boolean {
    if (!arg || depth > 4) return false;
    if (this.ctx.evaluateString(arg) !== undefined) return false;
    switch (arg.type) {
      case 'MemberExpression':
        return true;
      case 'Identifier': {
        const b = this.ctx.lookup(arg.name);
        if (!b) return true;
        if (b.taint && b.taint.length > 0) return false;
        if (!b.init || b.kind === 'param') return true;
        return this.isDestinationOnly(b.init, depth + 1);
      }
      case 'AwaitExpression':
        return this.isDestinationOnly(arg.argument, depth + 1);
      case 'CallExpression': {
        const callee = arg.callee;
        if (callee?.type !== 'MemberExpression' || callee.computed) return false;
        const method = callee.property?.name;
        if (method === 'toString' || method === 'trim' || method === 'valueOf')
          return this.isDestinationOnly(callee.object, depth + 1);
        // one field of a map, FormData, URLSearchParams or element
        return (method === 'get' || method === 'getAttribute') && (arg.arguments?.length ?? 0) === 1;
      }
      default:
        return false;
    }
  }

  /** `{ host: '192.0.2.1', path: '/x' }` request options: the host, for evidence. */
  private hostOption(node: Node | undefined): string | undefined {
    if (node?.type !== 'ObjectExpression') return undefined;
    for (const p of node.properties ?? []) {
      const key = p.key?.name ?? p.key?.value;
      if (key === 'host' || key === 'hostname' || key === 'url') return this.ctx.evaluateString(p.value);
    }
    return undefined;
  }

  /** Folds a path argument (`path.join(os.homedir(), '.ssh')` -> `*\/.ssh`). */
  pathString(node: Node | undefined, depth = 0): string | undefined {
    if (!node || depth > MAX_DEPTH) return undefined;
    const v = this.ctx.evaluateString(node);
    if (v !== undefined) return v;
    if (node.type === 'CallExpression') {
      const name = this.ctx.qualify(node.callee);
      if (name && /^path(\.posix|\.win32)?\.(join|resolve)$/.test(name))
        return node.arguments.map((a: Node) => this.pathString(a, depth + 1) ?? '*').join('/');
    }
    if (node.type === 'TemplateLiteral') {
      let out = '';
      node.quasis.forEach((q: Node, i: number) => {
        out += q.value.cooked ?? q.value.raw;
        if (i < node.expressions.length) out += this.pathString(node.expressions[i], depth + 1) ?? '*';
      });
      return out;
    }
    if (node.type === 'BinaryExpression' && node.operator === '+')
      return `${this.pathString(node.left, depth + 1) ?? '*'}${this.pathString(node.right, depth + 1) ?? '*'}`;
    return undefined;
  }

  private localFunction(callee: Node): Node | undefined {
    if (callee?.type !== 'Identifier') return undefined;
    const b = this.ctx.lookup(callee.name);
    if (!b?.init) return undefined;
    const init = b.init;
    if (/Function/.test(init.type)) return init;
    return undefined;
  }

  // ---- hooks called by the engine during traversal ----

  /** `x = v`, `x += v`, `o.p = v`: the assigned value's tags stick to the root binding. */
  onAssign(node: Node): void {
    if (TRIVIAL.has(node.right?.type)) return;
    // the binding first: `this.x = v` and `exports.y = v` have none to tag, so v is not computed
    const b = this.rootBinding(node.left);
    if (!b) return;
    const t = this.taintOf(node.right);
    if (t.length > 0) b.taint = mergeTaint(b.taint ?? EMPTY, t);
  }

  /** `arr.push(v)`, `params.append(k, v)`, `Object.assign(o, v)`: the receiver takes the tags. */
  onCall(node: Node): void {
    const callee = node.callee;
    if (callee?.type !== 'MemberExpression') return;
    const method = callee.computed ? undefined : callee.property?.name;
    if (method === 'assign' && this.ctx.qualify(callee) === 'Object.assign') {
      const t = this.all(node.arguments, 1);
      if (t.length > 0) this.addToRoot(node.arguments[0], t);
      return;
    }
    if (method !== 'push' && method !== 'unshift' && method !== 'append' && method !== 'set') return;
    const t = this.all(node.arguments);
    if (t.length > 0) this.addToRoot(callee.object, t);
  }

  /** `return v` inside a function: calls of that local function yield v's tags. */
  onReturn(node: Node, fn: Node | undefined): void {
    if (!fn || !node.argument || TRIVIAL.has(node.argument.type)) return;
    const t = this.taintOf(node.argument);
    if (t.length > 0) this.returns.set(fn, mergeTaint(this.returns.get(fn) ?? EMPTY, t));
  }

  /** An arrow-body function's value is its return. */
  onArrowExit(fn: Node): void {
    if (fn.type !== 'ArrowFunctionExpression' || !fn.expression || !fn.body || TRIVIAL.has(fn.body.type))
      return;
    const t = this.taintOf(fn.body);
    if (t.length > 0) this.returns.set(fn, mergeTaint(this.returns.get(fn) ?? EMPTY, t));
  }

  /**
   * Tags for the parameters of a callback passed to `call`: callbacks of a source
   * (`https.get(u, res => ...)`, `fs.readFile(p, (e, data) => ...)`, `res.on('data', d => ...)`,
   * `fetch(u).then(r => ...)`) receive what the source produces.
   */
  callbackTaint(call: Node): Taint {
    const callee = call.callee;
    const name = this.ctx.qualify(callee);
    if (name && (NETWORK_CALLS.has(name) || FILE_READS.has(name) || PROCESS_EXEC.has(name))) {
      return this.call({ ...call, arguments: call.arguments.filter((a: Node) => !/Function/.test(a.type)) });
    }
    if (callee?.type === 'MemberExpression') {
      const method = callee.computed ? undefined : callee.property?.name;
      if (method === 'addEventListener' || method === 'on') {
        const event = this.ctx.evaluateString(call.arguments?.[0]);
        if (event && /^(keydown|keypress|keyup|input|submit|paste|copy)$/.test(event))
          return this.src('browser-data', `${event} events`, call);
      }
      return this.taintOf(callee.object);
    }
    return EMPTY;
  }

  /**
   * The data parameter of a request hook (`XMLHttpRequest.prototype.send = function (body) {…}`,
   * `window.fetch = async (url, init) => …`) carries the page's requests: bodies with form fields,
   * headers with tokens. Skimmers copy them out. Passing them on to the saved original is what
   * every wrapper does, so the tag names the hooked function and `onSinks` ignores that sink.
   */
  hookTaint(assign: Node): { taint: Taint; param: number } | undefined {
    if (assign.operator !== '=' || assign.left?.type !== 'MemberExpression') return undefined;
    const target = this.ctx.qualify(assign.left);
    const hook = target && withoutGlobal(target);
    const param = hook ? REQUEST_HOOKS.get(hook) : undefined;
    if (!hook || param === undefined) return undefined;
    const what = `the page's request data (parameters of a ${hook} hook)`;
    return { taint: [{ kind: 'browser-data', what, line: this.lineFor(assign), hook }], param };
  }

  /** The binding of an assignment target's root variable (`a` of `a.b[c]`), if it has one. */
  private rootBinding(target: Node): Binding | undefined {
    let n = target;
    while (n && (n.type === 'MemberExpression' || n.type === 'ParenthesizedExpression'))
      n = n.object ?? n.expression;
    return n?.type === 'Identifier' ? this.ctx.lookup(n.name) : undefined;
  }

  private addToRoot(target: Node, t: Taint): void {
    const b = this.rootBinding(target);
    if (b) b.taint = mergeTaint(b.taint ?? EMPTY, t);
  }

  // ---- sinks ----

  /**
   * `net.connect(path)`, `net.connect(port)`, `net.connect({ path })`: a Unix socket, a named pipe
   * or a port on this machine (no host given). Local IPC with a daemon is not the network, and
   * only a host argument can reach another machine.
   */
  private isLocalConnection(name: string, node: Node): boolean {
    if (!LOCAL_CAPABLE.has(name)) return false;
    const [first, second] = (node.arguments ?? []) as Node[];
    if (!first) return false;
    if (first.type === 'ObjectExpression') {
      const keys = new Set<string>();
      for (const p of first.properties ?? []) {
        if (p.type === 'SpreadElement') return false;
        const key = p.computed ? undefined : (p.key?.name ?? p.key?.value);
        if (typeof key !== 'string') return false;
        keys.add(key);
      }
      return keys.has('path') || (!keys.has('host') && !keys.has('hostname'));
    }
    if (first.type === 'SpreadElement') return false;
    return !second || FUNCTION_NODES.has(second.type);
  }

  /** Whether `node` is a network handle: the result of http.request/net.connect/new WebSocket... */
  isNetworkHandle(node: Node | undefined, depth = 0): boolean {
    if (!node || depth > 4) return false;
    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const name = this.ctx.qualify(node.callee);
      if (name && NETWORK_CALLS.has(name)) return !this.isLocalConnection(name, node);
      if (node.callee?.type === 'MemberExpression')
        return this.isNetworkHandle(node.callee.object, depth + 1);
      return false;
    }
    if (node.type === 'Identifier') {
      const b = this.ctx.lookup(node.name);
      return !!b?.init && b.kind !== 'function' && this.isNetworkHandle(b.init, depth + 1);
    }
    return false;
  }

  /** The sink a call is, with what flows into it; undefined for ordinary calls. */
  sinkOf(node: Node): Sink | undefined {
    const cached = this.sinkCache.get(node);
    if (cached !== undefined) return cached ?? undefined;
    const sink = this.computeSink(node);
    this.sinkCache.set(node, sink ?? null);
    return sink;
  }

  private computeSink(node: Node): Sink | undefined {
    const name = this.ctx.qualify(node.callee);
    if (name) {
      if (NETWORK_CALLS.has(name)) {
        if (this.isLocalConnection(name, node)) return undefined;
        const dns = name.startsWith('dns.');
        // A URL that is data from end to end (`axios.get(form.get('logo-url'))`, a user-typed
        // address) is where the request goes, not what it carries. DNS names are the payload of
        // DNS exfiltration, and a URL with a constant host (`'https://x/?d=' + data`) carries it.
        const from = !dns && this.isDestinationOnly(node.arguments?.[0]) ? 1 : 0;
        let taint = this.dataArgs(node.arguments, from);
        // Cloud credentials go back to the metadata service (the role's own URL) and to the cloud's
        // APIs (signed requests, endpoints often built at run time): only a known other host is a leak.
        if (taint.some((t) => t.cloud)) {
          const to = this.pathString(node.arguments?.[0]) ?? this.hostOption(node.arguments?.[0]);
          if (!to || to.startsWith('*') || CLOUD_DESTINATION.test(to)) taint = taint.filter((t) => !t.cloud);
        }
        return { kind: dns ? 'dns' : 'network', callee: name, taint };
      }
      if (CODE_SINKS.has(name)) {
        if (name === 'require') {
          const t = this.dataArgs(node.arguments);
          return t.some((s) => s.kind !== 'module') ? { kind: 'code', callee: name, taint: t } : undefined;
        }
        return { kind: 'code', callee: name, taint: this.dataArgs(node.arguments) };
      }
      if (PROCESS_EXEC.has(name)) return { kind: 'exec', callee: name, taint: this.dataArgs(node.arguments) };
      if (FILE_WRITES.has(name)) {
        return {
          kind: 'file-write',
          callee: name,
          taint: name.endsWith('createWriteStream') ? EMPTY : this.dataArgs(node.arguments, 1),
          target: this.pathString(node.arguments?.[0]),
        };
      }
    }
    const callee = node.callee;
    if (callee?.type === 'MemberExpression' && !callee.computed) {
      const method = callee.property?.name;
      if (HANDLE_METHODS.has(method) && this.isNetworkHandle(callee.object)) {
        return {
          kind: 'network',
          callee: `${this.handleName(callee.object)}.${method}`,
          taint: this.dataArgs(node.arguments),
        };
      }
      // `response.pipe(fs.createWriteStream(p))`: remote data written to disk
      if (method === 'pipe' && node.arguments?.[0]) {
        const dest = node.arguments[0];
        const destName = dest.type === 'CallExpression' ? this.ctx.qualify(dest.callee) : undefined;
        const destIsFile =
          (destName && FILE_WRITES.has(destName)) || (dest.type === 'Identifier' && this.isFileStream(dest));
        if (destIsFile)
          return {
            kind: 'file-write',
            callee: 'pipe',
            taint: this.taintOf(callee.object),
            target: dest.type === 'CallExpression' ? this.pathString(dest.arguments?.[0]) : undefined,
          };
        if (this.isNetworkHandle(dest))
          return { kind: 'network', callee: 'pipe', taint: this.taintOf(callee.object) };
      }
    }
    return undefined;
  }

  private isFileStream(id: Node): boolean {
    const b = this.ctx.lookup(id.name);
    const init = b?.init;
    if (init?.type !== 'CallExpression') return false;
    const n = this.ctx.qualify(init.callee);
    return !!n && FILE_WRITES.has(n);
  }

  private handleName(node: Node): string {
    if (node.type === 'Identifier') {
      const b = this.ctx.lookup(node.name);
      if (b?.init) return this.handleName(b.init);
    }
    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const n = this.ctx.qualify(node.callee);
      if (n && NETWORK_CALLS.has(n)) return n;
      if (node.callee?.type === 'MemberExpression') return this.handleName(node.callee.object);
    }
    return 'connection';
  }
}
