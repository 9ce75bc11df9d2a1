import type { Node } from './parse.js';

/**
 * A per-file memo table keyed by tree node: direct-mapped, so a lookup costs an array read.
 *
 * The engine memoises pure lookups that rules repeat for the node being visited and its
 * neighbours (folded values, qualified names, taint, sinks). A `Map` keyed by node was the
 * obvious choice and cost a tenth of the analysis: V8 gives every object its identity hash on
 * first use as a key, in a runtime call, and a 9 MB bundle put a million nodes in those maps.
 * Here the slot comes from the node's offsets and type, and the node itself is stored to check
 * identity, so a collision only evicts: a dropped entry is recomputed on its next use (which can
 * only see more of the file, never less). Memory is bounded by the table size, which follows the
 * file's size.
 */
export class NodeMemo<V> {
  private keys: Array<Node | undefined> | undefined;
  private values: Array<V | undefined> | undefined;
  private readonly mask: number;

  /** `sourceLength`: the file's length in characters, to size the table (128 to 32k slots). */
  constructor(sourceLength: number) {
    // About one slot per 64 characters: rules memoise a few dozen nodes per KB of source.
    let size = 128;
    while (size < 32_768 && size * 64 < sourceLength) size *= 2;
    this.mask = size - 1;
  }

  private slot(node: Node): number {
    const type = node.type;
    return (
      (Math.imul(node.start | 0, 0x9e3779b1) ^
        Math.imul(node.end | 0, 0x85ebca6b) ^
        (type.charCodeAt(0) + type.length * 31)) &
      this.mask
    );
  }

  /** The remembered value, or undefined when the node has none (or was evicted). */
  get(node: Node): V | undefined {
    if (!this.keys) return undefined;
    const i = this.slot(node);
    return this.keys[i] === node ? this.values![i] : undefined;
  }

  set(node: Node, value: V): void {
    if (!this.keys) {
      this.keys = new Array(this.mask + 1);
      this.values = new Array(this.mask + 1);
    }
    const i = this.slot(node);
    this.keys[i] = node;
    this.values![i] = value;
  }
}
