import type { Category, ExecutionContext, Finding, Severity, VerdictResult } from '../core/types.js';

/**
 * Scoring (documented in docs/scoring.md):
 *  1. every finding is worth severity x confidence x context points;
 *  2. findings of one category add with diminishing returns (1, 1/4, 1/9...), so fifty
 *     `child_process` calls in a build tool count about as much as two;
 *  3. capability categories (process execution, network, install scripts, recon, packaging)
 *     together contribute at most CAPABILITY_CAP points: capabilities alone never make a package
 *     suspicious, what it does with them does;
 *  4. the sum maps to 0-100 with 100 * (1 - e^(-raw/70));
 *  5. evidence chains (a source->sink flow, secrets and network in the same install-time file,
 *     obfuscated install code...) set floors. None keys on a package name, hash or path.
 */
export const SEVERITY_POINTS: Record<Severity, number> = {
  info: 0,
  low: 4,
  medium: 12,
  high: 30,
  critical: 55,
};
export const CONFIDENCE_FACTOR = { low: 0.5, medium: 0.8, high: 1 } as const;
export const CONTEXT_FACTOR: Record<ExecutionContext, number> = {
  install: 1.5,
  startup: 1.5,
  import: 1.2,
  build: 1.2,
  runtime: 0.8,
  unknown: 0.8,
};
export const CAPABILITY_CATEGORIES: Category[] = [
  'execution',
  'network',
  'install-script',
  'recon',
  'packaging',
];
export const CAPABILITY_CAP = 15;

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
export interface Chain {
  id: string;
  /** Score floor when the chain holds. */
  floor: number;
  reason: string;
  holds(f: Finding[]): boolean;
}

const rank = (s: Severity) => SEVERITY_POINTS[s];
/** Endpoint kinds no library needs at import: request capture, OAST, paste and file-drop sites. */
const NO_LEGIT_ENDPOINTS = new Set(['request-capture', 'ip-logger', 'oast', 'paste', 'file-drop']);
const early = (f: Finding) => f.context === 'install' || f.context === 'import' || f.context === 'startup';
/**
 * Early-running code where the context is known per function (Python, Java): their `import`
 * findings run when the module loads. A JavaScript finding carries its file's context, and one
 * imported file of an SDK holds code for every feature, so for JavaScript only install-time
 * files count.
 */
const preciseEarly = (f: Finding) =>
  f.context === 'install' ||
  f.context === 'startup' ||
  (f.context === 'import' && !/\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/i.test(f.file ?? ''));
/**
 * `preciseEarly`, or a JavaScript action (not a name in a data table, not one host datum in
 * telemetry) in code that certainly runs at load: used where the finding is itself the harm
 * (remote code, droppers, destruction, persistence).
 */
const earlyAction = (f: Finding) => preciseEarly(f) || atLoad(f);
/**
 * A JavaScript finding in code that certainly runs when its imported file loads: the module's top
 * level, immediately invoked functions, and what they start (`evidence.atLoad`, set by the analyzer).
 */
const atLoad = (f: Finding) => f.context === 'import' && f.evidence?.atLoad === true;
const atInstall = (f: Finding) => f.context === 'install' || f.context === 'startup';
const has = (fs: Finding[], pred: (f: Finding) => boolean) => fs.some(pred);
const atLeast = (f: Finding, s: Severity) => rank(f.severity) >= rank(s);
const isNetwork = (f: Finding) =>
  f.category === 'network' || f.category === 'exfiltration' || f.ruleId === 'JS-002';

/** Network use that is a way out rather than a client: exfiltration endpoints and flows, webhook clients. */
const exfilChannel = (f: Finding) =>
  f.category === 'exfiltration' ||
  (f.ruleId === 'JS-002' && /WebhookClient$/.test(String(f.evidence?.callee ?? '')));

/** Some file holds findings matching every predicate. */
function sameFile(fs: Finding[], ...preds: Array<(f: Finding) => boolean>): boolean {
  const byFile = new Map<string, Finding[]>();
  for (const f of fs) {
    if (!f.file) continue;
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const list of byFile.values()) if (preds.every((p) => list.some(p))) return true;
  return false;
}

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
    id: 'secret-flow',
    floor: 90,
    reason: 'secrets flow into a network request (data-flow traced)',
    holds: (fs) => has(fs, (f) => (f.ruleId === 'JS-010' || f.ruleId === 'PY-008') && atLeast(f, 'critical')),
  },
  {
    id: 'remote-code',
    floor: 90,
    reason: 'runs code fetched from the network',
    // A JavaScript runtime that evaluates what it fetched from an address the application computes
    // (a dev server's lazy bundles, a browser runtime loading <script type="application/lua">, a
    // codec library compiling the decoder it fetched from a CDN) is a design, not a loader: unless
    // it certainly runs at install or load, it needs a constant address.
    holds: (fs) =>
      has(
        fs,
        (f) =>
          f.ruleId === 'PY-003' ||
          (f.ruleId === 'JS-012' && (earlyAction(f) || typeof f.evidence?.fixedUrl === 'string')),
      ),
  },
  {
    id: 'secrets-leave',
    floor: 85,
    reason: 'one early-running file reads secrets and uses the network',
    holds: (fs) =>
      sameFile(
        fs,
        (f) => f.category === 'credential-theft' && atLeast(f, 'high') && early(f),
        // A JavaScript file's `import` context covers every feature of an SDK (an AWS config
        // loader names ~/.aws and calls the metadata service over http.request), so there the
        // network side must be an exfiltration channel, not just a client.
        (f) => isNetwork(f) && (preciseEarly(f) || (early(f) && exfilChannel(f))),
      ),
  },
  {
    id: 'host-data-flow',
    floor: 80,
    reason: 'host fingerprints flow into a network request at install/import time',
    holds: (fs) =>
      has(
        fs,
        (f) =>
          (f.ruleId === 'JS-011' || f.ruleId === 'PY-008' || f.ruleId === 'JAVA-011') &&
          atLeast(f, 'medium') &&
          // an imported JavaScript file (context per file) needs the beacon shape (several host
          // data, or DNS: high); one hostname in a test-reporting SDK's telemetry is not it
          (preciseEarly(f) || (early(f) && atLeast(f, 'high'))),
      ),
  },
  {
    id: 'install-beacon',
    floor: 75,
    reason: 'an install-time file collects host fingerprints and contacts the network',
    holds: (fs) =>
      sameFile(
        fs,
        (f) => f.category === 'recon' && atInstall(f),
        (f) => isNetwork(f) && atInstall(f),
      ),
  },
  {
    id: 'raw-ip-early',
    floor: 35,
    reason: 'code that runs at install/import sends requests to a raw public IP address',
    holds: (fs) =>
      sameFile(
        fs,
        (f) => f.ruleId === 'NET-001' && f.evidence?.endpointKind === 'raw-ip' && preciseEarly(f),
        (f) => f.category === 'network' && f.ruleId !== 'NET-001' && preciseEarly(f),
      ),
  },
  {
    id: 'exfil-endpoint-early',
    floor: 75,
    reason: 'code that runs at install/import talks to an exfiltration-grade endpoint',
    holds: (fs) => {
      // Files that do reach out (a request, a flow, a process such as curl or nslookup), besides
      // naming an endpoint.
      const netFiles = new Set(
        fs
          .filter((g) => (isNetwork(g) || g.category === 'execution') && g.ruleId !== 'NET-001')
          .map((g) => g.file),
      );
      return has(
        fs,
        (f) =>
          f.category === 'exfiltration' &&
          atLeast(f, 'high') &&
          (atInstall(f) ||
            // at import time, chat/bot APIs are what bot libraries use; only no-account
            // capture/OAST/drop services count there, and in an imported JavaScript file
            // (context per file) only where the file also makes requests: an icon set's brand
            // table names pastebin.com and file.io as data (simple-icons)
            (early(f) &&
              (f.ruleId !== 'NET-001' ||
                (NO_LEGIT_ENDPOINTS.has(String(f.evidence?.endpointKind)) &&
                  (preciseEarly(f) || netFiles.has(f.file)))))),
      );
    },
  },
  {
    id: 'install-dropper',
    floor: 85,
    reason: 'downloads or drops and runs code at install/import time',
    holds: (fs) =>
      has(
        fs,
        (f) =>
          (f.category === 'dropper' || f.category === 'backdoor') &&
          atLeast(f, 'high') &&
          early(f) &&
          // remote code from an address the application computes is a design unless it certainly
          // runs at install or load (as for the remote-code chain)
          !(f.ruleId === 'JS-012' && typeof f.evidence?.fixedUrl !== 'string' && !earlyAction(f)),
      ),
  },
  {
    id: 'harmful-early',
    floor: 80,
    reason: 'destructive, persistence, credential-harvesting or mining behaviour at install/import time',
    holds: (fs) =>
      has(
        fs,
        (f) =>
          (f.category === 'destruction' ||
            f.category === 'persistence' ||
            f.category === 'miner' ||
            f.category === 'protestware' ||
            // naming a credential file (JS-004) is not harvesting it; flows and commands are
            (f.category === 'credential-theft' && f.ruleId !== 'JS-004')) &&
          atLeast(f, 'high') &&
          f.confidence !== 'low' &&
          (atInstall(f) || atLoad(f)),
      ),
  },
  {
    id: 'silent-harm',
    floor: 70,
    reason: 'install-time code hides its errors/output while exfiltrating, dropping or harvesting',
    holds: (fs) =>
      sameFile(
        fs,
        (f) => f.ruleId === 'JS-022' && atInstall(f),
        (f) =>
          (f.category === 'exfiltration' ||
            f.category === 'dropper' ||
            f.category === 'backdoor' ||
            f.category === 'credential-theft') &&
          atLeast(f, 'high') &&
          f.confidence !== 'low' &&
          atInstall(f),
      ),
  },
  {
    id: 'purpose-mismatch',
    floor: 30,
    reason:
      'declares a small utility, yet its install-time code touches credentials or sends data out (declared purpose vs code)',
    holds: (fs) =>
      has(fs, (f) => f.ruleId === 'NPM-009') &&
      has(
        fs,
        (f) =>
          (f.category === 'credential-theft' || f.category === 'exfiltration') &&
          f.severity !== 'info' &&
          atInstall(f),
      ),
  },
  {
    id: 'purpose-mismatch-capability',
    floor: 0,
    reason: 'declares a small utility, yet its install-time code uses the network or starts processes',
    holds: (fs) =>
      has(fs, (f) => f.ruleId === 'NPM-009') &&
      has(
        fs,
        (f) =>
          (f.category === 'network' || f.category === 'execution' || f.category === 'dropper') &&
          f.severity !== 'info' &&
          f.ruleId !== 'NPM-001' &&
          atInstall(f),
      ),
  },
  {
    id: 'typosquat-install',
    floor: 70,
    reason: 'imitates a popular package name and runs code at install',
    holds: (fs) => has(fs, (f) => f.category === 'typosquat' && atLeast(f, 'high') && atInstall(f)),
  },
  {
    id: 'obfuscated-exec',
    floor: 75,
    reason: 'obfuscated or encoded code that executes',
    holds: (fs) =>
      sameFile(
        fs,
        (f) => f.category === 'obfuscation' && atLeast(f, 'high') && f.confidence !== 'low',
        (f) =>
          f.category === 'execution' ||
          f.ruleId === 'JS-005' ||
          f.ruleId === 'PY-001' ||
          f.category === 'dropper',
      ),
  },
  {
    id: 'obfuscated-install',
    floor: 75,
    reason: 'obfuscated code runs at install time',
    holds: (fs) =>
      has(
        fs,
        (f) => f.category === 'obfuscation' && atLeast(f, 'high') && f.confidence === 'high' && atInstall(f),
      ),
  },
];

/**
 * Combines findings into a verdict. Scores add with diminishing returns per category, weighted
 * by severity, confidence and when the code runs; chains of evidence set floors. Suppressed
 * findings do not count.
 */
export function computeVerdict(findings: Finding[]): VerdictResult {
  const active = findings.filter((f) => !f.suppressed);
  const perCategory = new Map<Category, number[]>();
  // The same finding on the same code in another file (two builds of one worker bundle, a
  // vendored copy) is one piece of evidence, not two: only its first copy adds points.
  const copies = new Set<string>();
  for (const f of active) {
    const key = `${f.ruleId}\u0000${f.message}\u0000${f.snippet ?? ''}`;
    if (copies.has(key)) continue;
    copies.add(key);
    const pts = SEVERITY_POINTS[f.severity] * CONFIDENCE_FACTOR[f.confidence] * CONTEXT_FACTOR[f.context];
    if (pts === 0) continue;
    const list = perCategory.get(f.category) ?? [];
    list.push(pts);
    perCategory.set(f.category, list);
  }
  let raw = 0;
  let capability = 0;
  for (const [category, pts] of perCategory) {
    pts.sort((a, b) => b - a);
    // the strongest finding of a category counts fully, repeats add less and less
    let sum = 0;
    pts.forEach((p, i) => {
      sum += p / (i + 1) ** 2;
    });
    if (CAPABILITY_CATEGORIES.includes(category)) capability += sum;
    else raw += sum;
  }
  raw += Math.min(capability, CAPABILITY_CAP);
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
    .sort(
      (a, b) =>
        SEVERITY_POINTS[b.severity] * CONFIDENCE_FACTOR[b.confidence] -
        SEVERITY_POINTS[a.severity] * CONFIDENCE_FACTOR[a.confidence],
    )
    .filter((f) => SEVERITY_POINTS[f.severity] >= SEVERITY_POINTS.medium)
    .slice(0, 3);
  for (const f of top)
    reasons.push(`${f.ruleId}: ${f.message}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}`);
  const verdict = score >= MALICIOUS_AT ? 'malicious' : score >= SUSPICIOUS_AT ? 'suspicious' : 'clean';
  return { verdict, score, categories: ordered, reasons };
}
