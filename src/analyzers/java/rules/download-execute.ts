import type { ExecutionContext } from '../../../core/types.js';
import { contextRank } from '../../../ecosystems/maven/contexts.js';
import type { JavaRule, MethodUnit } from '../engine.js';
import type { CallSite } from '../interpret.js';
import { knownString } from '../interpret.js';
import {
  CONTEXT_PHRASE,
  isCodeLoad,
  isFileWrite,
  isMakeExecutable,
  isNetworkRead,
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
        let fetch: { call: CallSite; m: MethodUnit } | undefined;
        let write: CallSite | undefined;
        let run: { call: CallSite; m: MethodUnit } | undefined;
        let chmod = false;
        let context: ExecutionContext = 'runtime';
        for (const m of unit.methods) {
          const calls = m.summary.calls;
          const f = calls.find(isNetworkRead);
          const w = calls.find(isFileWrite);
          const r = calls.find((c) => isProcessStart(c) || isCodeLoad(c));
          if (calls.some(isMakeExecutable)) chmod = true;
          if (f) fetch ??= { call: f, m };
          if (w) write ??= w;
          if (r) run ??= { call: r, m };
          if ((f || w || r) && contextRank(m.context) > contextRank(context)) context = m.context;
        }
        if (!fetch || !write || !(run || chmod)) return;
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
      },
    };
  },
};
