import type { Category, ExecutionContext, Finding, Severity, VerdictResult } from '../core/types.js';

const SEVERITY_POINTS: Record<Severity, number> = { info: 0, low: 4, medium: 12, high: 30, critical: 55 };
const CONFIDENCE_FACTOR = { low: 0.5, medium: 0.8, high: 1 } as const;
const CONTEXT_FACTOR: Record<ExecutionContext, number> = {
  install: 1.5,
  startup: 1.5,
  import: 1.2,
  build: 1.2,
  runtime: 0.8,
  unknown: 0.8,
};

/** Categories that are harmful by themselves (not mere capabilities). */
const HARMFUL: Category[] = [
  'exfiltration',
  'credential-theft',
  'dropper',
  'backdoor',
  'miner',
  'destruction',
  'persistence',
  'protestware',
  'known-malware',
];

export const MALICIOUS_AT = 70;
export const SUSPICIOUS_AT = 30;

/** A combination of evidence that together means more than its parts. */
interface Chain {
  id: string;
  /** Score floor when the chain holds. */
  floor: number;
  reason: string;
  holds(f: Finding[]): boolean;
}

const early = (f: Finding) => f.context === 'install' || f.context === 'import' || f.context === 'startup';
const has = (fs: Finding[], pred: (f: Finding) => boolean) => fs.some(pred);
const cat =
  (c: Category, minSeverity: Severity = 'low') =>
  (f: Finding) =>
    f.category === c && SEVERITY_POINTS[f.severity] >= SEVERITY_POINTS[minSeverity];

/**
 * The combinations that make a package malicious, not just capable. Each is documented in
 * docs/scoring.md; none keys on a package name, hash or path.
 */
export const CHAINS: Chain[] = [
  {
    id: 'known-malware',
    floor: 100,
    reason: 'listed in known-malware intelligence',
    holds: (fs) => has(fs, (f) => f.category === 'known-malware'),
  },
  {
    id: 'secrets-leave',
    floor: 90,
    reason: 'reads secrets and sends data over the network',
    holds: (fs) =>
      has(fs, (f) => cat('credential-theft', 'medium')(f)) &&
      has(fs, (f) => f.category === 'exfiltration' || f.category === 'network' || f.ruleId === 'JS-002'),
  },
  {
    id: 'install-beacon',
    floor: 80,
    reason: 'collects host fingerprints and contacts the network at install/import time',
    holds: (fs) =>
      has(fs, (f) => f.category === 'recon' && early(f)) &&
      has(fs, (f) => (f.category === 'network' || f.category === 'exfiltration') && early(f)),
  },
  {
    id: 'exfil-endpoint-early',
    floor: 75,
    reason: 'code that runs at install/import talks to an exfiltration-grade endpoint',
    holds: (fs) =>
      has(
        fs,
        (f) =>
          f.category === 'exfiltration' && SEVERITY_POINTS[f.severity] >= SEVERITY_POINTS.high && early(f),
      ),
  },
  {
    id: 'install-dropper',
    floor: 85,
    reason: 'downloads and runs code at install time',
    holds: (fs) =>
      has(
        fs,
        (f) =>
          (f.category === 'dropper' || f.category === 'backdoor') &&
          SEVERITY_POINTS[f.severity] >= SEVERITY_POINTS.high &&
          early(f),
      ),
  },
  {
    id: 'obfuscated-exec',
    floor: 75,
    reason: 'obfuscated or encoded code that executes',
    holds: (fs) =>
      has(fs, (f) => f.category === 'obfuscation' && SEVERITY_POINTS[f.severity] >= SEVERITY_POINTS.high) &&
      has(fs, (f) => f.category === 'execution' || f.ruleId === 'JS-005' || f.category === 'dropper'),
  },
];

/**
 * Combines findings into a verdict. Scores add with diminishing returns per rule, weighted by
 * severity, confidence and when the code runs; chains of evidence set floors. Suppressed
 * findings do not count.
 */
export function computeVerdict(findings: Finding[]): VerdictResult {
  const active = findings.filter((f) => !f.suppressed);
  const perRule = new Map<string, number[]>();
  for (const f of active) {
    const pts = SEVERITY_POINTS[f.severity] * CONFIDENCE_FACTOR[f.confidence] * CONTEXT_FACTOR[f.context];
    const list = perRule.get(f.ruleId) ?? [];
    list.push(pts);
    perRule.set(f.ruleId, list);
  }
  let raw = 0;
  for (const pts of perRule.values()) {
    pts.sort((a, b) => b - a);
    // the strongest finding of a rule counts fully, repeats add less and less
    pts.forEach((p, i) => {
      raw += p / (i + 1) ** 2;
    });
  }
  let score = Math.round(100 * (1 - Math.exp(-raw / 70)));
  const reasons: string[] = [];
  for (const chain of CHAINS) {
    if (chain.holds(active)) {
      reasons.push(chain.reason);
      score = Math.max(score, chain.floor);
    }
  }
  const categories = [...new Set(active.filter((f) => f.severity !== 'info').map((f) => f.category))];
  const harmful = categories.filter((c) => HARMFUL.includes(c));
  const ordered = [...harmful, ...categories.filter((c) => !harmful.includes(c))];
  const top = [...active]
    .sort((a, b) => SEVERITY_POINTS[b.severity] - SEVERITY_POINTS[a.severity])
    .filter((f) => SEVERITY_POINTS[f.severity] >= SEVERITY_POINTS.medium)
    .slice(0, 3);
  for (const f of top)
    reasons.push(`${f.ruleId}: ${f.message}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}`);
  const verdict = score >= MALICIOUS_AT ? 'malicious' : score >= SUSPICIOUS_AT ? 'suspicious' : 'clean';
  return { verdict, score, categories: ordered, reasons };
}
