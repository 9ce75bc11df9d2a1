/**
 * The contract of a bench section: a module under src/bench/ exporting `bench(ctx)` (or a default
 * function) that measures something and resolves to a Markdown section starting with `## Title`.
 */
export interface BenchContext {
  /** ../shared/corpus, or undefined when it is absent (sections then skip with a message). */
  corpus: string | undefined;
  /** Repository root. */
  root: string;
  /** Times each measurement is repeated (the best run is reported). */
  repeat: number;
  /** Where progress goes (stderr); stdout carries only the Markdown. */
  log: (message: string) => void;
}

export type BenchSection = (ctx: BenchContext) => Promise<string>;
