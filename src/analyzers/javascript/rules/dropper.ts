import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, FILE_WRITES, js, NETWORK_CALLS, PROCESS_EXEC } from './helpers.js';

const CHMOD = new Set(['fs.chmod', 'fs.chmodSync', 'fs/promises.chmod', 'fs.promises.chmod']);

/** Flags a file that downloads, writes a file and then executes or marks it executable. */
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
      'Binary installers of legitimate CLIs (esbuild-style postinstall downloaders) do the same; they usually verify a checksum and download from their own release host.',
    example:
      "https.get(u, r => r.pipe(fs.createWriteStream(p)).on('finish', () => { fs.chmodSync(p, 0o755); spawn(p) }))",
    references: ['https://attack.mitre.org/techniques/T1105/'],
  },
  create(ctx) {
    let net: Node | undefined;
    let write: Node | undefined;
    let exec: Node | undefined;
    let chmod: Node | undefined;
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name) return;
      if (NETWORK_CALLS.has(name)) net ??= node;
      else if (FILE_WRITES.has(name)) write ??= node;
      else if (PROCESS_EXEC.has(name)) exec ??= node;
      else if (CHMOD.has(name)) chmod ??= node;
    };
    return {
      CallExpression: check,
      NewExpression: check,
      'Program:done'() {
        if (!net || !write || !(exec || chmod)) return;
        ctx.facts.capabilities.add('dropper');
        ctx.report({
          node: (exec ?? chmod)!,
          message: `Downloads (${calleeName(ctx, net)}), writes a file (${calleeName(ctx, write)}) and ${exec ? `runs a process (${calleeName(ctx, exec)})` : 'makes it executable (chmod)'}.`,
          evidence: {
            network: calleeName(ctx, net),
            write: calleeName(ctx, write),
            exec: exec && calleeName(ctx, exec),
            chmod: !!chmod,
          },
        });
      },
    };
  },
};
