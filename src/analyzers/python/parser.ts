import { createRequire } from 'node:module';
import { Language, type Node, Parser, type Tree } from 'web-tree-sitter';

export type { Node, Tree };

let ready: Promise<Parser> | undefined;

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
    return parser;
  })();
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/** Bytes of source beyond which a file is only scanned as text (tree-sitter is linear, but memory is not free). */
export const MAX_PARSE_CHARS = 8 * 1024 * 1024;

export interface ParsedPython {
  tree?: Tree;
  /** Share of the file covered by ERROR/MISSING nodes (0 when the parse is clean). */
  errorRatio: number;
  errorLine?: number;
}

function errorStats(root: Node): { bytes: number; line?: number } {
  if (!root.hasError) return { bytes: 0 };
  let bytes = 0;
  let line: number | undefined;
  const cursor = root.walk();
  let descend = true;
  for (;;) {
    const node = cursor.currentNode;
    if (descend && (node.type === 'ERROR' || node.isMissing)) {
      bytes += Math.max(1, node.endIndex - node.startIndex);
      line ??= node.startPosition.row + 1;
      descend = false;
    }
    if (descend && node.hasError && cursor.gotoFirstChild()) continue;
    descend = true;
    if (cursor.gotoNextSibling()) continue;
    let up = false;
    while (cursor.gotoParent()) {
      if (cursor.gotoNextSibling()) {
        up = true;
        break;
      }
    }
    if (!up) break;
  }
  cursor.delete();
  return { bytes, line };
}

/** Parses Python 3 (and most Python 2: print/exec statements) source; the caller deletes the tree. */
export async function parsePython(source: string): Promise<ParsedPython> {
  if (source.length > MAX_PARSE_CHARS) return { errorRatio: 1 };
  const parser = await pythonParser();
  const tree = parser.parse(source);
  if (!tree) return { errorRatio: 1 };
  const stats = errorStats(tree.rootNode);
  return {
    tree,
    errorRatio: source.length ? Math.min(1, stats.bytes / source.length) : 0,
    errorLine: stats.line,
  };
}
