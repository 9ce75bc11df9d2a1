import type { ExecutionContext } from './types.js';

const ORDER: ExecutionContext[] = ['unknown', 'runtime', 'build', 'import', 'startup', 'install'];

/** Higher is more dangerous: install > startup > import > build > runtime > unknown. */
export function rank(ctx: ExecutionContext): number {
  return ORDER.indexOf(ctx);
}

/**
 * Propagates execution contexts from entry points along a package's own module graph (imports,
 * files started as processes...), so a helper loaded by an install script is install-time code
 * too. Each file keeps the most dangerous context that reaches it. `edges(file)` lists the
 * package files a file loads; every language analyzer supplies its own resolution.
 */
export function propagateContexts(
  entryPoints: Map<string, ExecutionContext>,
  edges: (file: string) => Iterable<string>,
): Map<string, ExecutionContext> {
  const result = new Map<string, ExecutionContext>();
  const queue: Array<[string, ExecutionContext]> = [...entryPoints.entries()];
  while (queue.length > 0) {
    const [file, ctx] = queue.shift()!;
    const current = result.get(file);
    if (current && rank(current) >= rank(ctx)) continue;
    result.set(file, ctx);
    for (const target of edges(file)) if (target !== file) queue.push([target, ctx]);
  }
  return result;
}
