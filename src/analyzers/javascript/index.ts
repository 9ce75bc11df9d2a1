import type {
  Analyzer,
  ArtifactFile,
  ExecutionContext,
  Finding,
  PackageContext,
  RuleMeta,
} from '../../core/types.js';
import { rank, resolvePackagePath } from '../../ecosystems/npm/contexts.js';
import { makeFinding } from '../../rules/finding.js';
import { scanTextForIocs } from '../text/iocs.js';
import { type JsRule, RuleContext, runRules } from './engine.js';
import { type Node, parseJavaScript } from './parse.js';
import { JS_RULES } from './rules/index.js';
import { UNPARSEABLE } from './rules/unparseable.js';

const JS_EXT = /\.(js|cjs|mjs|jsx|ts|tsx|mts|cts)$/i;
const MAX_DECODE_DEPTH = 3;

/** Whether a file is JavaScript/TypeScript Beagle should parse. */
export function isJavaScriptFile(file: ArtifactFile, entryPoints: Map<string, ExecutionContext>): boolean {
  if (file.kind !== 'text') return false;
  if (/\.d\.(ts|mts|cts)$/i.test(file.path)) return false;
  if (JS_EXT.test(file.path)) return true;
  if (entryPoints.has(file.path) && !/\.(sh|py|json|gyp|cmd|bat|ps1)$/i.test(file.path)) return true;
  return (
    file.data.subarray(0, 64).toString('latin1').startsWith('#!') &&
    /node|bun|deno/.test(file.data.subarray(0, 64).toString('latin1'))
  );
}

export interface FileAnalysis {
  file: ArtifactFile;
  findings: Finding[];
  imports: Set<string>;
  capabilities: Set<string>;
  parsed: boolean;
}

/** Parses one file and runs every JavaScript rule over it in a single traversal. */
export function analyzeJavaScriptFile(
  file: ArtifactFile,
  pkg: PackageContext,
  rules: JsRule[] = JS_RULES,
  context: ExecutionContext = pkg.contextOf(file.path),
): FileAnalysis {
  const source = file.data.toString('utf8').replace(/^#!.*/, (m) => ' '.repeat(m.length));
  const parsed = parseJavaScript(source, file.path);
  const ctx = new RuleContext(file, source, pkg, context);
  const findings: Finding[] = [];
  if (!parsed.ast || parsed.recovered) {
    findings.push(
      makeFinding(UNPARSEABLE, {
        file: file.path,
        line: 1,
        context,
        message: parsed.ast
          ? `${file.path} has syntax errors and was only partially parsed (${parsed.error ?? 'unknown error'}); text-level checks also ran.`
          : `${file.path} could not be parsed by any parser (${parsed.error ?? 'unknown error'}); only text-level checks ran.`,
        evidence: { error: parsed.error },
      }),
    );
    findings.push(...scanTextForIocs(file.path, source, context));
  }
  if (parsed.ast) {
    attachReanalysis(ctx, rules, pkg, 1);
    runRules(parsed.ast, rules, ctx);
    findings.push(...ctx.findings);
  }
  return {
    file,
    findings,
    imports: ctx.facts.imports,
    capabilities: ctx.facts.capabilities,
    parsed: !!parsed.ast,
  };
}

/** Lets rules hand decoded code back for analysis as code, up to a depth limit. */
function attachReanalysis(ctx: RuleContext, rules: JsRule[], pkg: PackageContext, depth: number): void {
  if (depth > MAX_DECODE_DEPTH) return;
  ctx.reanalyze = (code: string, node: Node) => {
    const parsed = parseJavaScript(code, `${ctx.file.path}#decoded`);
    if (!parsed.ast || parsed.recovered) return;
    const origin = {
      line: (node.loc?.start.line as number | undefined) ?? lineOfOffset(ctx.source, node.start),
      column: ((node.loc?.start.column as number | undefined) ?? 0) + 1,
      snippet: ctx.snippetOf(node),
    };
    const inner = new RuleContext(ctx.file, code, pkg, ctx.fileContext, depth, origin);
    attachReanalysis(inner, rules, pkg, depth + 1);
    runRules(parsed.ast, rules, inner);
    ctx.findings.push(...inner.findings);
  };
}

function lineOfOffset(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Propagates execution contexts from entry points along relative imports, so a helper module
 * required by an install script is treated as install-time code too.
 */
export function propagateContexts(
  analyses: Map<string, FileAnalysis>,
  entryPoints: Map<string, ExecutionContext>,
): Map<string, ExecutionContext> {
  const files = new Set(analyses.keys());
  const result = new Map<string, ExecutionContext>();
  const queue: Array<[string, ExecutionContext]> = [...entryPoints.entries()];
  while (queue.length > 0) {
    const [file, ctx] = queue.shift()!;
    const current = result.get(file);
    if (current && rank(current) >= rank(ctx)) continue;
    result.set(file, ctx);
    const analysis = analyses.get(file);
    if (!analysis) continue;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    for (const spec of analysis.imports) {
      const joined = dir ? `${dir}/${spec}` : spec;
      const target = resolvePackagePath(joined, files);
      if (target) queue.push([target, ctx]);
    }
  }
  return result;
}

export const javascriptAnalyzer: Analyzer = {
  id: 'javascript',
  appliesTo: (artifact) => artifact.files.some((f) => f.kind === 'text'),
  analyze(pkg) {
    const analyses = new Map<string, FileAnalysis>();
    for (const file of pkg.artifact.files) {
      if (!isJavaScriptFile(file, pkg.entryPoints)) continue;
      analyses.set(file.path, analyzeJavaScriptFile(file, pkg));
    }
    const contexts = propagateContexts(analyses, pkg.entryPoints);
    const findings: Finding[] = [];
    for (const [path, analysis] of analyses) {
      const ctx = contexts.get(path) ?? 'runtime';
      for (const f of analysis.findings) {
        f.context = ctx;
        findings.push(f);
      }
    }
    return findings;
  },
};

export const JAVASCRIPT_RULE_METAS: RuleMeta[] = [UNPARSEABLE, ...JS_RULES.map((r) => r.meta)];
