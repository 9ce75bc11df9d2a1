import { parse as parseShell } from 'shell-quote';
import type { Category, Severity } from '../../core/types.js';
import { matchSensitivePaths } from '../text/sensitive.js';

/** One dangerous technique recognised in a shell command line. */
export interface CommandTechnique {
  id:
    | 'download-pipe-shell'
    | 'download-execute'
    | 'reverse-shell'
    | 'inline-code'
    | 'decode-payload'
    | 'encoded-powershell'
    | 'lolbin'
    | 'hidden-background'
    | 'network-tool'
    | 'exfil-env'
    | 'destructive'
    | 'persistence'
    | 'credential-access'
    | 'exfil-command-output'
    | 'secret-tool'
    | 'worm-publish'
    | 'miner'
    | 'second-stage-runtime';
  category: Category;
  severity: Severity;
  description: string;
  match: string;
}

type Token = string | { op: string } | { comment: string } | { pattern: string; op: 'glob' };

const DOWNLOADERS = new Set([
  'curl',
  'wget',
  'iwr',
  'invoke-webrequest',
  'invoke-restmethod',
  'irm',
  'certutil',
  'bitsadmin',
  'fetch',
  'aria2c',
  'tftp',
]);
const POWERSHELL = new Set(['powershell', 'powershell.exe', 'pwsh', 'pwsh.exe']);
/** Commands that start a downloaded file (besides the shells). */
const RUNNERS = new Set([
  'start-process',
  'saps',
  'start',
  '&',
  'invoke-item',
  'ii',
  'rundll32',
  'regsvr32',
  'msiexec',
]);
/** PowerShell options that take a value (`-ExecutionPolicy Bypass`). */
const PS_VALUE_FLAGS =
  /^-(executionpolicy|ep|exec|windowstyle|w|file|f|version|v|psconsolefile|configurationname|workingdirectory|wd|inputformat|outputformat)$/i;

/** The script part of a PowerShell command line: after -Command, else the first non-option words. */
function powershellScript(args: string[]): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (/^-(c|command)$/i.test(a)) return args.slice(k + 1).join(' ') || undefined;
    if (/^-(f|file|e|en|enc|encodedcommand)$/i.test(a)) return undefined;
    if (PS_VALUE_FLAGS.test(a)) {
      k++;
      continue;
    }
    if (!a.startsWith('-')) return args.slice(k).join(' ');
  }
  return undefined;
}

const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'python',
  'python3',
  'node',
  'perl',
  'ruby',
  'iex',
  'invoke-expression',
  'pwsh',
  'powershell',
  'powershell.exe',
  'cmd',
  'cmd.exe',
]);
const LOLBINS = new Set([
  'rundll32',
  'rundll32.exe',
  'regsvr32',
  'regsvr32.exe',
  'mshta',
  'mshta.exe',
  'certutil',
  'certutil.exe',
  'bitsadmin',
  'wscript',
  'cscript',
  'msiexec',
  'msiexec.exe',
  'installutil',
]);
const NETWORK_TOOLS = new Set([
  'nc',
  'ncat',
  'netcat',
  'socat',
  'telnet',
  'nslookup',
  'dig',
  'host',
  'ping',
  'curl',
  'wget',
  'ssh',
  'scp',
]);

const POSIX_SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);

/** The script of `sh -c SCRIPT` (also `-lc`, `-ec`…) or `cmd /c SCRIPT`, if the command is one. */
function shellScriptArgument(first: string, args: string[]): string | undefined {
  if (POSIX_SHELLS.has(first)) {
    const at = args.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    return at > 0 ? args[at + 1] : undefined;
  }
  if (first === 'cmd' || first === 'cmd.exe') {
    const at = args.findIndex((a, i) => i > 0 && /^\/[ck]$/i.test(a));
    return at > 0 && at + 1 < args.length ? args.slice(at + 1).join(' ') : undefined;
  }
  return undefined;
}

function word(t: Token): string | undefined {
  return typeof t === 'string' ? t : undefined;
}

function base(cmd: string): string {
  return cmd.replace(/^.*[\\/]/, '').toLowerCase();
}

/** Splits a command line into simple commands (words), keeping the operator that follows each. */
function simpleCommands(tokens: Token[]): Array<{ words: string[]; next?: string }> {
  const out: Array<{ words: string[]; next?: string }> = [];
  let current: string[] = [];
  for (const t of tokens) {
    if (typeof t === 'object' && 'op' in t && t.op !== 'glob') {
      out.push({ words: current, next: t.op });
      current = [];
    } else if (typeof t === 'object' && 'pattern' in t) current.push(t.pattern);
    else if (typeof t === 'string') current.push(t);
  }
  if (current.length > 0) out.push({ words: current });
  return out;
}

/**
 * Recognises malicious shell idioms in a command (npm lifecycle scripts, arguments to
 * child_process, shell files): download piped to a shell, /dev/tcp reverse shells, inline
 * interpreters, base64 decoding, encoded PowerShell, LOLBins, hidden background processes.
 */
export function analyzeCommand(command: string, depth = 0): CommandTechnique[] {
  const found: CommandTechnique[] = [];
  const add = (t: CommandTechnique) => {
    if (!found.some((f) => f.id === t.id)) found.push(t);
  };
  let tokens: Token[];
  try {
    tokens = parseShell(command, (k) => `$${k}`) as Token[];
  } catch {
    tokens = command.split(/\s+/);
  }
  const cmds = simpleCommands(tokens);
  // `cp "$(which curl)" /tmp/x; /tmp/x URL | sh`: a downloader copied or linked under another name
  // is still that downloader (tools that match on the name `curl` miss it).
  const renamed = new Map<string, string>();
  for (let i = 0; i < cmds.length; i++) {
    const { words, next } = cmds[i]!;
    const args = words.filter((w) => !/^\w+=/.test(w));
    const name = args[0] ? base(args[0]) : '';
    const first = renamed.get(name) ?? name;
    const copy = name === 'sudo' || name === 'doas' ? args.slice(1).filter((a) => !a.startsWith('-')) : args;
    const copier = copy[0] ? base(copy[0]) : '';
    if ((copier === 'cp' || copier === 'ln' || copier === 'install' || copier === 'mv') && copy.length >= 3) {
      const operands = copy.slice(1).filter((a) => !a.startsWith('-'));
      const from = operands.length >= 2 ? base(operands[operands.length - 2]!) : '';
      const to = operands.length >= 2 ? base(operands[operands.length - 1]!) : '';
      if (DOWNLOADERS.has(from) && to && !DOWNLOADERS.has(to)) renamed.set(to, from);
    }
    if (POWERSHELL.has(first) && depth < 2) {
      // `powershell Invoke-WebRequest … -OutFile x; Invoke-Expression x`: the arguments (and, as
      // cmd.exe passes them on, the commands after them) are a PowerShell script; analyse it too.
      const script = powershellScript(args.slice(1));
      if (script) {
        const after = cmds
          .slice(i + 1)
          .map((c) => `${c.words.join(' ')}${c.next ? ` ${c.next} ` : ''}`)
          .join('');
        for (const t of analyzeCommand(`${script}${next ? ` ${next} ` : ''}${after}`, depth + 1)) {
          add({ ...t, description: `${t.description} (in PowerShell)` });
        }
      }
    }
    const nextCmd = cmds[i + 1]?.words.filter((w) => !/^\w+=/.test(w)) ?? [];
    const nextName = nextCmd[0] ? base(nextCmd[0]) : '';
    if (depth < 3) {
      // `sh -c 'curl … | sh'`, `cmd /c "…"`: the argument is a script of its own.
      const inner = shellScriptArgument(first, args);
      if (inner)
        for (const t of analyzeCommand(inner, depth + 1))
          add({ ...t, description: `${t.description} (in ${first} -c)` });
      // `echo 'curl … | sh' | bash`: a literal script piped into a shell.
      if ((first === 'echo' || first === 'printf') && next === '|' && POSIX_SHELLS.has(nextName)) {
        const script = args
          .slice(1)
          .filter((a) => !/^-[neE]+$/.test(a))
          .join(' ');
        for (const t of analyzeCommand(script, depth + 1))
          add({ ...t, description: `${t.description} (in a script piped into ${nextName})` });
      }
    }
    if (DOWNLOADERS.has(first) && next === '|' && SHELLS.has(nextName)) {
      add({
        id: 'download-pipe-shell',
        category: 'dropper',
        severity: 'critical',
        description: `downloads with ${first} and pipes the response straight into ${nextName}`,
        match: `${words.join(' ')} | ${nextCmd.join(' ')}`,
      });
    }
    if (
      DOWNLOADERS.has(first) &&
      (next === '>' ||
        next === '>>' ||
        args.some((a) => a === '-o' || a === '-O' || a.startsWith('--output') || /^-outfile$/i.test(a)))
    ) {
      const rest = cmds.slice(i + 1).flatMap((c) => c.words.map(base));
      if (rest.some((w) => w === 'chmod' || SHELLS.has(w) || RUNNERS.has(w) || w.startsWith('./'))) {
        add({
          id: 'download-execute',
          category: 'dropper',
          severity: 'critical',
          description: `downloads a file with ${first} and then runs it`,
          match: words.join(' '),
        });
      }
    }
    if (
      (first === 'node' ||
        first === 'nodejs' ||
        first === 'bun' ||
        first.startsWith('python') ||
        first === 'perl' ||
        first === 'ruby') &&
      args.some((a) => a === '-e' || a === '-c' || a === '--eval' || a === '-p' || a === '-pe')
    ) {
      add({
        id: 'inline-code',
        category: 'execution',
        severity: 'low',
        description: `runs inline ${first} code from the command line`,
        match: words.join(' ').slice(0, 200),
      });
    }
    if (first === 'base64' && args.some((a) => a === '-d' || a === '--decode' || a === '-D')) {
      add({
        id: 'decode-payload',
        category: 'obfuscation',
        severity: 'high',
        description: 'decodes a base64 payload in the shell',
        match: words.join(' '),
      });
    }
    if (
      (first === 'powershell' || first === 'powershell.exe' || first === 'pwsh') &&
      args.some((a) => /^-(e|en|enc|encodedcommand)$/i.test(a))
    ) {
      add({
        id: 'encoded-powershell',
        category: 'obfuscation',
        severity: 'critical',
        description: 'runs an encoded PowerShell command',
        match: words.join(' ').slice(0, 200),
      });
    }
    if (
      (first === 'powershell' || first === 'powershell.exe' || first === 'pwsh') &&
      args.some((a) => /^-w(indowstyle)?$/i.test(a)) &&
      args.some((a) => /^hidden$/i.test(a))
    ) {
      add({
        id: 'hidden-background',
        category: 'evasion',
        severity: 'high',
        description: 'starts a hidden PowerShell window',
        match: words.join(' ').slice(0, 200),
      });
    }
    // msiexec abuse installs a package from a URL or registers a DLL (/y, /z); an installer
    // unpacking a local .msi (`msiexec /quiet /a file.msi TARGETDIR=…`) is what it is for.
    const localMsi =
      (first === 'msiexec' || first === 'msiexec.exe') &&
      !args.some((a) => /^(?:https?|ftp):\/\//i.test(a) || /^[/-][yz]$/i.test(a));
    if (LOLBINS.has(first) && !localMsi) {
      add({
        id: 'lolbin',
        category: 'dropper',
        severity: 'high',
        description: `uses the Windows living-off-the-land binary ${first}`,
        match: words.join(' ').slice(0, 200),
      });
    }
    if (
      (first === 'nohup' ||
        first === 'setsid' ||
        first === 'disown' ||
        (first === 'start' && args.some((a) => /^\/b$/i.test(a)))) &&
      args.length > 1
    ) {
      add({
        id: 'hidden-background',
        category: 'evasion',
        severity: 'medium',
        description: `detaches a process with ${first} so it outlives the install`,
        match: words.join(' ').slice(0, 200),
      });
    }
    if (NETWORK_TOOLS.has(first) && first !== 'curl' && first !== 'wget') {
      add({
        id: 'network-tool',
        category: 'network',
        severity: 'medium',
        description: `runs the network tool ${first}`,
        match: words.join(' ').slice(0, 200),
      });
    }
    if ((first === 'curl' || first === 'wget') && !found.some((f) => f.id.startsWith('download'))) {
      const data = args.some((a) =>
        /^(-d|--data|--data-binary|--data-raw|-F|--form|-T|--upload-file|--post-data|--post-file)/.test(a),
      );
      add({
        id: data ? 'exfil-env' : 'network-tool',
        category: data ? 'exfiltration' : 'network',
        severity: data ? 'high' : 'medium',
        description: data ? `sends data out with ${first}` : `contacts the network with ${first}`,
        match: words.join(' ').slice(0, 200),
      });
    }
    if (
      first === 'rm' &&
      args.some((a) => /^-[a-z]*r[a-z]*f|^-[a-z]*f[a-z]*r/i.test(a)) &&
      args.some(
        (a) => a === '/' || a === '~' || a === '$HOME' || a === '/*' || a === '~/' || a === '.' || a === '*',
      )
    ) {
      add({
        id: 'destructive',
        category: 'destruction',
        severity: 'critical',
        description: 'recursively deletes the home, root or current folder',
        match: words.join(' '),
      });
    }
    if (first === 'shred' && args.some((a) => /^(~|\$HOME|\/)/.test(a))) {
      add({
        id: 'destructive',
        category: 'destruction',
        severity: 'critical',
        description: 'shreds files in the home or root folder',
        match: words.join(' '),
      });
    }
    if (first === 'crontab' || (first === 'systemctl' && args.includes('enable'))) {
      add({
        id: 'persistence',
        category: 'persistence',
        severity: 'high',
        description: `installs persistence with ${first}`,
        match: words.join(' ').slice(0, 200),
      });
    }
  }
  // Reading credential stores: `cat ~/.npmrc`, `find ~/.ssh | xargs cat`, `tar ~/.aws`.
  for (const w of tokens.map(word)) {
    if (!w || w.length > 300) continue;
    const m = matchSensitivePaths(w.replace(/^\$HOME|^~/, '/home/u'))[0];
    if (m && m.severity !== 'low') {
      add({
        id: 'credential-access',
        category: 'credential-theft',
        severity: 'high',
        description: `touches ${m.kind} (${w})`,
        match: w,
      });
      break;
    }
  }
  // Command output sent to the network: `nslookup \`hostname\`.x`, `curl x/$(whoami)`.
  const exfilOut =
    /\b(nslookup|dig|host|ping|curl|wget|nc|ncat|telnet)\b[^|;&\n]*?(\$\([^)]*\)|`[^`]*`)/.exec(command);
  if (exfilOut) {
    add({
      id: 'exfil-command-output',
      category: 'exfiltration',
      severity: 'critical',
      description: `sends command output (${exfilOut[2]}) to a remote host with ${exfilOut[1]}${/nslookup|dig|host|ping/.test(exfilOut[1]!) ? ' (DNS exfiltration)' : ''}`,
      match: exfilOut[0].slice(0, 200),
    });
  }
  const secretTool =
    /\b(trufflehog|gitleaks|gh\s+auth\s+token|npm\s+token\s+(list|create)|security\s+find-generic-password)\b/i.exec(
      command,
    );
  if (secretTool) {
    add({
      id: 'secret-tool',
      category: 'credential-theft',
      severity: 'high',
      description: `runs a secret-harvesting command (${secretTool[1]})`,
      match: secretTool[0],
    });
  }
  if (/\bnpm\s+publish\b/.test(command)) {
    add({
      id: 'worm-publish',
      category: 'persistence',
      severity: 'high',
      description: 'publishes an npm package (worms republish other packages with a stolen token)',
      match: /\bnpm\s+publish\b[^;&|]*/.exec(command)![0],
    });
  }
  const persist =
    />>?\s*["']?(?:~|\$HOME|\$\{HOME\})?[^\s"']*(\.bashrc|\.zshrc|\.profile|\.bash_profile|authorized_keys|\/etc\/cron[^\s]*|LaunchAgents\/[^\s]*|\/etc\/systemd\/[^\s]*|\/etc\/rc\.local)/.exec(
      command,
    );
  if (persist) {
    add({
      id: 'persistence',
      category: 'persistence',
      severity: 'high',
      description: `writes to ${persist[1]} (runs again at every login/boot)`,
      match: persist[0],
    });
  }
  const runtime =
    /\bbun\.sh\/install\b|\bnpm\s+(i|install)\s+(-g|--global)\s+bun\b|deno\.land\/install\.sh|python\.org\/ftp\/python\/[^\s]*\.(exe|tgz|pkg)|\bsetup-bun\b/i.exec(
      command,
    );
  if (runtime) {
    add({
      id: 'second-stage-runtime',
      category: 'dropper',
      severity: 'high',
      description: `installs a separate runtime (${runtime[0]}) to run a second stage outside Node's view`,
      match: runtime[0],
    });
  }
  if (/\bxmrig\b|stratum\+(tcp|ssl):\/\//i.test(command)) {
    add({
      id: 'miner',
      category: 'miner',
      severity: 'critical',
      description: 'starts a cryptocurrency miner',
      match: /\bxmrig\b[^;&|]*|stratum\+(tcp|ssl):\/\/\S+/i.exec(command)![0],
    });
  }
  if (/\/dev\/(tcp|udp)\/[^\s/]+\/\d+/.test(command)) {
    add({
      id: 'reverse-shell',
      category: 'backdoor',
      severity: 'critical',
      description: 'opens a /dev/tcp socket (bash reverse shell)',
      match: /\/dev\/(tcp|udp)\/[^\s/]+\/\d+/.exec(command)![0],
    });
  }
  if (/\b(?:nc|ncat|netcat)\b[^|;&]*\s-e\s*\/bin\/(?:ba)?sh/.test(command)) {
    add({
      id: 'reverse-shell',
      category: 'backdoor',
      severity: 'critical',
      description: 'netcat with -e /bin/sh (reverse shell)',
      match: /\b(?:nc|ncat|netcat)\b[^|;&]*/.exec(command)![0],
    });
  }
  const stringTokens = tokens.map(word).filter((w): w is string => !!w);
  if (
    stringTokens.some((t) => /\$\(?(env|printenv)\)?/.test(t)) ||
    (stringTokens.includes('env') && command.includes('|'))
  ) {
    if (/\b(curl|wget|nc)\b/.test(command)) {
      add({
        id: 'exfil-env',
        category: 'exfiltration',
        severity: 'critical',
        description: 'sends the environment variables over the network',
        match: command.slice(0, 200),
      });
    }
  }
  return found;
}

/** The inline program of `node -e CODE` / `node -p CODE` in a command line, if any. */
export function inlineNodeCode(command: string): string | undefined {
  let tokens: Token[];
  try {
    tokens = parseShell(command, (k) => `$${k}`) as Token[];
  } catch {
    return undefined;
  }
  for (const { words } of simpleCommands(tokens)) {
    const first = words[0] ? base(words[0]) : '';
    if (first !== 'node' && first !== 'nodejs' && first !== 'bun') continue;
    const i = words.findIndex(
      (w) => w === '-e' || w === '--eval' || w === '-p' || w === '--print' || w === '-pe',
    );
    if (i >= 0 && words[i + 1]) return words[i + 1];
  }
  return undefined;
}

/** Script files a command runs with node (`node x.js`, `node ./lib/y`), resolved or not. */
export function nodeScriptArguments(command: string): string[] {
  let tokens: Token[];
  try {
    tokens = parseShell(command, (k) => `$${k}`) as Token[];
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const { words } of simpleCommands(tokens)) {
    const args = words.filter((w) => !/^\w+=/.test(w));
    const first = args[0] ? base(args[0]) : '';
    if (first !== 'node' && first !== 'nodejs') continue;
    if (args.some((a) => /^-(e|p|pe|-eval|-print)$/.test(a))) continue;
    const script = args.slice(1).find((a) => !a.startsWith('-'));
    if (script && /^[\w./@-]+$/.test(script) && !script.includes('$')) out.push(script);
  }
  return out;
}
