import type { JsRule } from '../engine.js';
import { flowEvidence, onSinks } from './flow-common.js';
import { isShadyLocation, js } from './helpers.js';

const STARTUP_OR_TEMP =
  /(^|[/\\])(tmp|temp|appdata|startup|start menu|\.config[/\\]autostart|launchagents|\.local[/\\]bin)([/\\]|$)|%temp%|%appdata%/i;
const EXECUTABLE = /\.(exe|dll|scr|bat|cmd|ps1|vbs|sh|so|dylib|node|jar|py)$/i;

/** Data flow: a network response is written to a file. */
export const downloadToDisk: JsRule = {
  meta: {
    ...js,
    id: 'JS-013',
    name: 'download-to-disk-flow',
    category: 'dropper',
    severity: 'medium',
    confidence: 'medium',
    description: 'A network response is written to a file (writeFile, or piped into a write stream).',
    rationale:
      'The first half of a dropper: the payload is saved, then executed or loaded. Saving into temp/startup folders or saving executables and scripts is the strongest form.',
    falsePositives:
      'Binary installers (esbuild, sharp, chromedriver) download their platform binary at install time, usually from their own release host.',
    example: "https.get(u, r => r.pipe(fs.createWriteStream('/tmp/x')))",
    references: ['https://attack.mitre.org/techniques/T1105/'],
  },
  create(ctx) {
    return onSinks(ctx, ['remote'], ['file-write'], (node, sink, sources) => {
      ctx.facts.capabilities.add('download-to-disk');
      const shady = sources.some((s) => isShadyLocation(/\((.*)\)$/.exec(s.what)?.[1]));
      const risky =
        shady || (!!sink.target && (STARTUP_OR_TEMP.test(sink.target) || EXECUTABLE.test(sink.target)));
      ctx.report({
        node,
        message: `Writes data fetched from the network (${sources.map((s) => s.what).join(', ')}) to ${sink.target ?? 'a file'}.`,
        // Without a risky source or target this is what every binary installer does: a capability.
        severity: risky ? 'high' : 'low',
        confidence: shady ? 'high' : undefined,
        evidence: { ...flowEvidence(ctx, node, sink, sources), target: sink.target },
      });
    });
  },
};
