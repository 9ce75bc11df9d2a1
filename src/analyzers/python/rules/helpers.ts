import type { Severity } from '../../../core/types.js';
import type { PyContext } from '../engine.js';
import type { Node } from '../parser.js';

/** Rule metadata shared by every Python rule. */
export const py = { analyzer: 'python', ecosystems: ['pypi'] } as const;

/** Calls that start a process (the first argument is the command). */
export const PROCESS_CALLS = new Set([
  'subprocess.Popen',
  'subprocess.call',
  'subprocess.run',
  'subprocess.check_output',
  'subprocess.check_call',
  'subprocess.getoutput',
  'subprocess.getstatusoutput',
  'os.system',
  'os.popen',
  'os.popen2',
  'os.popen3',
  'os.execv',
  'os.execve',
  'os.execl',
  'os.execle',
  'os.execlp',
  'os.execvp',
  'os.execvpe',
  'os.spawnl',
  'os.spawnlp',
  'os.spawnv',
  'os.spawnve',
  'os.spawnvp',
  'os.posix_spawn',
  'os.startfile',
  'commands.getoutput',
  'commands.getstatusoutput',
  'pty.spawn',
  'asyncio.create_subprocess_shell',
  'asyncio.create_subprocess_exec',
  'win32api.ShellExecute',
  'ctypes.windll.shell32.ShellExecuteW',
  'ctypes.windll.shell32.ShellExecuteA',
  'sh.Command',
  'pexpect.spawn',
  'plumbum.local',
]);

/** Calls that talk to the network. */
export const NETWORK_CALLS = new Set([
  'urllib.request.urlopen',
  'urllib.request.urlretrieve',
  'urllib.request.Request',
  'urllib.request.build_opener',
  'urllib.urlopen',
  'urllib.urlretrieve',
  'urllib2.urlopen',
  'urllib2.Request',
  'requests.get',
  'requests.post',
  'requests.put',
  'requests.patch',
  'requests.request',
  'requests.head',
  'requests.Session',
  'httpx.get',
  'httpx.post',
  'httpx.put',
  'httpx.request',
  'httpx.Client',
  'httpx.AsyncClient',
  'aiohttp.ClientSession',
  'urllib3.PoolManager',
  'http.client.HTTPConnection',
  'http.client.HTTPSConnection',
  'httplib.HTTPConnection',
  'httplib.HTTPSConnection',
  'socket.socket',
  'socket.create_connection',
  'socket.gethostbyname',
  'socket.getaddrinfo',
  'ftplib.FTP',
  'smtplib.SMTP',
  'smtplib.SMTP_SSL',
  'dns.resolver.resolve',
  'dns.resolver.query',
  'pycurl.Curl',
  'wget.download',
  'discord_webhook.DiscordWebhook',
  'telebot.TeleBot',
  'websocket.create_connection',
  'websockets.connect',
  'paramiko.SSHClient',
]);

/** Calls that download to disk directly. */
export const DOWNLOAD_TO_DISK = new Set([
  'urllib.request.urlretrieve',
  'urllib.urlretrieve',
  'wget.download',
  'gdown.download',
]);

export const CODE_EXEC = new Set([
  'exec',
  'eval',
  'compile',
  'execfile',
  'runpy.run_path',
  'runpy.run_module',
  'types.FunctionType',
]);

const ORDER: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
export function maxSeverity(a: Severity, b: Severity): Severity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
export function severityRank(s: Severity): number {
  return ORDER.indexOf(s);
}

export function preview(s: string, n = 100): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
}

/** The command line of a process call: a string, or a list joined with spaces. */
export function commandOf(ctx: PyContext, call: Node): string | undefined {
  const { positional, keywords } = ctx.args(call);
  const first = positional[0] ?? keywords.get('args') ?? keywords.get('cmd');
  if (!first) return undefined;
  const v = ctx.evaluate(first);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v.map((x) => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '?'));
    return parts.join(' ');
  }
  // Partially known lists: keep the literal parts (`[sys.executable, '-m', 'pip', 'install', url]`).
  if (first.type === 'list' || first.type === 'tuple') {
    return first.namedChildren
      .map((c) => {
        const s = ctx.evaluateString(c);
        if (s !== undefined) return s;
        const q = ctx.qualify(c);
        return q === 'sys.executable' ? 'python' : '?';
      })
      .join(' ');
  }
  return undefined;
}

/** Whether a call node's callee resolves into a set, returning the name. */
export function calleeIn(ctx: PyContext, call: Node, set: Set<string>): string | undefined {
  const name = ctx.callee(call);
  return name && set.has(name) ? name : undefined;
}
