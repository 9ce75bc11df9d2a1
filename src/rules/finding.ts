import type { ExecutionContext, Finding, RuleMeta } from '../core/types.js';

export interface FindingInput {
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  snippet?: string;
  context?: ExecutionContext;
  evidence?: Record<string, unknown>;
  iocs?: string[];
  severity?: Finding['severity'];
  confidence?: Finding['confidence'];
  /** Overrides the rule's category when the evidence shows a more specific kind of harm. */
  category?: Finding['category'];
}

const MAX_SNIPPET = 240;

/** Trims a snippet to one readable excerpt; long minified lines are cut around nothing in particular. */
export function clipSnippet(snippet: string | undefined): string | undefined {
  if (snippet === undefined) return undefined;
  const oneLine = snippet.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_SNIPPET ? `${oneLine.slice(0, MAX_SNIPPET - 1)}…` : oneLine;
}

/** Builds a finding with the rule's defaults; the message defaults to the rule description. */
export function makeFinding(rule: RuleMeta, input: FindingInput): Finding {
  const finding: Finding = {
    ruleId: rule.id,
    category: input.category ?? rule.category,
    severity: input.severity ?? rule.severity,
    confidence: input.confidence ?? rule.confidence,
    message: input.message ?? rule.description,
    context: input.context ?? 'unknown',
  };
  if (input.file !== undefined) finding.file = input.file;
  if (input.line !== undefined) finding.line = input.line;
  if (input.column !== undefined) finding.column = input.column;
  const snippet = clipSnippet(input.snippet);
  if (snippet !== undefined) finding.snippet = snippet;
  if (input.evidence !== undefined) finding.evidence = input.evidence;
  if (input.iocs !== undefined && input.iocs.length > 0) finding.iocs = [...new Set(input.iocs)];
  return finding;
}

/** Where a code finding points: the original location, even for findings in decoded code. */
export interface CodeLocation {
  line: number;
  column: number;
  snippet: string;
}

/**
 * A finding inside a source file, as every language engine reports it. Findings in code that
 * Beagle decoded (depth > 0) keep the original location and carry the decoded snippet.
 */
export function makeCodeFinding(
  rule: RuleMeta,
  input: FindingInput,
  where: { file: string; context: ExecutionContext; location: CodeLocation },
  decoded?: { depth: number; snippet: string },
): Finding {
  const finding = makeFinding(rule, {
    ...input,
    file: where.file,
    line: where.location.line,
    column: where.location.column,
    snippet: where.location.snippet,
    context: where.context,
  });
  if (decoded && decoded.depth > 0) {
    finding.evidence = {
      ...finding.evidence,
      decodedDepth: decoded.depth,
      decodedSnippet: decoded.snippet.slice(0, 200),
    };
  }
  return finding;
}
