import type { Category } from '../../../core/types.js';
import type { JavaRule, MethodUnit } from '../engine.js';
import type { StringUse } from '../interpret.js';
import { isFileWrite, isProcessStart, java } from './helpers.js';

/** Places that make code run again at login/boot, and mining configuration. */
const PATTERNS: Array<{ re: RegExp; what: string; category: Category }> = [
  {
    re: /(^|[/\\])\.(bashrc|bash_profile|zshrc|zprofile|bash_login)$|(~|\$HOME|\/home\/[^/]+|\/root)\/\.profile$/,
    what: 'a shell start-up file',
    category: 'persistence',
  },
  { re: /\bcrontab\b|^\/etc\/cron|\/var\/spool\/cron/, what: 'cron', category: 'persistence' },
  {
    re: /Library\/LaunchAgents|Library\/LaunchDaemons/,
    what: 'a macOS launch agent',
    category: 'persistence',
  },
  {
    re: /\.config\/autostart|\/etc\/systemd\/system|\.config\/systemd\/user|\/etc\/rc\.local|\/etc\/init\.d\//,
    what: 'a Linux autostart/systemd unit',
    category: 'persistence',
  },
  {
    re: /Start Menu\\+Programs\\+Startup|CurrentVersion\\+Run(Once)?\b|schtasks(\.exe)?\s+\/create/i,
    what: 'Windows autostart (Run key, Startup folder, scheduled task)',
    category: 'persistence',
  },
  {
    re: /stratum\+(tcp|ssl|tls):\/\/|\bxmrig\b|--donate-level|cryptonight|randomx/i,
    what: 'a cryptocurrency miner',
    category: 'miner',
  },
];

/** Flags writes to autostart locations and miner configuration. */
export const persistence: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-021',
    name: 'java-persistence-or-miner',
    category: 'persistence',
    severity: 'high',
    confidence: 'medium',
    description:
      'A class that writes files or starts processes names an autostart location (shell rc files, cron, LaunchAgents, systemd, Windows Run keys/Startup) or mining configuration (stratum+tcp://, xmrig).',
    rationale:
      'Malware that wants to survive the build or the application run installs itself where the OS starts it again; miners carry their pool URL and xmrig options.',
    falsePositives:
      'Installers and dev tools that manage shell profiles or services for the user on purpose; mining-pool client libraries.',
    example: 'Files.writeString(Path.of(home, ".bashrc"), "curl …|sh", StandardOpenOption.APPEND)',
    references: [
      'https://attack.mitre.org/techniques/T1546/004/',
      'https://attack.mitre.org/techniques/T1053/003/',
      'https://attack.mitre.org/techniques/T1496/',
    ],
  },
  create(ctx) {
    return {
      class(unit) {
        const acts = unit.methods.some((m) =>
          m.summary.calls.some((c) => isFileWrite(c) || isProcessStart(c)),
        );
        const hits = new Map<string, { m: MethodUnit; s: StringUse; category: Category }>();
        for (const m of unit.methods)
          for (const s of m.summary.strings)
            for (const p of PATTERNS)
              if (!hits.has(p.what) && s.value.length < 2048 && p.re.test(s.value))
                hits.set(p.what, { m, s, category: p.category });
        for (const [what, { m, s, category }] of hits) {
          if (category === 'persistence' && !acts) continue;
          ctx.report({
            at: m,
            pc: s.pc,
            code: JSON.stringify(s.value.slice(0, 120)),
            category,
            message: `${category === 'miner' ? 'Carries' : 'Writes or runs'} ${what} (${JSON.stringify(s.value.slice(0, 80))}).`,
            evidence: { kind: what, value: s.value.slice(0, 200) },
          });
        }
      },
    };
  },
};
