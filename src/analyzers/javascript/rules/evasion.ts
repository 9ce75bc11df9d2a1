import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, js } from './helpers.js';

/** Env vars that say "this is CI / a sandbox / an analysis box". */
const SANDBOX_ENV =
  /^(CI|CONTINUOUS_INTEGRATION|GITHUB_ACTIONS|GITLAB_CI|TRAVIS|CIRCLECI|JENKINS_URL|BUILDKITE|TF_BUILD|CODEBUILD_BUILD_ID|SANDBOX|MALWARE|ANALYSIS|VBOX\w*|VMWARE\w*)$/;
/** Strings compared against host data to skip analysis machines or target regions. */
const SANDBOX_WORDS =
  /^(sandbox|malware|virus|analysis|cuckoo|vmware|virtualbox|vbox|qemu|any\.run|triage|hybrid|justin|john|test|admin-pc|desktop-[a-z0-9]+)$/i;
const REGION =
  /^(ru|by|ua|ir|cn|kp|ru-ru|be-by|uk-ua|zh-cn|fa-ir|europe\/moscow|europe\/minsk|europe\/kiev|europe\/kyiv|asia\/tehran|asia\/shanghai|russia|belarus|ukraine|iran|china)$/i;
const LOCALE_SOURCES =
  /^(Intl\.DateTimeFormat|process\.env\.(LANG|LC_ALL|LANGUAGE|TZ)|navigator\.language|navigator\.languages|os\.hostname|os\.userInfo)/;

/** Whether an expression reads `process.env.npm_package_*` (directly or through a variable). */
function packageKeyedWith(ctx: Parameters<JsRule['create']>[0], node: Node | undefined, depth = 0): boolean {
  if (!node || depth > 4) return false;
  const q = ctx.qualify(node);
  if (q?.startsWith('process.env.npm_package_')) return true;
  if (node.type === 'Identifier') {
    const b = ctx.lookup(node.name);
    return !!b?.init && b.kind !== 'function' && packageKeyedWith(ctx, b.init, depth + 1);
  }
  if (node.type === 'CallExpression' || node.type === 'NewExpression')
    return [node.callee?.object, ...(node.arguments ?? [])].some((a: Node) =>
      packageKeyedWith(ctx, a, depth + 1),
    );
  if (node.type === 'BinaryExpression' || node.type === 'LogicalExpression')
    return packageKeyedWith(ctx, node.left, depth + 1) || packageKeyedWith(ctx, node.right, depth + 1);
  if (node.type === 'MemberExpression') return packageKeyedWith(ctx, node.object, depth + 1);
  return false;
}

/**
 * Flags environment gating: payloads that skip CI/sandboxes/debuggers, target countries by
 * locale or timezone, wait for a date, or sleep for a long time before acting.
 */
export const evasion: JsRule = {
  meta: {
    ...js,
    id: 'JS-019',
    name: 'environment-gating',
    category: 'evasion',
    severity: 'medium',
    confidence: 'medium',
    description:
      'Code branches on the environment the way evasive payloads do: CI/sandbox/VM names, attached debuggers, the locale or timezone of specific countries, a hard-coded trigger date, or very long delays.',
    rationale:
      'Malware hides from analysis sandboxes and CI scanners, and protestware (node-ipc, es5-ext) only fires for Russian/Belarusian locales or after a date; on its own this is supporting evidence that raises other findings.',
    falsePositives:
      'CLIs that disable colours or prompts in CI, i18n code that picks a language, feature flags with dates.',
    example: "if (Intl.DateTimeFormat().resolvedOptions().timeZone === 'Europe/Moscow') wipe()",
    references: [
      'https://attack.mitre.org/techniques/T1497/',
      'https://snyk.io/blog/peacenotwar-malicious-npm-node-ipc-package-vulnerability/',
    ],
  },
  create(ctx) {
    const seen = new Set<string>();
    const packageKeyed = (n: Node) => packageKeyedWith(ctx, n);
    const report = (node: Node, kind: string, message: string, severity?: 'low' | 'medium' | 'high') => {
      if (seen.has(kind)) return;
      seen.add(kind);
      ctx.facts.capabilities.add(`evasion:${kind}`);
      ctx.report({
        node,
        message,
        severity,
        evidence: { gate: kind },
        category: kind === 'region' ? 'protestware' : undefined,
      });
    };
    const compare = (node: Node) => {
      const op = node.operator;
      if (node.type === 'BinaryExpression' && !['===', '==', '!==', '!=', 'includes'].includes(op)) return;
      const sides = [node.left, node.right];
      for (let i = 0; i < 2; i++) {
        const value = ctx.evaluateString(sides[i]);
        const other = sides[1 - i];
        // the value tests first: most comparisons are `typeof x === 'function'`
        if (value === undefined || !other || !(REGION.test(value) || SANDBOX_WORDS.test(value))) continue;
        const src = ctx.source.slice(other.start, Math.min(other.end, other.start + 200));
        const q = ctx.qualify(other) ?? '';
        if (
          REGION.test(value) &&
          (LOCALE_SOURCES.test(q) || /timeZone|language|locale|country|LANG|geo/i.test(src))
        )
          report(
            node,
            'region',
            `Behaves differently for region/locale "${value}" (geo-gated payload).`,
            'high',
          );
        else if (SANDBOX_WORDS.test(value) && /hostname|userInfo|username|USER/i.test(src))
          report(node, 'sandbox', `Compares host/user names with "${value}" (sandbox detection).`);
      }
    };
    return {
      BinaryExpression: compare,
      MemberExpression(node: Node) {
        // the property name first (cheap); only sandbox-named members are qualified
        const prop = node.computed ? ctx.evaluateString(node.property) : node.property?.name;
        if (typeof prop !== 'string' || !SANDBOX_ENV.test(prop)) return;
        const q = ctx.qualify(node);
        if (!q?.startsWith('process.env.')) return;
        const name = q.slice('process.env.'.length);
        const parent = ctx.parent();
        // `if (process.env.CI) return` / `if (!process.env.CI)` around other behaviour
        const test =
          parent?.type === 'IfStatement' ||
          parent?.type === 'UnaryExpression' ||
          parent?.type === 'LogicalExpression' ||
          parent?.type === 'ConditionalExpression';
        if (test && /SANDBOX|MALWARE|ANALYSIS|VBOX|VMWARE/.test(name))
          report(node, 'sandbox', `Checks for an analysis sandbox (process.env.${name}).`);
      },
      CallExpression(node: Node) {
        const name = calleeName(ctx, node);
        // event-stream style: the payload only decrypts inside one host package, keyed by its
        // npm_package_* metadata, so sandboxes installing the package alone see nothing.
        if (name && /^crypto\.(createDecipher|createDecipheriv)$/.test(name)) {
          const keyed = (node.arguments ?? []).some((a: Node) => packageKeyed(a));
          if (keyed)
            report(
              node,
              'host-package',
              `Decrypts a payload with a key taken from the host package's npm_package_* metadata (${name}).`,
              'high',
            );
        }
        if (name === 'setTimeout' || name === 'setInterval') {
          const delay = ctx.evaluate(node.arguments?.[1]);
          if (typeof delay === 'number' && delay >= 30 * 60 * 1000 && name === 'setTimeout')
            report(
              node,
              'delay',
              `Waits ${Math.round(delay / 60000)} minutes before running code (outlasts sandboxes).`,
              'low',
            );
        }
        if (
          name === 'process.execArgv.some' ||
          name === 'process.execArgv.includes' ||
          name === 'inspector.url'
        )
          report(node, 'debugger', 'Checks whether a debugger/inspector is attached.', 'low');
      },
      NewExpression(node: Node) {
        // new Date() > new Date('2026-03-01'): date-triggered payloads
        const parent = ctx.parent();
        if (calleeName(ctx, node) !== 'Date' || parent?.type !== 'BinaryExpression') return;
        if (!['>', '>=', '<', '<='].includes(parent.operator)) return;
        const other = parent.left === node ? parent.right : parent.left;
        if (other?.type !== 'NewExpression' || calleeName(ctx, other) !== 'Date') return;
        const when = ctx.evaluateString(other.arguments?.[0]);
        if (when && /^\d{4}-\d{2}-\d{2}/.test(when))
          report(parent, 'date', `Runs only before/after a hard-coded date (${when}): a time bomb.`, 'low');
      },
    };
  },
};
