import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;
let types: { names: string[]; named: boolean[]; fields: Array<string | null> } | undefined;

/**
 * The tree-sitter Python parser (web-tree-sitter + the grammar's own .wasm, no native build).
 * Initialised once per process or worker thread; later calls share the same parser.
 */
export function pythonParser(): Promise<Parser> {
  ready ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    const names: string[] = [];
    const named: boolean[] = [];
    for (let i = 0; i < language.nodeTypeCount; i++) {
      names.push(language.nodeTypeForId(i) ?? '');
      named.push(language.nodeTypeIsNamed(i));
    }
    const fields: Array<string | null> = [null];
    for (let i = 1; i <= language.fieldCount; i++) fields.push(language.fieldNameForId(i));
    types = { names, named, fields };
    return parser;
  })();
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/** Source characters beyond which a file is only scanned as text. */
export const MAX_PARSE_CHARS = 8 * 1024 * 1024;

let nextId = 1;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A syntax-tree node copied out of the wasm heap in one cursor pass. It keeps the subset of
 * web-tree-sitter's `Node` API the rules use; crossing into wasm for every property access
 * (parent, fields, text) costs far more than the copy.
 */
export class Node {
  readonly id = nextId++;
  readonly children: Node[] = [];
  parent: Node | null = null;
  private named?: Node[];
  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly field: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly row: number,
    readonly column: number,
    readonly isMissing: boolean,
    private readonly source: string,
  ) {}

  get text(): string {
    const text = this.source.slice(this.startIndex, this.endIndex);
    // Python NFKC-normalises identifiers (PEP 3131), so `𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get` *is* `requests.get`:
    // stealers use such look-alike letters to hide names from text and AST scanners.
    return this.type === 'identifier' && NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  }

  get startPosition(): { row: number; column: number } {
    return { row: this.row, column: this.column };
  }

  get namedChildren(): Node[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  childForFieldName(field: string): Node | null {
    for (const c of this.children) if (c.field === field) return c;
    return null;
  }

  childrenForFieldName(field: string): Node[] {
    return this.children.filter((c) => c.field === field);
  }

  /** Descendants of a type, in source order (iterative: obfuscated code nests deeply). */
  descendantsOfType(type: string): Node[] {
    const out: Node[] = [];
    const stack: Node[] = [...this.children].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === type) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    return out;
  }
}

export interface ParsedPython {
  root?: Node;
  /** Share of the file covered by ERROR/MISSING nodes (0 when the parse is clean). */
  errorRatio: number;
  errorLine?: number;
}

/** Parses Python 3 (and most Python 2: print/exec statements) source into a plain node tree. */
export async function parsePython(source: string): Promise<ParsedPython> {
  if (source.length > MAX_PARSE_CHARS) return { errorRatio: 1 };
  const parser = await pythonParser();
  const tree = parser.parse(source);
  if (!tree) return { errorRatio: 1 };
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let errorChars = 0;
  let errorLine: number | undefined;
  let errorDepth = 0;
  const cursor = tree.walk();
  try {
    const t = types!;
    let lastRow = 0;
    const rowOf = (offset: number): number => {
      // offsets arrive almost in order: walk from the previous row
      let r = lastRow;
      if (lineStarts[r]! > offset) {
        let lo = 0;
        let hi = r;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (lineStarts[mid]! <= offset) lo = mid;
          else hi = mid - 1;
        }
        r = lo;
      } else while (r + 1 < lineStarts.length && lineStarts[r + 1]! <= offset) r++;
      lastRow = r;
      return r;
    };
    const make = (): Node => {
      const typeId = cursor.nodeTypeId;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const row = rowOf(start);
      const type = t.names[typeId] ?? cursor.nodeType;
      // MISSING nodes (inserted by error recovery) are the only zero-width tokens besides the module.
      const missing =
        start === end &&
        typeId !== 0 &&
        type !== 'module' &&
        type !== 'string_content' &&
        t.named[typeId] !== undefined &&
        !/_(start|end)$|^(newline|indent|dedent)$/.test(type);
      return new Node(
        type,
        t.named[typeId] ?? cursor.nodeIsNamed,
        t.fields[cursor.currentFieldId] ?? null,
        start,
        end,
        row,
        start - (lineStarts[row] ?? 0),
        missing,
        source,
      );
    };
    const root = make();
    const stack: Node[] = [root];
    const errorFlags: boolean[] = [false];
    /** Copies the cursor's node under the current parent and counts syntax-error coverage. */
    const enter = () => {
      const n = make();
      const parent = stack[stack.length - 1]!;
      n.parent = parent;
      parent.children.push(n);
      stack.push(n);
      const isErr = n.type === 'ERROR' || n.isMissing;
      if (isErr && errorDepth === 0) {
        errorChars += Math.max(1, n.endIndex - n.startIndex);
        errorLine ??= n.row + 1;
      }
      if (isErr) errorDepth++;
      errorFlags.push(isErr);
    };
    for (;;) {
      if (cursor.gotoFirstChild()) {
        enter();
        continue;
      }
      let moved = false;
      while (!moved) {
        const done = stack.pop()!;
        if (errorFlags.pop()) errorDepth--;
        void done;
        if (cursor.gotoNextSibling()) {
          enter();
          moved = true;
        } else if (!cursor.gotoParent()) break;
      }
      if (!moved) break;
    }
    return {
      root,
      errorRatio: source.length ? Math.min(1, errorChars / source.length) : 0,
      errorLine,
    };
  } finally {
    cursor.delete();
    tree.delete();
  }
}
