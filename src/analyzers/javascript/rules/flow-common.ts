import type { RuleContext } from '../engine.js';
import type { Node } from '../parse.js';
import { describeTaint, type Sink, type Taint, type TaintKind, withoutGlobal } from '../taint.js';

/** Evidence for a source -> sink finding: the chain a reviewer can follow. */
export function flowEvidence(ctx: RuleContext, node: Node, sink: Sink, sources: Taint) {
  const at = ctx.where(node);
  return {
    flow: [
      ...sources.map((s) => ({ step: 'source', kind: s.kind, what: s.what, line: s.line })),
      { step: 'sink', kind: sink.kind, what: sink.callee, line: at.line },
    ],
    sources: describeTaint(sources),
    sink: sink.callee,
  };
}

/**
 * Visits every call/new expression that is a sink and hands rules the tagged input, once per
 * (sink kind, source kinds) pair per file so a loop does not produce a hundred findings.
 */
export function onSinks(
  ctx: RuleContext,
  want: readonly TaintKind[],
  sinks: readonly Sink['kind'][],
  report: (node: Node, sink: Sink, sources: Taint) => void,
): { CallExpression: (n: Node) => void; NewExpression: (n: Node) => void } {
  const seen = new Set<string>();
  const check = (node: Node) => {
    const sink = ctx.taint.sinkOf(node);
    if (!sink || !sinks.includes(sink.kind) || sink.taint.length === 0) return;
    // a request hook handing its parameters to the function it replaced is not a flow out
    const sources = sink.taint.filter(
      (s) => want.includes(s.kind) && (s.hook === undefined || s.hook !== withoutGlobal(sink.callee)),
    );
    if (sources.length === 0) return;
    const key = `${sink.kind}|${[...new Set(sources.map((s) => s.kind))].sort().join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    report(node, sink, sources);
  };
  return { CallExpression: check, NewExpression: check };
}

/** Records sinks fed by a package-local module for resolution after all files are analysed. */
export function recordModuleFlows(ctx: RuleContext) {
  const check = (node: Node) => {
    const sink = ctx.taint.sinkOf(node);
    if (!sink || (sink.kind !== 'network' && sink.kind !== 'dns')) return;
    for (const s of sink.taint) {
      if (s.kind !== 'module') continue;
      const at = ctx.where(node);
      ctx.facts.pendingFlows.push({
        module: s.what,
        sink: sink.callee,
        sinkKind: sink.kind,
        line: at.line,
        column: at.column,
        snippet: at.snippet,
      });
    }
  };
  return { CallExpression: check, NewExpression: check };
}
