import type { ExecutionContext } from '../../../core/types.js';
import { contextRank } from '../../../ecosystems/maven/contexts.js';
import type { JavaRule } from '../engine.js';
import { knownString } from '../interpret.js';
import {
  CONTEXT_PHRASE,
  fetchKind,
  isCodeLoad,
  isEarly,
  isFileWrite,
  isMakeExecutable,
  isProcessStart,
  java,
  renderCall,
} from './helpers.js';

/** Flags classes that download bytes, write them to disk and execute or load them. */
export const downloadExecute: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-010',
    name: 'java-download-and-execute',
    category: 'dropper',
    severity: 'high',
    confidence: 'high',
    description:
      'A class downloads content, writes it to a file and runs it (process, chmod +x, System.load or class definition).',
    rationale:
      'This is the shape of a dropper: the jar carries no payload, it fetches the second stage when its code first runs.',
    falsePositives:
      'Self-updaters and tool bootstrappers (wrapper downloaders such as the Maven/Gradle wrapper) download and run tools on purpose, usually from their own HTTPS domains.',
    example:
      'in.transferTo(Files.newOutputStream(tmp)); tmp.setExecutable(true); new ProcessBuilder(tmp.getPath()).start();',
    references: ['https://attack.mitre.org/techniques/T1105/', 'https://attack.mitre.org/techniques/T1204/'],
  },
  create(ctx) {
    return {
      class(unit) {
        // Early-running methods act as one unit (a <clinit> and the helpers it calls); other
        // methods count one at a time, so unrelated utilities of a class do not add up.
        const early = unit.methods.filter((m) => isEarly(m.context));
        const groups = [early, ...unit.methods.filter((m) => !isEarly(m.context)).map((m) => [m])];
        for (const group of groups) {
          if (group.length === 0) continue;
          const calls = group.flatMap((m) => m.summary.calls.map((call) => ({ call, m })));
          const fetch =
            calls.find((x) => fetchKind(x.call) === 'remote') ??
            (group === early ? calls.find((x) => fetchKind(x.call) === 'unknown') : undefined);
          const write = calls.find((x) => isFileWrite(x.call));
          const run = calls.find((x) => isProcessStart(x.call) || isCodeLoad(x.call));
          const chmod = calls.some((x) => isMakeExecutable(x.call));
          if (!fetch || !write || !(run || chmod)) continue;
          let context: ExecutionContext = 'runtime';
          for (const m of group) if (contextRank(m.context) > contextRank(context)) context = m.context;
          const url = knownString(fetch.call.receiver) ?? knownString(fetch.call.args[0]);
          const at = run?.m ?? fetch.m;
          ctx.report({
            at,
            pc: (run?.call ?? fetch.call).pc,
            context,
            code: run ? renderCall(run.call) : renderCall(fetch.call),
            message:
              `Downloads${url ? ` ${url.slice(0, 100)}` : ' a file'}, writes it to disk and ${run ? `runs it (${renderCall(run.call).slice(0, 60)})` : 'makes it executable'} ${CONTEXT_PHRASE[context]}.`.replace(
                /\s+\.$/,
                '.',
              ),
            evidence: { url },
            iocs: url ? [url] : undefined,
          });
          return;
        }
      },
    };
  },
};
