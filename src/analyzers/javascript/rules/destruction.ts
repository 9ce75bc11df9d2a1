import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, FILE_WRITES, js } from './helpers.js';

const DELETES = new Set([
  'fs.rmSync',
  'fs.rm',
  'fs.rmdirSync',
  'fs.rmdir',
  'fs/promises.rm',
  'fs.promises.rm',
  'rimraf',
  'rimraf.sync',
  'rimraf.rimrafSync',
  'fs-extra.remove',
  'fs-extra.removeSync',
  'fs-extra.emptyDir',
  'fs-extra.emptyDirSync',
  'del',
  'del.sync',
  'del.deleteSync',
]);
/** Folded path shapes that mean "everything the user owns". */
const ROOTS = /^(\/|~|~\/|\$HOME|[A-Z]:\\?\\?|\/home|\/Users|\/root|\/\*|~\/\*)$/i;
const CIPHERS = new Set(['crypto.createCipheriv', 'crypto.createCipher', 'crypto.publicEncrypt']);
const LISTINGS = new Set([
  'fs.readdirSync',
  'fs.readdir',
  'fs/promises.readdir',
  'glob.sync',
  'glob',
  'fast-glob.sync',
]);

/** Flags recursive deletion of home/root/cwd and walking the disk to encrypt or overwrite files. */
export const destruction: JsRule = {
  meta: {
    ...js,
    id: 'JS-018',
    name: 'destructive-file-operations',
    category: 'destruction',
    severity: 'critical',
    confidence: 'medium',
    description:
      'Code recursively deletes the home folder, the filesystem root or the working directory, or walks folders and encrypts/overwrites the files it finds.',
    rationale:
      'Wipers and protestware (node-ipc) destroy developer data; ransomware-style code encrypts files in place. Libraries clean up their own temp folders, not $HOME.',
    falsePositives:
      'Cleanup CLIs (rimraf) invoked on user-supplied paths are not flagged; only fixed home/root/cwd targets are.',
    example: 'fs.rmSync(os.homedir(), { recursive: true, force: true })',
    references: ['https://attack.mitre.org/techniques/T1485/', 'https://attack.mitre.org/techniques/T1486/'],
  },
  create(ctx) {
    let cipher: Node | undefined;
    let listing = false;
    let write: Node | undefined;
    const rootOf = (node: Node | undefined): string | undefined => {
      if (!node) return undefined;
      const name = node.type === 'CallExpression' ? calleeName(ctx, node) : undefined;
      if (name === 'os.homedir' || name === 'process.cwd') return `${name}()`;
      const q = ctx.qualify(node);
      if (q === 'process.env.HOME' || q === 'process.env.USERPROFILE' || q === '__dirname')
        return q === '__dirname' ? undefined : q;
      const path = ctx.taint.pathString(node);
      if (path !== undefined && !path.includes('*') && ROOTS.test(path.replace(/\/+$/, '') || '/'))
        return path;
      if (path !== undefined && /^(\/\*|~\/\*)$/.test(path)) return path;
      if (node.type === 'CallExpression' && /^path\.(join|resolve)$/.test(name ?? '')) {
        const parts = node.arguments as Node[];
        if (parts.length === 1 || parts.slice(1).every((p) => /^\.?\/?$/.test(ctx.evaluateString(p) ?? 'x')))
          return rootOf(parts[0]);
      }
      return undefined;
    };
    return {
      CallExpression(node: Node) {
        const name = calleeName(ctx, node);
        if (!name) return;
        if (DELETES.has(name)) {
          const root = rootOf(node.arguments?.[0]);
          if (!root) return;
          ctx.facts.capabilities.add('destruction');
          ctx.report({
            node,
            message: `Deletes ${root} recursively (${name}).`,
            evidence: { target: root, via: name },
          });
        } else if (CIPHERS.has(name)) cipher ??= node;
        else if (LISTINGS.has(name)) listing = true;
        else if (FILE_WRITES.has(name)) write ??= node;
      },
      'Program:done'() {
        if (!cipher || !listing || !write) return;
        ctx.facts.capabilities.add('destruction');
        ctx.report({
          node: write,
          message: 'Lists folders, encrypts file contents and writes them back (ransomware pattern).',
          severity: 'high',
          confidence: 'low',
          evidence: { cipher: calleeName(ctx, cipher) },
        });
      },
    };
  },
};
