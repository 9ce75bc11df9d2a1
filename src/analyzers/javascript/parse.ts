import { parse as babelParse } from '@babel/parser';
import { Parser as AcornParser } from 'acorn';
import { LooseParser } from 'acorn-loose';
import { parseModule, parseScript } from 'meriyah';

/** A minimal ESTree node shape: every parser Beagle uses produces these fields. */
export interface Node {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number }; end: { line: number; column: number } };
  [key: string]: any;
}

/** Node types that are functions (each has its own scope and parameters). */
export const FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
]);

export type ParserName = 'meriyah' | 'babel' | 'acorn-loose';

export interface ParseResult {
  ast?: Node;
  parser?: ParserName;
  /** The strict parsers' error when the tree came from the loose fallback (or none at all). */
  error?: string;
  /** True when the tree came from an error-recovering parser and may be partial. */
  recovered: boolean;
}

const TS_EXT = /\.(ts|tsx|mts|cts)$/i;
const MODULE_HINT = /\b(?:import|export)\b/;

/**
 * The meriyah options Beagle parses with (exported so the bench's bare-parser row uses exactly
 * these). Lines are computed from offsets only for reported nodes, so nodes carry `start`/`end`
 * numbers but no `loc` objects and no `range` arrays: on a 9 MB bundle that is 236 MB of tree
 * instead of 359 MB (`ranges: true`) or 634 MB (`loc` too).
 */
export function meriyahOptions(module: boolean, jsx: boolean) {
  return {
    loc: false,
    ranges: { start: true, end: true, range: false },
    jsx,
    next: true,
    webcompat: !module,
    globalReturn: !module,
  } as const;
}

/** `[start, end)` offsets of comments, collected when a caller asks for them. */
type CommentSink = Array<[number, number]>;

function meriyah(source: string, module: boolean, jsx: boolean, comments?: CommentSink): Node {
  const base = meriyahOptions(module, jsx);
  const options = comments
    ? {
        ...base,
        onComment: (_type: string, _value: string, start: number, end: number) => {
          comments.push([start, end]);
        },
      }
    : base;
  try {
    return (module ? parseModule(source, options) : parseScript(source, options)) as unknown as Node;
  } catch (err) {
    if (comments) comments.length = 0; // a failed attempt's comments are not the file's
    throw err;
  }
}

function babel(source: string, typescript: boolean, comments?: CommentSink): Node {
  const file = babelParse(source, {
    sourceType: 'unambiguous',
    errorRecovery: true,
    allowReturnOutsideFunction: true,
    allowImportExportEverywhere: true,
    // comments come back in `file.comments`; attached to nodes they are only extra node shapes
    attachComment: false,
    plugins: typescript ? ['typescript', 'jsx', 'estree'] : ['jsx', 'estree'],
  }) as unknown as Node;
  if (comments) for (const c of file.comments ?? []) comments.push([c.start, c.end]);
  return file.program as Node;
}

/**
 * Parses JavaScript or TypeScript with the fastest parser that accepts it:
 * meriyah for JS (script or module, then with JSX), Babel for TypeScript, acorn-loose to
 * recover a partial tree from broken files.
 */
export function parseJavaScript(source: string, path: string, comments?: CommentSink): ParseResult {
  if (TS_EXT.test(path)) {
    try {
      return { ast: babel(source, !/\.(jsx)$/i.test(path), comments), parser: 'babel', recovered: false };
    } catch (err) {
      return looseFallback(source, (err as Error).message);
    }
  }
  const jsx = /\.jsx$/i.test(path);
  const moduleFirst = /\.mjs$/i.test(path) || (!/\.cjs$/i.test(path) && MODULE_HINT.test(source));
  const attempts: Array<[boolean, boolean]> = moduleFirst
    ? [
        [true, jsx],
        [false, jsx],
      ]
    : [
        [false, jsx],
        [true, jsx],
      ];
  if (!jsx) attempts.push([true, true], [false, true]);
  let firstError: string | undefined;
  for (const [module, withJsx] of attempts) {
    try {
      return { ast: meriyah(source, module, withJsx, comments), parser: 'meriyah', recovered: false };
    } catch (err) {
      firstError ??= (err as Error).message;
    }
  }
  try {
    return { ast: babel(source, false, comments), parser: 'babel', recovered: false };
  } catch {
    return looseFallback(source, firstError);
  }
}

/** Syntax errors the loose parser recovers from in one file before Beagle stops calling it code. */
export const LOOSE_MAX_ERRORS = 2_000;

class LooseGaveUp extends Error {}

/**
 * acorn's tokenizer as the loose parser's base (acorn-loose's `BaseParser` extension point), with
 * two changes for hostile input. acorn builds every error message with the line and column, found
 * by scanning the input from its start: one scan per error, so a file of non-code (a 6 MB data file
 * a package lists in its `exports`) made the recovery quadratic and a scan took hours. Errors here
 * carry only the offsets the loose parser reads (`pos`, `raisedAt`), and after
 * `LOOSE_MAX_ERRORS` of them the file is given up as not code: it then gets the text-level checks
 * and the unparseable finding, like any file no parser reads.
 */
class BoundedTokenizer extends AcornParser {
  private errors = 0;

  raise(pos: number, message: string): never {
    if (++this.errors > LOOSE_MAX_ERRORS)
      throw new LooseGaveUp(`more than ${LOOSE_MAX_ERRORS} syntax errors: not JavaScript`);
    const err = new SyntaxError(message) as SyntaxError & { pos: number; raisedAt: number };
    err.pos = pos;
    err.raisedAt = (this as unknown as { pos: number }).pos;
    throw err;
  }

  raiseRecoverable(pos: number, message: string): never {
    return this.raise(pos, message);
  }
}

const BoundedLooseParser = class extends (LooseParser as unknown as new (
  input: string,
  options: unknown,
) => { parse(): unknown }) {
  static BaseParser = BoundedTokenizer;
};

function looseFallback(source: string, error: string | undefined): ParseResult {
  try {
    const ast = new BoundedLooseParser(source, {
      ecmaVersion: 'latest',
      locations: false,
      sourceType: 'module',
    }).parse();
    return { ast: ast as unknown as Node, parser: 'acorn-loose', error, recovered: true };
  } catch (err) {
    return { error: error ?? (err as Error).message, recovered: true };
  }
}

/**
 * Offsets `[start, end)` of every comment in a file, for the rare checks that must tell comments
 * from code (a second parse, so only call it when a file needs it). Undefined when the file does
 * not parse.
 */
export function commentRanges(source: string, path: string): Array<[number, number]> | undefined {
  const comments: CommentSink = [];
  const parsed = parseJavaScript(source, path, comments);
  return parsed.ast && !parsed.recovered ? comments : undefined;
}
