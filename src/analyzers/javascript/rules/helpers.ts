import { matchEndpoints } from '../../text/iocs.js';
import type { RuleContext } from '../engine.js';
import { FUNCTION_TYPES, type Node } from '../parse.js';

/** Rule metadata shared by every JavaScript rule. */
export const js = { analyzer: 'javascript', ecosystems: ['npm'] } as const;

/** Functions that start a process: child_process, and the Bun and Deno runtimes. */
export const PROCESS_EXEC = new Set([
  ...['exec', 'execSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork'].map(
    (m) => `child_process.${m}`,
  ),
  // the Bun and Deno runtimes' own process APIs (Shai-Hulud 2.0 installs Bun to run its payload)
  'Bun.spawn',
  'Bun.spawnSync',
  'Deno.run',
  'Deno.Command',
]);

/** Words a shell reads as themselves; anything else is quoted when an argv becomes a command line. */
const SHELL_SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** The command line an argv runs, quoted as a shell would need it (`sh -c 'curl … | sh'`). */
export function argvToCommand(argv: string[]): string {
  return argv.map((a) => (SHELL_SAFE_WORD.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** The value of `key` in an object literal, if it is written there. */
function propertyValue(obj: Node | undefined, key: string): Node | undefined {
  if (obj?.type !== 'ObjectExpression') return undefined;
  for (const p of obj.properties ?? []) {
    if (p.type === 'Property' && !p.computed && (p.key?.name ?? p.key?.value) === key) return p.value;
  }
  return undefined;
}

/**
 * The command line a process call runs, when it is constant: `exec`'s shell line as written,
 * spawn/execFile/fork's program and argument list as a quoted command line, Bun's and Deno's
 * argv arrays (`Bun.spawn(['sh', '-c', …])`, `{ cmd: [...] }`, `new Deno.Command(p, { args })`).
 */
export function commandOf(ctx: RuleContext, name: string, node: Node): string | undefined {
  const [a0, a1] = (node.arguments ?? []) as Node[];
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
  if (name === 'Bun.spawn' || name === 'Bun.spawnSync' || name === 'Deno.run') {
    const argv = strings(ctx.evaluate(a0?.type === 'ObjectExpression' ? propertyValue(a0, 'cmd') : a0));
    return argv?.length ? argvToCommand(argv) : undefined;
  }
  const command = ctx.evaluateString(a0);
  if (command === undefined) return undefined;
  if (name === 'child_process.exec' || name === 'child_process.execSync') return command;
  const args = strings(ctx.evaluate(name === 'Deno.Command' ? propertyValue(a1, 'args') : a1));
  return args ? argvToCommand([command, ...args]) : command;
}

/** Calls that open network connections or send requests. */
export const NETWORK_CALLS = new Set([
  'http.request',
  'http.get',
  'https.request',
  'https.get',
  'http2.connect',
  'net.connect',
  'net.createConnection',
  'net.Socket',
  'tls.connect',
  'dgram.createSocket',
  'dns.lookup',
  'dns.resolve',
  'dns.resolve4',
  'dns.resolveTxt',
  'dns.promises.lookup',
  'dns.promises.resolve',
  'dns.promises.resolveTxt',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'ws',
  'axios',
  'axios.get',
  'axios.post',
  'axios.request',
  'node-fetch',
  'request',
  'request.post',
  'request.get',
  'got',
  'got.post',
  'needle',
  'needle.post',
  'superagent.post',
  'undici.request',
  'undici.fetch',
  'navigator.sendBeacon',
  '$.ajax',
  '$.get',
  '$.post',
  '$.getJSON',
  'jQuery.ajax',
  'jQuery.post',
  'discord.js.WebhookClient',
  'ws.WebSocket',
  'socket.io-client',
  'socket.io-client.io',
  'node-fetch.default',
  'axios.default',
  'axios.put',
  'axios.create',
  'got.get',
  'phin',
  'undici.Client',
]);

/** System fingerprint sources used by recon/dependency-confusion beacons. */
export const FINGERPRINT_CALLS = new Set([
  'os.hostname',
  'os.userInfo',
  'os.networkInterfaces',
  'os.homedir',
  'os.platform',
  'os.type',
  'os.release',
  'os.arch',
  'os.cpus',
  'os.totalmem',
  'process.cwd',
  'os.tmpdir',
]);

/** Writes files. */
export const FILE_WRITES = new Set(
  [
    'writeFile',
    'writeFileSync',
    'appendFile',
    'appendFileSync',
    'createWriteStream',
    'promises.writeFile',
    'promises.appendFile',
  ].flatMap((m) => [`fs.${m}`, `fs/promises.${m.replace('promises.', '')}`, `fs-extra.${m}`]),
);

export const FILE_READS = new Set(
  [
    'readFile',
    'readFileSync',
    'createReadStream',
    'promises.readFile',
    'readdir',
    'readdirSync',
    'existsSync',
  ].flatMap((m) => [`fs.${m}`, `fs/promises.${m.replace('promises.', '')}`, `fs-extra.${m}`]),
);

/**
 * The function a name stands for in this file: `function f() {}`, or `const f = () => {}` never
 * reassigned (`await f` too). Undefined for anything else.
 */
export function localFunction(ctx: RuleContext, node: Node | undefined): Node | undefined {
  const id = node?.type === 'AwaitExpression' ? node.argument : node;
  if (id?.type !== 'Identifier') return undefined;
  const b = ctx.lookup(id.name);
  return b?.init && b.reassigned === 0 && FUNCTION_TYPES.has(b.init.type) ? b.init : undefined;
}

/** Qualified callee of a call or `new` expression. */
export function calleeName(ctx: RuleContext, node: Node): string | undefined {
  return ctx.qualify(node.callee);
}

/** True when the node is `process.env` (or an alias of it). */
export function isProcessEnv(ctx: RuleContext, node: Node | undefined): boolean {
  return !!node && ctx.qualify(node) === 'process.env';
}

/** True for string/number literals and templates without expressions: values fixed in the source. */
export function isLiteral(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'Literal' || node.type === 'StringLiteral') return true;
  return node.type === 'TemplateLiteral' && node.expressions.length === 0;
}

/** Text of a string value for display, shortened. */
export function preview(s: string, n = 100): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
}

/** A top-level string-producing expression (not a piece of a larger concatenation). */
export function isOutermostString(ctx: RuleContext, node: Node): boolean {
  const parent = ctx.parent();
  if (!parent) return true;
  if (parent.type === 'BinaryExpression' && parent.operator === '+') return false;
  if (parent.type === 'TemplateLiteral') return false;
  if (parent.type === 'Property' && parent.key === node) return false;
  if (
    parent.type === 'ImportDeclaration' ||
    parent.type === 'ExportNamedDeclaration' ||
    parent.type === 'ExportAllDeclaration'
  )
    return false;
  return true;
}

const IPV4_HOST = /^(?:\d{1,3}\.){3}\d{1,3}$/;

/**
 * Whether a download location is one legitimate installers do not use: a raw public IP,
 * plain HTTP to a remote host, or an exfiltration-grade host (paste, file-drop, tunnel...).
 */
export function isShadyLocation(value: string | undefined): boolean {
  if (!value) return false;
  // The cloud metadata service (169.254.169.254, fd00:ec2::254) serves credentials, not payloads:
  // naming it is NET-001's business, and it is no download source for a dropper.
  const endpoints = matchEndpoints(value);
  if (endpoints.some((m) => m.kind === 'cloud-metadata')) return false;
  // link-local 169.254.0.0/16 (ECS's 169.254.170.2 credentials endpoint) never serves the internet
  if (IPV4_HOST.test(value)) return !/^(127|10|0)\./.test(value) && !/^(192\.168|169\.254)\./.test(value);
  if (/^http:\/\//i.test(value) && !/^http:\/\/(localhost|127\.|\[::1\]|0\.0\.0\.0)/i.test(value))
    return true;
  return endpoints.some((m) => m.kind !== 'geo-ip');
}
