import { matchSensitivePaths } from '../../text/sensitive.js';
import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { isOutermostString, js, preview } from './helpers.js';

/** Flags string values that name secret stores: credential files, browser profiles, wallets. */
export const sensitiveFile: JsRule = {
  meta: {
    ...js,
    id: 'JS-004',
    name: 'sensitive-file-access',
    category: 'credential-theft',
    severity: 'high',
    confidence: 'medium',
    description:
      'Code names a credential store: .npmrc, ~/.ssh, ~/.aws, .git-credentials, kube/docker configs, browser "Login Data"/cookies, wallet files or extension ids.',
    rationale:
      'Stealers read these files to take tokens, keys, passwords and wallets; a general-purpose library has no reason to know where Chrome keeps its passwords.',
    falsePositives:
      "Tools that manage these files for the user (npm config helpers, SSH clients, cloud SDK credential providers) mention them legitimately. Outside install-time code the finding weighs medium in files over 200 KB (bundled CLIs) and for stores that are tooling's own configuration (npm/yarn config, .env, Maven settings.xml, .netrc/.pgpass/.my.cnf); browser profiles, chat-token stores, wallets and SSH keys keep high. known_hosts alone and browser executables are not stores.",
    example: "fs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'))",
    references: [
      'https://attack.mitre.org/techniques/T1552/001/',
      'https://attack.mitre.org/techniques/T1555/003/',
    ],
  },
  create(ctx) {
    const seen = new Set<string>();
    const check = (node: Node, value: string | undefined) => {
      if (!value) return;
      for (const m of matchSensitivePaths(value)) {
        if (seen.has(m.kind)) continue;
        seen.add(m.kind);
        ctx.facts.capabilities.add('secret-file');
        ctx.report({
          node,
          message: `Refers to ${m.kind}: "${preview(value, 80)}".`,
          severity: m.severity,
          evidence: { secret: m.kind, value: preview(value, 200) },
        });
      }
    };
    const onString = (node: Node) => {
      if (!isOutermostString(ctx, node)) return;
      // Unknown parts fold to `*`: `base + '/Login Data'` still names the credential store.
      let value = ctx.evaluateString(node);
      if (value === undefined && node.type !== 'Literal') {
        const path = ctx.taint.pathString(node);
        // only path-shaped results, not prose with a placeholder in it
        if (path && /[/\\]/.test(path) && (path.match(/ /g)?.length ?? 0) <= 3) value = path;
      }
      if (value !== undefined && isProse(value)) return;
      check(node, value);
    };
    return {
      Literal(node) {
        if (typeof node.value === 'string') onString(node);
      },
      TemplateLiteral: onString,
      BinaryExpression(node) {
        if (node.operator === '+') onString(node);
      },
      CallExpression(node) {
        const name = ctx.qualify(node.callee);
        if (
          name !== 'path.join' &&
          name !== 'path.resolve' &&
          name !== 'path.posix.join' &&
          name !== 'path.win32.join'
        )
          return;
        const parts = node.arguments.map((a: Node) => ctx.evaluateString(a) ?? '*');
        check(node, parts.join('/'));
      },
    };
  },
};

/**
 * Help texts and error messages ("No cached account found in local state.", "Reads X from
 * `.npmrc`") name credential stores in words; paths and commands that reach them have a path
 * separator. Several words and no separator is prose.
 */
export function isProse(value: string): boolean {
  if (value.includes('/') || value.includes('\\')) return false;
  let spaces = 0;
  for (let i = 0; i < value.length && spaces < 4; i++) if (value.charCodeAt(i) === 32) spaces++;
  return spaces >= 4;
}
