import { propagateContexts } from '../../core/contexts.js';
import type {
  Analyzer,
  ArtifactFile,
  ExecutionContext,
  Finding,
  PackageContext,
  RuleMeta,
} from '../../core/types.js';
import { filesRunBy, resolvePackagePath } from '../../ecosystems/npm/contexts.js';
import { makeFinding } from '../../rules/finding.js';
import { scanTextForIocs } from '../text/iocs.js';
import {
  type FileFacts,
  type JsRule,
  MAX_WALK_DEPTH,
  type Reanalysis,
  RuleContext,
  runRules,
} from './engine.js';
import { type Node, parseJavaScript } from './parse.js';
import {
  classifyWrapperCommand,
  classifyWrapperFlow,
  FUNCTION_SINK_FACTS,
  type ParamSink,
  wrapperEvidence,
} from './rules/function-sinks.js';
import { JS_RULES } from './rules/index.js';
import { reconBeacon } from './rules/recon-beacon.js';
import { secretExfiltration } from './rules/secret-exfiltration.js';
import { UNPARSEABLE } from './rules/unparseable.js';
import { hasStrongSecret } from './taint.js';

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
  facts: FileFacts;
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
  const textChecked = !parsed.ast || parsed.recovered;
  if (parsed.ast) {
    attachReanalysis(ctx, rules, pkg, 1);
    try {
      runRules(parsed.ast, rules, ctx);
    } catch (err) {
      // a stack exhausted by some other recursion: this file is reported, the package goes on
      if (!(err instanceof RangeError)) throw err;
      ctx.tooDeep ??= parsed.ast;
    }
    if (ctx.tooDeep) {
      const at = ctx.where(ctx.tooDeep);
      findings.push(
        makeFinding(UNPARSEABLE, {
          file: file.path,
          line: at.line,
          column: at.column,
          snippet: at.snippet,
          context,
          severity: 'medium',
          confidence: 'medium',
          message: `${file.path} nests code deeper than ${MAX_WALK_DEPTH} levels, which no ordinary code does; the code below that depth was checked as text only.`,
          evidence: { maxDepth: MAX_WALK_DEPTH },
        }),
      );
      if (!textChecked) findings.push(...scanTextForIocs(file.path, source, context));
    }
    // Findings in code that certainly runs when the file loads (top level, IIFEs, callbacks and
    // functions that code starts) say so: the verdict then weighs them like install-time code.
    for (const f of ctx.findings) {
      const offset = ctx.findingOffsets.get(f);
      if (offset !== undefined && ctx.loadTime.atLoad(offset)) f.evidence = { ...f.evidence, atLoad: true };
    }
    findings.push(...ctx.findings);
  }
  return {
    file,
    findings,
    imports: ctx.facts.imports,
    capabilities: ctx.facts.capabilities,
    facts: ctx.facts,
    parsed: !!parsed.ast,
  };
}

/** Lets rules hand decoded code back for analysis as code, up to a depth limit. */
function attachReanalysis(ctx: RuleContext, rules: JsRule[], pkg: PackageContext, depth: number): void {
  if (depth > MAX_DECODE_DEPTH) return;
  // One decoded string is analysed once per file, however many rules hand it back (an XOR loop
  // and the eval of its result): later calls get the same answer and add no findings.
  const done = new Map<string, Reanalysis | undefined>();
  ctx.reanalyze = (code: string, node: Node) => {
    if (done.has(code)) return done.get(code);
    done.set(code, undefined);
    const parsed = parseJavaScript(code, `${ctx.file.path}#decoded`);
    if (!parsed.ast || parsed.recovered) return undefined;
    const origin = ctx.where(node);
    const inner = new RuleContext(ctx.file, code, pkg, ctx.fileContext, depth, origin);
    attachReanalysis(inner, rules, pkg, depth + 1);
    runRules(parsed.ast, rules, inner);
    ctx.findings.push(...inner.findings);
    // decoded code runs where the code that decodes it runs
    for (const f of inner.findings) ctx.findingOffsets.set(f, node.start ?? 0);
    const result = {
      harmful: inner.findings.some(
        (f) => f.severity === 'medium' || f.severity === 'high' || f.severity === 'critical',
      ),
    };
    done.set(code, result);
    return result;
  };
}

/**
 * Propagates execution contexts from entry points along relative imports, so a helper module
 * required by an install script is treated as install-time code too.
 */
export function propagateJsContexts(
  analyses: Map<string, FileAnalysis>,
  entryPoints: Map<string, ExecutionContext>,
): Map<string, ExecutionContext> {
  const files = new Set(analyses.keys());
  return propagateContexts(entryPoints, function* (file) {
    const analysis = analyses.get(file);
    if (!analysis) return;
    for (const spec of analysis.imports) {
      const target = resolveImport(file, spec, files);
      if (target) yield target;
    }
    // Files this one starts as processes (`spawn('node update.js')`) run in the same context.
    yield* analysis.facts.runsFiles;
  });
}

function resolveImport(from: string, spec: string, files: Set<string>): string | undefined {
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  return resolvePackagePath(dir ? `${dir}/${spec}` : spec, files);
}

const FLOW_SOURCES = new Set(['env', 'secret', 'browser-data', 'fingerprint', 'command-output']);

/**
 * Cross-module data flow: a sink in one file fed by `require('./x')` where `./x` exports a
 * source (secrets, fingerprints). Reported at the sink with the exporting module in evidence.
 */
export function resolveModuleFlows(analyses: Map<string, FileAnalysis>): Finding[] {
  const files = new Set(analyses.keys());
  const out: Finding[] = [];
  for (const [path, analysis] of analyses) {
    const seen = new Set<string>();
    for (const flow of analysis.facts.pendingFlows) {
      const target = resolveImport(path, flow.module, files);
      const exported = target ? analyses.get(target)?.facts.exportTaint : undefined;
      const sources = (exported ?? []).filter((s) => FLOW_SOURCES.has(s.kind));
      if (sources.length === 0 || seen.has(`${flow.sink}|${target}`)) continue;
      seen.add(`${flow.sink}|${target}`);
      const secret = sources.some(
        (s) => s.kind === 'env' || s.kind === 'secret' || s.kind === 'browser-data',
      );
      // As for flows within a file: named environment variables are what SDKs send as their own keys.
      const strong = hasStrongSecret(sources);
      const rule = secret ? secretExfiltration.meta : reconBeacon.meta;
      out.push(
        makeFinding(rule, {
          file: path,
          line: flow.line,
          column: flow.column,
          snippet: flow.snippet,
          message: `Sends what ${target} exports (${sources.map((s) => s.what).join(', ')}) out through ${flow.sink}.`,
          severity: secret && strong ? 'critical' : 'high',
          confidence: secret && !strong ? 'medium' : undefined,
          evidence: {
            flow: [
              ...sources.map((s) => ({
                step: 'source',
                kind: s.kind,
                what: s.what,
                file: target,
                line: s.line,
              })),
              { step: 'sink', kind: flow.sinkKind, what: flow.sink, file: path, line: flow.line },
            ],
            sources: sources.map((s) => s.what).join(', '),
            sink: flow.sink,
          },
        }),
      );
    }
  }
  return out;
}

/** The exported function a qualified callee names: `./send` (module value) or `./lib.send`. */
function exportedSinks(
  from: string,
  spec: string,
  analyses: Map<string, FileAnalysis>,
  files: Set<string>,
): { file: string; name: string; sinks: ParamSink[] } | undefined {
  const whole = resolveImport(from, spec, files);
  if (whole) {
    const facts = FUNCTION_SINK_FACTS.get(analyses.get(whole)!.facts);
    const sinks = facts?.exports.get('default');
    return sinks ? { file: whole, name: 'default', sinks } : undefined;
  }
  const dot = spec.lastIndexOf('.');
  const member = spec.slice(dot + 1);
  if (dot <= 0 || !/^[\w$]+$/.test(member)) return undefined;
  const target = resolveImport(from, spec.slice(0, dot), files);
  const facts = target ? FUNCTION_SINK_FACTS.get(analyses.get(target)!.facts) : undefined;
  const sinks = facts?.exports.get(member);
  return target && sinks ? { file: target, name: member, sinks } : undefined;
}

/**
 * Cross-module sink wrappers: a call that hands secrets, host data, a remote response or a
 * dangerous constant command to a function another package module exports, whose parameter
 * reaches a network/exec/file-write sink. Reported at the call; the flow spans both files.
 */
export function resolveWrapperFlows(analyses: Map<string, FileAnalysis>): Finding[] {
  const files = new Set(analyses.keys());
  const out: Finding[] = [];
  for (const [path, analysis] of analyses) {
    const facts = FUNCTION_SINK_FACTS.get(analysis.facts);
    if (!facts || facts.calls.length === 0) continue;
    const seen = new Set<string>();
    for (const call of facts.calls) {
      const target = exportedSinks(path, call.spec, analyses, files);
      if (!target) continue;
      for (const sink of target.sinks) {
        const arg = call.args[sink.param];
        if (!arg) continue;
        const via = `${target.name === 'default' ? target.file : `${target.name}() of ${target.file}`}`;
        const verdict = arg.taint.length
          ? classifyWrapperFlow(arg.taint, sink, via)
          : arg.value !== undefined
            ? classifyWrapperCommand(arg.value, sink, via)
            : undefined;
        if (!verdict) continue;
        const key = `${verdict.rule.id}|${target.file}|${target.name}|${sink.callee}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(
          makeFinding(verdict.rule, {
            file: path,
            line: call.line,
            column: call.column,
            snippet: call.snippet,
            message: verdict.message,
            severity: verdict.severity,
            confidence: verdict.confidence,
            category: verdict.category,
            evidence: wrapperEvidence(verdict, sink, via, call.line, { caller: path, callee: target.file }),
          }),
        );
      }
    }
  }
  return out;
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
    const files = new Set(pkg.artifact.files.map((f) => f.path));
    for (const analysis of analyses.values()) {
      const resolved = new Set<string>();
      for (const cmd of analysis.facts.runsFiles) for (const f of filesRunBy(cmd, files)) resolved.add(f);
      analysis.facts.runsFiles = resolved;
    }
    const contexts = propagateJsContexts(analyses, pkg.entryPoints);
    const findings: Finding[] = [];
    for (const [path, analysis] of analyses) {
      const ctx = contexts.get(path) ?? 'runtime';
      for (const f of analysis.findings) {
        f.context = ctx;
        findings.push(f);
      }
    }
    for (const f of [...resolveModuleFlows(analyses), ...resolveWrapperFlows(analyses)]) {
      f.context = contexts.get(f.file ?? '') ?? 'runtime';
      findings.push(f);
    }
    for (const f of findings) weighByContext(f, analyses.get(f.file ?? '')?.file.size ?? 0);
    return findings;
  },
};

/**
 * Credential stores that are also the configuration package tooling reads for itself: npm/yarn
 * config (the registry URL, the global prefix), a project's `.env`, Maven's settings.xml, and the
 * login files of HTTP and database clients (.netrc, .pgpass, .my.cnf).
 * Naming one outside install-time code is what registry-url, webpack's DotenvPlugin or vite do;
 * a stealer also sends it (JS-010) or does it at install. Browser profiles, chat-token stores,
 * wallets and SSH keys keep their weight: no library reads those as its own configuration.
 */
const OWN_CONFIG_STORES = new Set([
  'npm token (.npmrc)',
  'yarn registry token',
  '.env secrets file',
  'package registry credentials',
  // .netrc, .pgpass, .my.cnf: what HTTP, PostgreSQL and MySQL clients read to log in
  'saved passwords',
]);

/** Files above this size are treated as bundles by `weighByContext`. */
const BUNDLE_SIZE = 200 * 1024;

/**
 * One named secret variable sent by a request (`process.env.GITHUB_TOKEN` in a header) is what
 * every SDK does with its own API key, and one item of the page's storage what a web app does with
 * its own session token (@smithy/credential-provider-imds sends
 * AWS_CONTAINER_AUTHORIZATION_TOKEN to the container credentials endpoint). Once the file's
 * execution context is known, that JS-010 variant stays high only in install-time code, where a
 * package has no reason to call anyone with the user's tokens; elsewhere it is medium. The whole
 * environment, credential files and token commands are critical everywhere.
 */
function weighByContext(f: Finding, fileSize: number): void {
  if (f.context === 'install' || f.context === 'startup') return;
  // Naming the cloud metadata service is what cloud SDKs' credential providers do
  // (gcp-metadata, @smithy/credential-provider-imds); outside install-time code it is a detail.
  if (f.ruleId === 'NET-001' && f.evidence?.endpointKind === 'cloud-metadata') {
    f.severity = 'low';
    return;
  }
  // Naming a credential store (`.npmrc`, browser profiles) is what bundled npm tooling, browser
  // automation and cloud CLIs do among thousands of other strings; reading it into a request is
  // JS-010. Outside install-time code, a mention in a bundle-sized file weighs medium at most;
  // in a small module it is what the module is about and keeps its weight.
  if (
    f.ruleId === 'JS-004' &&
    (fileSize > BUNDLE_SIZE || OWN_CONFIG_STORES.has(String(f.evidence?.secret))) &&
    (f.severity === 'high' || f.severity === 'critical')
  ) {
    f.severity = 'medium';
    return;
  }
  // JS-009 ties a download, a file write and a process in one file; a bundle holds all three
  // for unrelated features, and a plain-HTTP URL anywhere in it (a bundled package.json's
  // repository field) is no download source. Outside install-time code that is medium at most.
  if (
    f.ruleId === 'JS-009' &&
    fileSize > BUNDLE_SIZE &&
    (f.severity === 'high' || f.severity === 'critical')
  ) {
    f.severity = 'medium';
    return;
  }
  // JS-018's ransomware pattern is a file holding a cipher, a folder listing and a file write; a
  // bundle holds all three for unrelated features (texture codecs' worker bundles).
  if (
    f.ruleId === 'JS-018' &&
    f.evidence?.cipher !== undefined &&
    fileSize > BUNDLE_SIZE &&
    f.severity === 'high'
  ) {
    f.severity = 'medium';
    return;
  }
  // Code fetched from an address the application computes and then run (a codec library compiling
  // the decoder it fetched from its CDN, a dev server's lazy bundles) is a design when it sits in a
  // function someone calls; with a constant address, or in code that certainly runs at load, it is
  // a loader and stays critical.
  if (
    f.ruleId === 'JS-012' &&
    f.severity === 'critical' &&
    typeof f.evidence?.fixedUrl !== 'string' &&
    f.evidence?.atLoad !== true
  ) {
    f.severity = 'high';
    f.evidence = { ...f.evidence, weighed: 'computed address, in code that runs only when called' };
    return;
  }
  // `npm publish` from a CLI's own code is a release tool's feature (pm2 modules, release
  // scripts); a worm publishes from install-time code.
  const techniques = f.evidence?.techniques;
  if (
    f.ruleId === 'JS-001' &&
    Array.isArray(techniques) &&
    techniques.length > 0 &&
    techniques.every((t) => t === 'worm-publish') &&
    f.severity === 'high'
  ) {
    f.severity = 'medium';
    return;
  }
  if (f.ruleId !== secretExfiltration.meta.id || f.severity !== 'high' || f.confidence !== 'medium') return;
  const sources = f.evidence?.sources;
  if (
    typeof sources !== 'string' ||
    !sources.split(', ').every((s) => s.startsWith('process.env') || s.startsWith('storage item'))
  )
    return;
  f.severity = 'medium';
  f.evidence = {
    ...f.evidence,
    weighed:
      'one named variable or storage item outside install-time code (an SDK or web app sending its own key or session token looks the same)',
  };
}

export const JAVASCRIPT_RULE_METAS: RuleMeta[] = [UNPARSEABLE, ...JS_RULES.map((r) => r.meta)];
