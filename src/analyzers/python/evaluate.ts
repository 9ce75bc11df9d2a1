import { matchSensitivePaths } from '../text/sensitive.js';
import type { Binding, PyContext } from './engine.js';
import type { Node } from './parser.js';
import { indicators } from './rules/credentials.js';
import {
  codec,
  DECODERS,
  ENCODERS,
  hexDecode,
  isBytes,
  MAX_VALUE,
  PyBytes,
  type PyValue,
  STRING_CONSTANTS,
  textOf,
  unescapePython,
} from './values.js';

/** Sources of data that came from the network. */
export const NETWORK_FETCH = new Set([
  'urllib.request.urlopen',
  'urllib.request.urlretrieve',
  'urllib.urlopen',
  'urllib.urlretrieve',
  'urllib2.urlopen',
  'requests.get',
  'requests.post',
  'requests.request',
  'requests.Session.get',
  'httpx.get',
  'httpx.post',
  'httpx.request',
  'urllib3.PoolManager.request',
  'aiohttp.ClientSession.get',
  'pycurl.Curl',
  'wget.download',
]);

/** Host fingerprint sources (dependency-confusion beacons, recon). */
export const RECON_SOURCES = new Set([
  'socket.gethostname',
  'socket.getfqdn',
  'socket.gethostbyname',
  'platform.node',
  'platform.uname',
  'platform.platform',
  'os.uname',
  'os.getlogin',
  'os.getcwd',
  'os.getcwdb',
  'getpass.getuser',
  'uuid.getnode',
  'pwd.getpwuid',
  'os.getuid',
  'psutil.users',
  'netifaces.interfaces',
]);

const SECRET_ENV =
  /TOKEN|SECRET|PASSW|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH|SESSION|COOKIE|AWS_|GITHUB_|NPM_|PYPI|WEBHOOK/i;
const RECON_ENV = /^(USER|USERNAME|LOGNAME|HOME|USERPROFILE|COMPUTERNAME|HOSTNAME|USERDOMAIN|PWD)$/i;

const BUILTIN_PREFIX = /^(?:builtins|__builtins__|__builtin__)\./;

const MAX_DEPTH = 40;

/** Interesting names reachable through `from m import *`. */
const STAR_MEMBERS = new Set([
  'os.system',
  'os.popen',
  'os.startfile',
  'os.remove',
  'os.getenv',
  'os.environ',
  'subprocess.Popen',
  'subprocess.call',
  'subprocess.run',
  'subprocess.check_output',
  'subprocess.check_call',
  'subprocess.getoutput',
  'base64.b64decode',
  'zlib.decompress',
  'marshal.loads',
  'socket.socket',
  'urllib.request.urlopen',
  'urllib.request.urlretrieve',
  'urllib.request.Request',
  'requests.get',
  'requests.post',
  'pty.spawn',
  'ctypes.windll',
]);

type Env = Map<string, PyValue>;

function parseInt2(text: string): number | undefined {
  const t = text.replace(/_/g, '').toLowerCase().replace(/l$/, '');
  let n: number;
  if (t.startsWith('0x')) n = Number.parseInt(t.slice(2), 16);
  else if (t.startsWith('0o')) n = Number.parseInt(t.slice(2), 8);
  else if (t.startsWith('0b')) n = Number.parseInt(t.slice(2), 2);
  else if (/^0\d+$/.test(t)) n = Number.parseInt(t, 8);
  else n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function tooBig(v: PyValue | undefined): boolean {
  if (typeof v === 'string') return v.length > MAX_VALUE;
  if (v instanceof PyBytes) return v.data.length > MAX_VALUE;
  if (Array.isArray(v)) return v.length > MAX_VALUE / 8;
  return false;
}

function pyStr(v: PyValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  return undefined;
}

/** Name resolution, constant folding of literals and decode chains, and light taint, per file. */
export class Evaluator {
  private readonly memo = new Map<number, PyValue | undefined>();
  private readonly taintMemo = new Map<number, Set<string>>();
  private readonly chatHandlerMemo = new Map<string, boolean>();
  private readonly inProgress = new Set<number>();
  private depth = 0;

  constructor(private readonly ctx: PyContext) {}

  // ---------------- names ----------------
  private readonly qualifyMemo = new Map<number, string | undefined>();

  qualify(node: Node | null | undefined, guard = 0): string | undefined {
    if (!node || guard > 12) return undefined;
    if (this.qualifyMemo.has(node.id)) return this.qualifyMemo.get(node.id);
    const q = this.qualifyUncached(node, guard);
    if (guard === 0) this.qualifyMemo.set(node.id, q);
    return q;
  }

  private qualifyUncached(node: Node, guard: number): string | undefined {
    switch (node.type) {
      case 'identifier': {
        const name = node.text;
        const b = this.ctx.lookup(name, node.startIndex, node);
        if (b?.kind === 'import') return b.module;
        if (b?.kind === 'assign' && b.value) {
          const v = b.value;
          if (
            v.type === 'identifier' ||
            v.type === 'attribute' ||
            v.type === 'call' ||
            v.type === 'subscript'
          ) {
            const q = this.qualify(v, guard + 1);
            if (q && !q.startsWith('call:')) return q;
          }
          return undefined;
        }
        if (b) return undefined;
        for (const m of this.ctx.starImports) if (STAR_MEMBERS.has(`${m}.${name}`)) return `${m}.${name}`;
        return name;
      }
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute')?.text;
        if (!attr) return undefined;
        const base = this.qualify(obj, guard + 1);
        if (!base) return undefined;
        return `${base}.${attr}`.replace(BUILTIN_PREFIX, '');
      }
      case 'parenthesized_expression':
        return this.qualify(node.namedChildren[0], guard + 1);
      case 'call': {
        const fn = this.qualify(node.childForFieldName('function'), guard + 1);
        const args = node.childForFieldName('arguments');
        const first = args?.namedChildren[0];
        if (fn === '__import__' || fn === 'importlib.import_module') {
          const mod = this.evaluateString(first);
          return mod ?? undefined;
        }
        if (fn === 'getattr') {
          const obj = this.qualify(first, guard + 1);
          const attr = this.evaluateString(args?.namedChildren[1]);
          if (obj && attr) return `${obj}.${attr}`.replace(BUILTIN_PREFIX, '');
        }
        if (fn === 'globals' || fn === 'locals' || fn === 'vars') return '__globals__';
        // Instances of well-known classes: `requests.Session().get`, `socket.socket().connect`.
        if (
          fn &&
          /^(requests\.Session|httpx\.Client|urllib3\.PoolManager|aiohttp\.ClientSession|socket\.socket|http\.client\.HTTPS?Connection|paramiko\.SSHClient|ftplib\.FTP)$/.test(
            fn,
          )
        )
          return fn;
        return fn ? `call:${fn}` : undefined;
      }
      case 'subscript': {
        const obj = this.qualify(node.childForFieldName('value'), guard + 1);
        const key = this.evaluateString(node.childForFieldName('subscript'));
        if ((obj === '__globals__' || obj === '__builtins__' || obj === 'builtins.__dict__') && key)
          return key;
        if (obj && key && /^(sys\.modules|os\.__dict__)$/.test(obj)) return key;
        return undefined;
      }
      default:
        return undefined;
    }
  }

  // ---------------- constant folding ----------------
  evaluateString(node: Node | null | undefined): string | undefined {
    const v = this.evaluate(node);
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (v instanceof PyBytes) return textOf(v);
    return undefined;
  }

  evaluate(node: Node | null | undefined, env?: Env): PyValue | undefined {
    if (!node) return undefined;
    if (env) return this.evalNode(node, env);
    if (this.memo.has(node.id)) return this.memo.get(node.id);
    if (this.inProgress.has(node.id) || this.depth > MAX_DEPTH) return undefined;
    this.inProgress.add(node.id);
    this.depth++;
    let v: PyValue | undefined;
    try {
      v = this.evalNode(node, undefined);
    } catch {
      v = undefined;
    } finally {
      this.depth--;
      this.inProgress.delete(node.id);
    }
    if (tooBig(v)) v = undefined;
    this.memo.set(node.id, v);
    return v;
  }

  private sub(node: Node | null | undefined, env: Env | undefined): PyValue | undefined {
    if (!node) return undefined;
    if (!env) return this.evaluate(node);
    if (this.depth > MAX_DEPTH) return undefined;
    this.depth++;
    try {
      const v = this.evalNode(node, env);
      return tooBig(v) ? undefined : v;
    } finally {
      this.depth--;
    }
  }

  private stringLiteral(node: Node, env: Env | undefined): PyValue | undefined {
    const start = node.children.find((c) => c?.type === 'string_start')?.text ?? '"';
    const prefix = /^[a-zA-Z]*/.exec(start)![0].toLowerCase();
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    let out = '';
    for (const c of node.children) {
      if (!c) continue;
      if (c.type === 'string_content') out += unescapePython(c.text, raw, bytes);
      else if (c.type === 'escape_sequence') out += unescapePython(c.text, raw, bytes);
      else if (c.type === 'interpolation') {
        const expr = c.namedChildren.find(
          (x) => x && x.type !== 'format_specifier' && x.type !== 'type_conversion',
        );
        const v = this.sub(expr, env);
        out += (v !== undefined ? (pyStr(v) ?? textOf(v)) : undefined) ?? '';
      }
    }
    return bytes ? new PyBytes(Buffer.from(out, 'latin1')) : out;
  }

  private identifier(node: Node, env: Env | undefined): PyValue | undefined {
    const name = node.text;
    if (env?.has(name)) return env.get(name);
    const list = this.ctx.bindingsFor(name, node);
    if (!list) return undefined;
    const at = node.startIndex;
    const base = this.ctx.lookup(name, at, node);
    if (base?.kind === 'param') return this.parameterValue(name, base);
    if (base?.kind !== 'assign' || !base.value) return undefined;
    let v = this.evaluate(base.value);
    if (v === undefined) return undefined;
    const loops = new Set<number>();
    for (const b of list) {
      if (b.kind === 'augassign' && b.at > base.at && b.at < at && b.value) {
        const loop = enclosingLoop(b.value, base.at);
        if (loop) {
          // `out += chr(ord(s[i]) ^ ord(k[i % n]))` in a for loop: run the loop on folded values.
          if (node.startIndex < loop.endIndex) return undefined;
          if (loops.has(loop.id)) continue;
          loops.add(loop.id);
          v = this.runLoop(loop, name, v);
          if (v === undefined) return undefined;
          continue;
        }
        const add = this.evaluate(b.value);
        v = this.add(v, add);
        if (v === undefined) return undefined;
      }
    }
    return v;
  }

  /**
   * The paths a file argument names: its folded value, or for a helper's parameter
   * (`def read(p): open(p)`) every constant its callers pass (`read('~/.aws/credentials')`).
   */
  private pathsOf(arg: Node | null | undefined): string[] {
    const own = this.evaluateString(arg);
    if (own !== undefined) return [own];
    if (arg?.type !== 'identifier') return [];
    const b = this.ctx.lookup(arg.text, arg.startIndex, arg);
    if (b?.kind !== 'param' || b.fn === undefined || b.index === undefined) return [];
    const out: string[] = [];
    for (const site of (this.ctx.callSites.get(b.fn) ?? []).slice(0, 20)) {
      const list =
        site.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
      const v = this.evaluateString(list.filter((a) => a?.type !== 'keyword_argument')[b.index]);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /**
   * A parameter of a local helper folds to what its callers pass, when every call site in the file
   * passes the same constant: `download(URL, 'a.exe')` ... `def download(url, filename)` makes
   * `filename` 'a.exe' inside the helper, so droppers split into small functions read like inline code.
   */
  private parameterValue(name: string, b: Binding): PyValue | undefined {
    if (b.fn === undefined || b.index === undefined) return undefined;
    const sites = this.ctx.callSites.get(b.fn) ?? [];
    if (sites.length === 0 || sites.length > 8) return undefined;
    let value: PyValue | undefined;
    for (const site of sites) {
      const args = site.childForFieldName('arguments');
      if (args?.type !== 'argument_list') return undefined;
      const list = args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
      if (list.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
      const keyword = list.find(
        (a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name,
      );
      const arg =
        keyword?.childForFieldName('value') ?? list.filter((a) => a.type !== 'keyword_argument')[b.index];
      if (!arg) return undefined;
      const v = this.evaluate(arg);
      if (typeof v !== 'string' && typeof v !== 'number' && !isBytes(v)) return undefined;
      if (value !== undefined && textOf(value) !== textOf(v)) return undefined;
      value = v;
    }
    return value;
  }

  /**
   * Runs a `for` loop whose body only assigns names (`x = ...`, `acc += ...`) on folded values and
   * returns the final value of `name`; undefined when anything in it cannot be folded.
   */
  private runLoop(loop: Node, name: string, init: PyValue): PyValue | undefined {
    const left = loop.childForFieldName('left');
    const body = loop.childForFieldName('body');
    if (left?.type !== 'identifier' || !body) return undefined;
    if (loop.children.some((c) => c?.type === 'else_clause')) return undefined;
    const items = this.iterate(this.evaluate(loop.childForFieldName('right')));
    if (!items) return undefined;
    const stmts: Array<{ target: string; value: Node; aug: boolean }> = [];
    for (const st of body.namedChildren) {
      if (!st || st.type === 'comment') continue;
      const e = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
      const target = e?.childForFieldName('left');
      const value = e?.childForFieldName('right');
      if (!e || target?.type !== 'identifier' || !value) return undefined;
      if (e.type === 'assignment') stmts.push({ target: target.text, value, aug: false });
      else if (e.type === 'augmented_assignment' && e.childForFieldName('operator')?.text === '+=')
        stmts.push({ target: target.text, value, aug: true });
      else return undefined;
    }
    if (stmts.length === 0 || items.length * stmts.length > 2_000_000) return undefined;
    const env: Env = new Map([[name, init]]);
    for (const item of items) {
      env.set(left.text, item);
      for (const st of stmts) {
        const value = this.sub(st.value, env);
        if (value === undefined) return undefined;
        if (!st.aug) env.set(st.target, value);
        else {
          if (!env.has(st.target)) return undefined;
          const next = this.add(env.get(st.target), value);
          if (next === undefined || tooBig(next)) return undefined;
          env.set(st.target, next);
        }
      }
    }
    return env.get(name);
  }

  private add(a: PyValue | undefined, b: PyValue | undefined): PyValue | undefined {
    if (a === undefined || b === undefined) return undefined;
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (a instanceof PyBytes && b instanceof PyBytes) return new PyBytes(Buffer.concat([a.data, b.data]));
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    return undefined;
  }

  private elements(node: Node, env: Env | undefined): PyValue[] | undefined {
    const out: PyValue[] = [];
    for (const c of node.namedChildren) {
      if (!c || c.type === 'comment') continue;
      const v = this.sub(c, env);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  private iterate(v: PyValue | undefined): PyValue[] | undefined {
    if (Array.isArray(v)) return v;
    if (typeof v === 'string') return [...v];
    if (v instanceof PyBytes) return [...v.data];
    return undefined;
  }

  private comprehension(node: Node, env: Env | undefined): PyValue[] | undefined {
    const body = node.childForFieldName('body') ?? node.namedChildren[0];
    const clauses = node.namedChildren.filter((c) => c?.type === 'for_in_clause');
    if (!body || clauses.length !== 1) return undefined;
    const filters = node.namedChildren.filter((c) => c?.type === 'if_clause');
    const clause = clauses[0]!;
    const left = clause.childForFieldName('left');
    const items = this.iterate(this.sub(clause.childForFieldName('right'), env));
    if (left?.type !== 'identifier' || !items || items.length > 200_000) return undefined;
    const out: PyValue[] = [];
    const inner: Env = new Map(env ?? []);
    for (const item of items) {
      inner.set(left.text, item);
      let keep = true;
      for (const f of filters) {
        const c = this.evalNode(f!.namedChildren[0]!, inner);
        if (typeof c !== 'boolean') return undefined;
        keep &&= c;
      }
      if (!keep) continue;
      const v = this.evalNode(body, inner);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  private evalNode(node: Node, env: Env | undefined): PyValue | undefined {
    switch (node.type) {
      case 'string':
        return this.stringLiteral(node, env);
      case 'concatenated_string': {
        let acc: PyValue | undefined;
        for (const c of node.namedChildren) {
          if (c?.type !== 'string') continue;
          const v = this.sub(c, env);
          acc = acc === undefined ? v : this.add(acc, v);
          if (acc === undefined) return undefined;
        }
        return acc;
      }
      case 'integer':
        return parseInt2(node.text);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'parenthesized_expression':
      case 'expression_statement':
        return this.sub(node.namedChildren[0], env);
      case 'unary_operator': {
        const v = this.sub(node.childForFieldName('argument'), env);
        const op = node.childForFieldName('operator')?.text;
        if (typeof v !== 'number') return undefined;
        return op === '-' ? -v : op === '~' ? ~v : v;
      }
      case 'identifier':
        return this.identifier(node, env);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return this.elements(node, env);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return this.comprehension(node, env);
      case 'binary_operator':
        return this.binary(node, env);
      case 'subscript':
        return this.subscript(node, env);
      case 'call':
        return this.call(node, env);
      case 'lambda':
        return undefined;
      case 'conditional_expression': {
        // `a if cond else b`, folded only when the condition folds.
        const [then, cond, other] = node.namedChildren;
        const c = this.sub(cond, env);
        if (typeof c !== 'boolean') return undefined;
        return this.sub(c ? then : other, env);
      }
      case 'comparison_operator':
        return this.comparison(node, env);
      case 'attribute': {
        const q = this.qualify(node);
        if (q && Object.hasOwn(STRING_CONSTANTS, q)) return STRING_CONSTANTS[q];
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** `c in alphabet`, `x == y` on folded values (substitution-cipher comprehensions). */
  private comparison(node: Node, env: Env | undefined): PyValue | undefined {
    const operands = node.namedChildren;
    const ops = node.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
    if (operands.length !== 2 || ops.length < 1) return undefined;
    const op = ops.join(' ');
    const l = this.sub(operands[0], env);
    const r = this.sub(operands[1], env);
    if (l === undefined || r === undefined) return undefined;
    const contains = (): boolean | undefined => {
      if (typeof r === 'string' && typeof l === 'string') return r.includes(l);
      if (Array.isArray(r)) return r.some((x) => x === l);
      return undefined;
    };
    switch (op) {
      case 'in':
        return contains();
      case 'not in': {
        const c = contains();
        return c === undefined ? undefined : !c;
      }
      case '==':
        return typeof l === typeof r && typeof l !== 'object' ? l === r : undefined;
      case '!=':
        return typeof l === typeof r && typeof l !== 'object' ? l !== r : undefined;
      case '<':
        return typeof l === 'number' && typeof r === 'number' ? l < r : undefined;
      case '>':
        return typeof l === 'number' && typeof r === 'number' ? l > r : undefined;
      default:
        return undefined;
    }
  }

  private binary(node: Node, env: Env | undefined): PyValue | undefined {
    const op = node.childForFieldName('operator')?.text;
    const l = this.sub(node.childForFieldName('left'), env);
    if (l === undefined) {
      // Paths built from unknown bases still end in what matters: `os.getenv('APPDATA') + '\\x.exe'`.
      if (op === '+' || op === '/') {
        const r = this.sub(node.childForFieldName('right'), env);
        if (typeof r === 'string') return (op === '/' ? '/' : '') + r;
      }
      return undefined;
    }
    const r = this.sub(node.childForFieldName('right'), env);
    if (r === undefined) return op === '+' && typeof l === 'string' ? l : undefined;
    switch (op) {
      case '+':
        return this.add(l, r);
      case '*':
        if (typeof l === 'string' && typeof r === 'number')
          return r > 0 && r * l.length < MAX_VALUE ? l.repeat(r) : '';
        if (typeof l === 'number' && typeof r === 'number') return l * r;
        return undefined;
      case '-':
        return typeof l === 'number' && typeof r === 'number' ? l - r : undefined;
      case '^':
        return typeof l === 'number' && typeof r === 'number' ? l ^ r : undefined;
      case '//':
        return typeof l === 'number' && typeof r === 'number' && r !== 0 ? Math.floor(l / r) : undefined;
      case '%': {
        if (typeof l === 'number' && typeof r === 'number' && r !== 0) return ((l % r) + r) % r;
        if (typeof l === 'string') {
          const args = Array.isArray(r) ? r : [r];
          let i = 0;
          return l.replace(/%[sdrx]/g, () => pyStr(args[i++] ?? '') ?? '');
        }
        return undefined;
      }
      case '/':
        if (typeof l === 'string' && typeof r === 'string') return `${l.replace(/\/$/, '')}/${r}`;
        return undefined;
      case '<<':
        return typeof l === 'number' && typeof r === 'number' ? l << r : undefined;
      case '>>':
        return typeof l === 'number' && typeof r === 'number' ? l >> r : undefined;
      case '&':
        return typeof l === 'number' && typeof r === 'number' ? l & r : undefined;
      case '|':
        return typeof l === 'number' && typeof r === 'number' ? l | r : undefined;
      default:
        return undefined;
    }
  }

  private subscript(node: Node, env: Env | undefined): PyValue | undefined {
    const valueNode = node.childForFieldName('value');
    const q = this.qualify(valueNode);
    const sub = node.childForFieldName('subscript');
    if (q === 'os.environ') {
      const key = this.sub(sub, env);
      return typeof key === 'string' ? `%${key}%` : undefined;
    }
    const v = this.sub(valueNode, env);
    if (v === undefined || !sub) return undefined;
    const seq = typeof v === 'string' ? v : v instanceof PyBytes ? v : Array.isArray(v) ? v : undefined;
    if (seq === undefined) return undefined;
    const len = seq instanceof PyBytes ? seq.data.length : seq.length;
    if (sub.type === 'slice') {
      const parts: Array<number | undefined> = [undefined, undefined, undefined];
      let idx = 0;
      for (const c of sub.children) {
        if (!c) continue;
        if (c.type === ':') idx++;
        else {
          const n = this.sub(c, env);
          if (typeof n !== 'number') return undefined;
          parts[idx] = n;
        }
      }
      const step = parts[2] ?? 1;
      if (step === 0) return undefined;
      const norm = (i: number | undefined, dflt: number) =>
        i === undefined
          ? dflt
          : i < 0
            ? Math.max(len + i, step < 0 ? -1 : 0)
            : Math.min(i, step < 0 ? len - 1 : len);
      const start = norm(parts[0], step > 0 ? 0 : len - 1);
      const stop = norm(parts[1], step > 0 ? len : -1);
      const picked: number[] = [];
      if (step > 0) for (let i = start; i < stop; i += step) picked.push(i);
      else for (let i = start; i > stop; i += step) picked.push(i);
      if (typeof seq === 'string') return picked.map((i) => seq[i]).join('');
      if (seq instanceof PyBytes) return new PyBytes(Buffer.from(picked.map((i) => seq.data[i]!)));
      return picked.map((i) => seq[i]!);
    }
    const i = this.sub(sub, env);
    if (typeof i !== 'number') return undefined;
    const k = i < 0 ? len + i : i;
    if (typeof seq === 'string') return seq[k];
    if (seq instanceof PyBytes) return seq.data[k];
    return seq[k];
  }

  private call(node: Node, env: Env | undefined): PyValue | undefined {
    let fnNode = node.childForFieldName('function');
    while (fnNode?.type === 'parenthesized_expression' && fnNode.namedChildren[0])
      fnNode = fnNode.namedChildren[0];
    if (!fnNode) return undefined;
    const argList = node.childForFieldName('arguments');
    const argNodes =
      argList?.type === 'argument_list'
        ? argList.namedChildren.filter((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment')
        : argList
          ? [argList]
          : [];
    const arg = (i: number) => this.sub(argNodes[i], env);
    // Method calls on a folded receiver: 'sep'.join(...), b'..'.decode(), s[::-1].replace(a, b)
    const special = this.qualify(fnNode);
    if (special && Object.hasOwn(DECODERS, special)) {
      const v = arg(0);
      if (v === undefined) return undefined;
      const extra = argNodes.slice(1).map((n) => this.sub(n, env) ?? null);
      return DECODERS[special]!(v, extra);
    }
    if (special === 'os.getenv' || special === 'os.environ.get' || special === 'getenv') {
      const k = arg(0);
      return typeof k === 'string' ? `%${k}%` : undefined;
    }
    if (special === 'os.path.join' || special === 'posixpath.join' || special === 'ntpath.join') {
      const parts = argNodes.map((n) => this.sub(n, env));
      // Unknown leading parts (a computed base folder) still leave the meaningful tail.
      const known = parts.map((p) => (typeof p === 'string' ? p : '*'));
      return parts.some((p) => typeof p === 'string') ? known.join('/') : undefined;
    }
    if (
      special === 'os.path.expanduser' ||
      special === 'os.path.expandvars' ||
      special === 'os.path.abspath' ||
      special === 'os.path.normpath' ||
      special === 'pathlib.Path' ||
      special === 'Path'
    ) {
      if (argNodes.length > 1 && (special === 'pathlib.Path' || special === 'Path')) {
        const parts = argNodes.map((n) => this.sub(n, env));
        if (parts.every((p) => typeof p === 'string'))
          return (parts as string[]).join('/').replace(/\/{2,}/g, '/');
        return undefined;
      }
      return arg(0);
    }
    if (special && Object.hasOwn(ENCODERS, special)) {
      const v = arg(0);
      return v === undefined ? undefined : ENCODERS[special]!(v);
    }
    if (special === 'len') {
      const v = arg(0);
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (v instanceof PyBytes) return v.data.length;
      return undefined;
    }
    if (special === 'range') {
      const nums = argNodes.map((n) => this.sub(n, env));
      if (nums.length === 0 || nums.length > 3 || nums.some((n) => typeof n !== 'number')) return undefined;
      const [a, b, step] =
        nums.length === 1
          ? [0, nums[0] as number, 1]
          : [nums[0] as number, nums[1] as number, (nums[2] as number) ?? 1];
      if (step === 0 || Math.abs((b - a) / step) > MAX_VALUE / 8) return undefined;
      const out: number[] = [];
      for (let i = a; step > 0 ? i < b : i > b; i += step) out.push(i);
      return out;
    }
    if (special === 'pathlib.Path.home' || special === 'Path.home') return '~';
    if (special === 'os.getcwd') return '.';
    if (fnNode.type === 'attribute') {
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      const recvNode = fnNode.childForFieldName('object');
      const recv = recvNode ? this.sub(recvNode, env) : undefined;
      if (recv === undefined) return undefined;
      switch (method) {
        case 'join': {
          const items = this.iterate(arg(0));
          if (!items || typeof recv !== 'string') {
            if (recv instanceof PyBytes && items) {
              const bufs = items.map((x) =>
                x instanceof PyBytes ? x.data : typeof x === 'number' ? Buffer.from([x]) : undefined,
              );
              if (bufs.some((b) => !b)) return undefined;
              return new PyBytes(Buffer.concat(bufs as Buffer[]));
            }
            return undefined;
          }
          const strs = items.map((x) => (typeof x === 'string' ? x : undefined));
          if (strs.some((s) => s === undefined)) return undefined;
          return strs.join(recv);
        }
        case 'decode': {
          const enc = arg(0);
          if (recv instanceof PyBytes) return codec(recv, typeof enc === 'string' ? enc : 'utf-8');
          if (typeof recv === 'string') return typeof enc === 'string' ? codec(recv, enc) : recv;
          return undefined;
        }
        case 'encode': {
          const enc =
            typeof arg(0) === 'string' ? (arg(0) as string).toLowerCase().replace(/[-_]/g, '') : 'utf8';
          if (typeof recv !== 'string') return undefined;
          if (enc === 'rot13') return codec(recv, 'rot13');
          if (enc === 'latin1' || enc === 'iso88591') return new PyBytes(Buffer.from(recv, 'latin1'));
          return new PyBytes(Buffer.from(recv, 'utf8'));
        }
        case 'replace': {
          const a = arg(0);
          const b = arg(1);
          if (typeof recv === 'string' && typeof a === 'string' && typeof b === 'string')
            return recv.split(a).join(b);
          if (recv instanceof PyBytes && a instanceof PyBytes && b instanceof PyBytes)
            return new PyBytes(Buffer.from(recv.toString().split(a.toString()).join(b.toString()), 'latin1'));
          return undefined;
        }
        case 'strip':
          return typeof recv === 'string'
            ? recv.trim()
            : recv instanceof PyBytes
              ? new PyBytes(Buffer.from(recv.toString().trim(), 'latin1'))
              : undefined;
        case 'lower':
          return typeof recv === 'string' ? recv.toLowerCase() : undefined;
        case 'upper':
          return typeof recv === 'string' ? recv.toUpperCase() : undefined;
        case 'format': {
          if (typeof recv !== 'string') return undefined;
          let i = 0;
          const named = (k: string) => {
            const kw = argList?.namedChildren.find(
              (a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === k,
            );
            return kw ? this.sub(kw.childForFieldName('value'), env) : undefined;
          };
          return recv.replace(/\{(\w*)\}/g, (_, n: string) => {
            const v = /^\d*$/.test(n) ? arg(n === '' ? i++ : Number(n)) : named(n);
            return v === undefined ? '' : (pyStr(v) ?? textOf(v) ?? '');
          });
        }
        case 'hex':
          return recv instanceof PyBytes ? recv.data.toString('hex') : undefined;
        case 'index':
        case 'find': {
          const a = arg(0);
          let i: number;
          if (typeof recv === 'string' && typeof a === 'string') i = recv.indexOf(a);
          else if (Array.isArray(recv) && a !== undefined) i = recv.indexOf(a);
          else return undefined;
          return i < 0 && method === 'index' ? undefined : i;
        }
        case 'absolute':
        case 'resolve':
        case 'expanduser':
          return typeof recv === 'string' ? recv : undefined;
        default:
          return undefined;
      }
    }
    // A zero-argument lambda bound to a name: `get_url = lambda: ''.join(...)`.
    if (fnNode.type === 'identifier') {
      const b = this.ctx.lookup(fnNode.text, node.startIndex, node);
      if (b?.kind === 'assign' && b.value?.type === 'lambda') {
        const params = b.value.childForFieldName('parameters');
        if (!params || params.namedChildCount === 0) return this.sub(b.value.childForFieldName('body'), env);
        const names = params.namedChildren.map((p) => (p.type === 'identifier' ? p.text : undefined));
        if (names.length > 4 || names.some((n) => !n)) return undefined;
        const inner: Env = new Map();
        for (let i = 0; i < names.length; i++) {
          const v = arg(i);
          if (v === undefined) return undefined;
          inner.set(names[i]!, v);
        }
        return this.sub(b.value.childForFieldName('body'), inner);
      }
      if (b?.kind === 'def' && b.value) {
        // `def f(): return '<const>'`
        const body = b.value.childForFieldName('body');
        const params = b.value.childForFieldName('parameters');
        const stmts = body?.namedChildren.filter((s) => s && s.type !== 'comment') ?? [];
        if (stmts.length === 1 && stmts[0]?.type === 'return_statement') {
          // `def f(x): return decode(x)`: fold with the parameters bound to the folded arguments.
          const names = (params?.namedChildren ?? []).map((p) =>
            p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren[0])?.text,
          );
          if (names.length === 0) return this.sub(stmts[0].namedChildren[0], env);
          if (names.length > 4 || names.some((n) => !n)) return undefined;
          const inner: Env = new Map();
          for (let i = 0; i < names.length; i++) {
            const v = arg(i);
            if (v === undefined) return undefined;
            inner.set(names[i]!, v);
          }
          return this.sub(stmts[0].namedChildren[0], inner);
        }
      }
    }
    const name = this.qualify(fnNode);
    if (!name) return undefined;
    if (Object.hasOwn(DECODERS, name)) {
      const v = arg(0);
      if (v === undefined) return undefined;
      return DECODERS[name]!(
        v,
        argNodes.slice(1).map((n) => this.sub(n, env) ?? null),
      );
    }
    switch (name) {
      case 'chr': {
        const n = arg(0);
        return typeof n === 'number' && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
      }
      case 'ord': {
        const s = arg(0);
        return typeof s === 'string' && s.length > 0 ? s.codePointAt(0) : undefined;
      }
      case 'str': {
        const v = arg(0);
        return v === undefined ? (argNodes.length === 0 ? '' : undefined) : (pyStr(v) ?? undefined);
      }
      case 'int': {
        const v = arg(0);
        const base = arg(1);
        if (typeof v === 'number') return Math.trunc(v);
        if (typeof v === 'string') {
          const n = Number.parseInt(v.trim(), typeof base === 'number' ? base : 10);
          return Number.isFinite(n) ? n : undefined;
        }
        return undefined;
      }
      case 'bytes':
      case 'bytearray': {
        const v = arg(0);
        if (Array.isArray(v) && v.every((x) => typeof x === 'number'))
          return new PyBytes(Buffer.from(v as number[]));
        if (typeof v === 'string') return new PyBytes(Buffer.from(v, 'utf8'));
        if (v instanceof PyBytes) return v;
        return undefined;
      }
      case 'list':
      case 'tuple':
        return this.iterate(arg(0));
      case 'reversed': {
        const items = this.iterate(arg(0));
        return items ? [...items].reverse() : undefined;
      }
      case 'map': {
        const fn = argNodes[0];
        const items = this.iterate(arg(1));
        if (!fn || !items) return undefined;
        const f = this.qualify(fn);
        if (f === 'chr')
          return items.map((x) => (typeof x === 'number' ? String.fromCodePoint(x) : '')) as PyValue[];
        if (f === 'str') return items.map((x) => pyStr(x) ?? '') as PyValue[];
        if (f === 'ord')
          return items.map((x) => (typeof x === 'string' ? (x.codePointAt(0) ?? 0) : 0)) as PyValue[];
        return undefined;
      }
      default:
        break;
    }
    return undefined;
  }

  /** The binding an identifier refers to at its position. */
  binding(node: Node) {
    return this.ctx.lookup(node.text, node.startIndex, node);
  }

  /** The command line of a process call's first argument (a string or a list of words). */
  commandText(node: Node | null | undefined): string | undefined {
    if (!node) return undefined;
    const v = this.evaluate(node);
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map((x) => pyStr(x) ?? '?').join(' ');
    if (node.type === 'list' || node.type === 'tuple')
      return node.namedChildren.map((c) => this.evaluateString(c) ?? '?').join(' ');
    return undefined;
  }

  // ---------------- taint ----------------
  /**
   * Labels of where a value comes from: `remote` (network response), `secret` (environment,
   * credential files), `recon` (host fingerprint), `decoded` (passed through a decoder),
   * `conn` (a socket/HTTP connection object).
   */
  taint(node: Node | null | undefined): Set<string> {
    if (!node) return new Set();
    const cached = this.taintMemo.get(node.id);
    if (cached) return cached;
    if (this.inProgress.has(-node.id - 1) || this.depth > MAX_DEPTH) return new Set();
    this.inProgress.add(-node.id - 1);
    this.depth++;
    let out: Set<string>;
    try {
      out = this.taintNode(node);
    } catch {
      out = new Set();
    } finally {
      this.depth--;
      this.inProgress.delete(-node.id - 1);
    }
    this.taintMemo.set(node.id, out);
    return out;
  }

  /**
   * Whether a function is a chat bot's message handler (`@bot.message_handler(...)`,
   * `@client.event async def on_message(m)`, `CommandHandler('x', fn)`): its parameters carry
   * what a remote chat user typed, like a socket `recv`.
   */
  private isChatHandler(fn: string, scope: number | undefined): boolean {
    const key = `${fn}@${scope}`;
    const known = this.chatHandlerMemo.get(key);
    if (known !== undefined) return known;
    let result = false;
    if ([...this.ctx.facts.modules].some((m) => CHAT_LIBRARY.test(m))) {
      const def = this.ctx.bindings.get(fn)?.find((d) => d.kind === 'def' && d.value?.startIndex === scope);
      const decorated = def?.value?.parent;
      if (decorated?.type === 'decorated_definition')
        for (const d of decorated.namedChildren)
          if (
            d?.type === 'decorator' &&
            (CHAT_HANDLER_DECORATOR.test(d.text) ||
              (/^@\s*[\w.]+\.event\b/.test(d.text) && /^on_message/.test(fn)))
          )
            result = true;
      for (const registrar of ['CommandHandler', 'MessageHandler', 'register_message_handler'])
        for (const site of this.ctx.callSites.get(registrar) ?? [])
          if (
            site
              .childForFieldName('arguments')
              ?.namedChildren.some((a) => a?.type === 'identifier' && a.text === fn)
          )
            result = true;
    }
    this.chatHandlerMemo.set(key, result);
    return result;
  }

  private union(nodes: Array<Node | null | undefined>, extra: string[] = []): Set<string> {
    const out = new Set<string>(extra);
    for (const n of nodes) for (const t of this.taint(n)) out.add(t);
    return out;
  }

  private taintNode(node: Node): Set<string> {
    switch (node.type) {
      case 'identifier': {
        // Wallet secrets named as such (a `private_key` parameter sent to a server is theft).
        if (WALLET_SECRET_NAME.test(node.text)) return new Set(['secret']);
        const list = this.ctx.bindingsFor(node.text, node);
        if (!list) return new Set();
        const out = new Set<string>();
        for (const b of list) {
          if (
            (b.kind === 'assign' || b.kind === 'augassign' || b.kind === 'for' || b.kind === 'item') &&
            b.value
          )
            for (const t of this.taint(b.value)) out.add(t);
          if (b.kind === 'param' && b.fn !== undefined && this.isChatHandler(b.fn, b.scope))
            out.add('remote');
          if (b.kind === 'param' && b.fn !== undefined && b.index !== undefined) {
            // A parameter carries what its callers pass at that position.
            for (const site of this.ctx.callSites.get(b.fn) ?? []) {
              const args =
                site
                  .childForFieldName('arguments')
                  ?.namedChildren.filter((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment') ??
                [];
              for (const t of this.taint(args[b.index])) out.add(t);
            }
          }
        }
        // `with urlopen(u) as r` / `except` bindings are not tracked; `for k in os.environ` is.
        return out;
      }
      case 'attribute': {
        const q = this.qualify(node);
        if (q === 'os.environ' || q === 'os.environb') return new Set(['secret', 'env']);
        if (node.childForFieldName('object')?.text === 'self') {
          // `self.e = open('/proc/self/environ').read()` ... `urlopen(u, data=self.e)`
          // Only whole-environment dumps, downloads and decoded data cross instance attributes:
          // a DB client keeping `self.user = getpass.getuser()` or a password it then sends to its
          // own server is ordinary.
          const own = this.ctx.bindings.get(node.text);
          if (own) {
            const all = this.union(own.map((b) => b.value));
            const kept = new Set<string>(
              [...all].filter((t) => t === 'env' || t === 'remote' || t === 'decoded'),
            );
            if (kept.has('env')) kept.add('secret');
            return kept;
          }
        }
        // Web request data (a handler in the package serving requests): attacker-controlled input.
        if (
          (q &&
            /^(flask\.request|bottle\.request|request)\.(args|form|values|data|json|get_json|headers|cookies)/.test(
              q,
            ) &&
            q.startsWith('flask')) ||
          q?.startsWith('bottle.request')
        )
          return new Set(['remote']);
        return this.taint(node.childForFieldName('object'));
      }
      case 'subscript': {
        const q = this.qualify(node.childForFieldName('value'));
        if (q === 'os.environ') {
          const key = this.evaluateString(node.childForFieldName('subscript'));
          if (key && SECRET_ENV.test(key)) return new Set(['secret']);
          if (key && RECON_ENV.test(key)) return new Set(['recon']);
          return new Set();
        }
        return this.taint(node.childForFieldName('value'));
      }
      case 'call': {
        let fn = node.childForFieldName('function');
        while (fn?.type === 'parenthesized_expression' && fn.namedChildren[0]) fn = fn.namedChildren[0];
        const name = this.qualify(fn);
        const argsNode = node.childForFieldName('arguments');
        const args = argsNode ? argsNode.namedChildren : [];
        if (name && (NETWORK_FETCH.has(name) || /^(requests|httpx)\.(get|post|request)$/.test(name)))
          return new Set(['remote']);
        if (
          name &&
          /^(socket\.socket|socket\.create_connection|http\.client\.HTTPS?Connection|requests\.Session|httpx\.Client)$/.test(
            name,
          )
        )
          return new Set(['conn']);
        if (name && RECON_SOURCES.has(name)) return new Set(['recon']);
        // Stack frames of the program that imported the package: their file names lead to its source.
        if (name && CALLER_FRAMES.has(name)) return new Set(['frame']);
        if (name && COMMAND_OUTPUT.has(name)) {
          // The output of `whoami`/`hostname`/`id`/`env`... is host data like platform.node().
          const label = commandOutputLabel(this.commandText(args[0]));
          if (label) return new Set([label]);
        }
        // `chr(ord(c) ^ ord(k))`: a character-level XOR decoder.
        if (name === 'chr' && args[0] && /\^/.test(args[0].text) && args[0].text.length < 400)
          return this.union(args, ['decoded']);
        if (
          name === 'os.getenv' ||
          name === 'os.environ.get' ||
          name === 'os.environ.copy' ||
          name === 'dict'
        ) {
          if (name === 'os.environ.copy') return new Set(['secret', 'env']);
          if (name === 'dict') return this.union(args);
          const key = this.evaluateString(args[0]);
          if (key && SECRET_ENV.test(key)) return new Set(['secret']);
          if (key && RECON_ENV.test(key)) return new Set(['recon']);
          return new Set();
        }
        if (name && Object.hasOwn(DECODERS, name)) return this.union(args, ['decoded']);
        if (fn?.type === 'identifier') {
          const b = this.ctx.lookup(fn.text, node.startIndex, node);
          if (b?.kind === 'def' && b.value) {
            // A local function returns what its return statements compute.
            const out = this.union(args);
            for (const r of b.value.descendantsOfType('return_statement'))
              for (const t of this.taint(r?.namedChildren[0])) out.add(t);
            return out;
          }
          if (b?.kind === 'assign' && b.value?.type === 'lambda')
            return this.union([...args, b.value.childForFieldName('body')]);
        }
        if (fn?.type === 'attribute' && fn.childForFieldName('object')?.text === 'self') {
          // `self.decode(blob)`: a method of the same class returns what its returns compute.
          const method = fn.childForFieldName('attribute')?.text ?? '';
          const def = this.ctx.bindings.get(method)?.find((b) => b.kind === 'def' && b.value);
          if (def?.value) {
            const out = this.union(args);
            for (const r of def.value.descendantsOfType('return_statement'))
              for (const t of this.taint(r?.namedChildren[0])) out.add(t);
            return out;
          }
        }
        if (
          (name === 'open' || name === 'io.open' || name === 'codecs.open' || name === 'inspect.getsource') &&
          this.taint(args[0]).has('frame')
        )
          // `open(inspect.stack()[1].filename).read()`: the importing program's own source, where its
          // API keys and wallet keys live.
          return new Set(['secret', 'source']);
        if (name === 'open' || name === 'io.open' || name === 'codecs.open') {
          const paths = this.pathsOf(args[0]);
          if (paths.some((p) => /^\/proc\/(?:self|\d+)\/environ$/.test(p))) return new Set(['secret', 'env']);
          return paths.some(isSecretPath) ? new Set(['secret']) : new Set();
        }
        if (fn?.type === 'attribute') {
          const method = fn.childForFieldName('attribute')?.text ?? '';
          const recv = this.taint(fn.childForFieldName('object'));
          if (recv.has('conn') && /^(recv|recv_into|makefile|getresponse|read)$/.test(method))
            return new Set(['remote']);
          if (
            /^(decrypt|decompress|b64decode|b32decode|b85decode|unhexlify|fromhex|loads)$/.test(method) &&
            !/^(json|simplejson|orjson|ujson|yaml|toml|tomllib|tomli)\./.test(name ?? '')
          ) {
            const out = this.union([...args, fn.childForFieldName('object')], ['decoded']);
            out.delete('conn');
            return out;
          }
          if (
            name?.startsWith('call:') ||
            !name ||
            /^(read|text|content|json|decode|encode|get|items|keys|values|copy|readlines|hex|strip|split|format|join|replace)$/.test(
              method,
            )
          ) {
            const out = new Set<string>(recv);
            out.delete('conn');
            for (const t of this.union(args)) out.add(t);
            return out;
          }
          return this.union([...args, fn.childForFieldName('object')]);
        }
        return this.union(args);
      }
      case 'string':
        return this.union(node.namedChildren.filter((c) => c?.type === 'interpolation'));
      case 'await':
      case 'interpolation':
      case 'parenthesized_expression':
      case 'binary_operator':
      case 'concatenated_string':
      case 'list':
      case 'tuple':
      case 'set':
      case 'dictionary':
      case 'pair':
      case 'keyword_argument':
      case 'argument_list':
      case 'expression_list':
      case 'list_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
      case 'for_in_clause':
      case 'conditional_expression':
      case 'boolean_operator':
        return this.union(node.namedChildren);
      default:
        return new Set();
    }
  }
}

/**
 * Wallet secrets named as such (a `private_key` / `from_private_key` parameter sent to a server is
 * theft): the name, optionally with a prefix and an encoding suffix.
 */
const WALLET_SECRET_NAME =
  /^(?:\w+_)?(?:private_?key|priv_?key|mnemonic|seed_?phrase|wallet_?seed|secret_?phrase)s?(?:_(?:hex|str|bytes|b58|base58|words))?$/i;

/** A path whose content is a credential: the cheap hint, high-severity credential stores, stealer targets. */
function isSecretPath(path: string): boolean {
  return (
    SENSITIVE_HINT.test(path) ||
    matchSensitivePaths(path).some((m) => m.severity === 'high') ||
    indicators().stealer.some((s) => s.re.test(path))
  );
}

/** Calls that give the stack frames (and so the source files) of the calling program. */
const CALLER_FRAMES = new Set([
  'inspect.stack',
  'inspect.currentframe',
  'inspect.getouterframes',
  'inspect.getframeinfo',
  'sys._getframe',
  'traceback.extract_stack',
]);

/** Chat bot libraries whose message handlers receive what a remote user typed. */
const CHAT_LIBRARY =
  /^(?:telebot|telegram|aiogram|pyrogram|telethon|discord|nextcord|disnake|interactions)\b/;
const CHAT_HANDLER_DECORATOR =
  /^@\s*[\w.]+\.(?:message_handler|edited_message_handler|channel_post_handler|callback_query_handler|on_message|on_edited_message|command|hybrid_command|message)\b/;

/** The `for` statement around an augmented assignment, if it starts after `after`. */
function enclosingLoop(node: Node, after: number): Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'module' || p.type === 'while_statement')
      return undefined;
    if (p.type === 'for_statement') return p.startIndex > after ? p : undefined;
  }
  return undefined;
}

/** Calls whose result is (or gives access to) a command's output. */
const COMMAND_OUTPUT = new Set([
  'os.popen',
  'subprocess.check_output',
  'subprocess.getoutput',
  'subprocess.getstatusoutput',
  'subprocess.run',
  'subprocess.Popen',
  'commands.getoutput',
]);

const RECON_COMMAND =
  /^(?:whoami|id|hostname|uname|pwd|ifconfig|ipconfig|ip\s+a(?:ddr)?|systeminfo|getmac|wmic\s+(?:csproduct|bios|computersystem|os)|net\s+user|cat\s+\/etc\/(?:passwd|hosts|hostname|os-release)|ls|dir|w|who|last|ps|curl\s+(?:-s\s+)?(?:https?:\/\/)?(?:ifconfig\.me|ipinfo\.io|api\.ipify\.org|icanhazip\.com))\b/i;
const FETCH_TO_STDOUT = /^(?:curl(?:\.exe)?\s[^|;&]*https?:\/\/|wget\s[^|;&]*-q?O\s*-\s)/i;
const SECRET_COMMAND =
  /^(?:env|printenv|set|export\s+-p|cat\s+\S*(?:\.ssh|\.aws|\.npmrc|\.pypirc|\.netrc|\/etc\/shadow|\.git-credentials|\.env\b))/i;

/**
 * Taint label for the output of a command: `secret` (environment, key files), `recon`, or
 * `remote` (a page fetched to stdout by curl/wget: network data, like a response body).
 */
export function commandOutputLabel(command: string | undefined): 'secret' | 'recon' | 'remote' | undefined {
  if (!command) return undefined;
  const first = command.trim().replace(/^(?:\/(?:usr\/)?s?bin\/)/, '');
  if (SECRET_COMMAND.test(first)) return 'secret';
  if (RECON_COMMAND.test(first)) return 'recon';
  if (FETCH_TO_STDOUT.test(first) && !/\s(?:-o|--output)[\s=]/.test(first)) return 'remote';
  return undefined;
}

/** Paths whose content is a secret (cheap pre-check; the full list is data/sensitive-paths.json). */
const SENSITIVE_HINT =
  /\/proc\/self\/environ|\.ssh|\.aws|\.npmrc|\.pypirc|\.netrc|\.git-credentials|Login Data|Cookies|Local State|leveldb|wallet|\.env$|\.kube|\.docker|gcloud|passwd|shadow|keychain|tdata/i;

export { hexDecode, isBytes };
