import type { Severity } from '../../../core/types.js';
import { matchSensitivePaths } from '../../text/sensitive.js';
import type { JavaRule, MethodUnit } from '../engine.js';
import { isFileRead, java } from './helpers.js';

/** A secret kind and the package words of a library whose job is that secret's tool. */
const OWN_TOOL: Array<[RegExp, RegExp]> = [
  [/SSH/i, /ssh|jsch|sftp|scp/i],
  [/AWS/i, /aws|amazon/i],
  [/Kubernetes/i, /kube|k8s|fabric8/i],
  [/Docker/i, /docker/i],
  [/package registry/i, /maven|gradle|m2|pypi|ivy/i],
  [/npm/i, /npm|node/i],
  [/git/i, /git|jgit/i],
  [/Azure/i, /azure|microsoft/i],
  [/Google Cloud/i, /google|gcloud|gcp/i],
  [/keychain|GPG/i, /gpg|pgp|bouncycastle|keychain/i],
  [/saved passwords/i, /netrc|ftp|http|postgres|mysql|jdbc/i],
];

/**
 * Flags classes that name credential stores (~/.ssh, ~/.aws, ~/.m2/settings.xml,
 * .gradle/gradle.properties, .npmrc, .git-credentials, kube/docker configs, browser profiles).
 */
export const credentialFiles: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-006',
    name: 'java-credential-file-access',
    category: 'credential-theft',
    severity: 'high',
    confidence: 'medium',
    description:
      'A class names credential stores (SSH keys, cloud/registry/git credentials, ~/.m2/settings.xml, gradle.properties, browser profiles) and reads files.',
    rationale:
      'Stealers in build dependencies sweep a developer machine or CI runner for keys and tokens; a class that lists several secret stores and reads files is doing exactly that.',
    falsePositives:
      'SSH/git/cloud clients that read their own configuration (reported with low severity when the class belongs to that tool and names only its own secret).',
    example: 'Files.readAllBytes(Paths.get(System.getProperty("user.home"), ".ssh/id_rsa"))',
    references: [
      'https://attack.mitre.org/techniques/T1552/004/',
      'https://attack.mitre.org/techniques/T1555/',
    ],
  },
  create(ctx) {
    return {
      class(unit) {
        const kinds = new Map<string, { severity: Severity; value: string; m: MethodUnit; pc: number }>();
        let readsFiles = false;
        for (const m of unit.methods) {
          if (m.summary.calls.some(isFileRead)) readsFiles = true;
          for (const s of m.summary.strings) {
            for (const match of matchSensitivePaths(s.value)) {
              if (!kinds.has(match.kind))
                kinds.set(match.kind, { severity: match.severity, value: s.value, m, pc: s.pc });
            }
          }
        }
        if (kinds.size === 0) return;
        const pkgName = unit.cls.name;
        const foreign = [...kinds.keys()].filter(
          (k) => !OWN_TOOL.some(([kind, pkg]) => kind.test(k) && pkg.test(pkgName)),
        );
        const sweep = kinds.size >= 3;
        const first = [...kinds.values()].sort((a, b) => Number(isEarlyM(b.m)) - Number(isEarlyM(a.m)))[0]!;
        const list = [...kinds.keys()].join(', ');
        const severity: Severity = !readsFiles ? 'low' : sweep || foreign.length > 0 ? first.severity : 'low';
        ctx.report({
          at: first.m,
          pc: first.pc,
          code: `"${first.value.slice(0, 80)}"`,
          severity,
          confidence: sweep ? 'high' : readsFiles ? 'medium' : 'low',
          message: `${unit.cls.name.replace(/\//g, '.')} names ${kinds.size > 1 ? `${kinds.size} credential stores` : 'a credential store'} (${list})${readsFiles ? ' and reads files' : ''}.`,
          evidence: {
            secrets: [...kinds.keys()],
            values: [...kinds.values()].map((k) => k.value.slice(0, 120)),
          },
        });
      },
    };
  },
};

function isEarlyM(m: MethodUnit): boolean {
  return m.context !== 'runtime' && m.context !== 'unknown';
}
