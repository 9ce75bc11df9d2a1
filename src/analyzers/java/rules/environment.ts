import type { JavaRule } from '../engine.js';
import { knownString, SECRET_ENV } from '../interpret.js';
import { java, renderCall } from './helpers.js';

/** Flags dumping the whole environment and reading credential-named variables. */
export const environmentHarvest: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-005',
    name: 'java-environment-harvest',
    category: 'recon',
    severity: 'low',
    confidence: 'medium',
    description:
      'Bytecode reads the whole environment (System.getenv()) or variables that hold credentials (tokens, AWS/GitHub/NPM keys).',
    rationale:
      'CI runners and developer machines keep tokens in environment variables; stealers dump the environment or pick known secret names and send them out.',
    falsePositives:
      'Process launchers that copy the environment to a child process, configuration libraries and SDKs reading their own documented credential variables.',
    example: 'String t = System.getenv("GITHUB_TOKEN");',
    references: ['https://attack.mitre.org/techniques/T1552/001/'],
  },
  create(ctx) {
    const seen = new Set<string>();
    return {
      call(call, m) {
        if (call.ref.owner !== 'java/lang/System' || call.ref.name !== 'getenv') return;
        const name = knownString(call.args[0]);
        const all = call.args.length === 0;
        if (!all && (name === undefined || !SECRET_ENV.test(name))) return;
        const key = `${m.unit.file.path}|${all ? '*' : name}`;
        if (seen.has(key)) return;
        seen.add(key);
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          category: all ? 'recon' : 'credential-theft',
          severity: 'low',
          confidence: all ? 'medium' : 'low',
          message: all
            ? 'Reads the whole process environment (System.getenv()).'
            : `Reads the credential variable ${name}.`,
          evidence: { variable: all ? '*' : name },
        });
      },
    };
  },
};
