/** Bounds applied while reading any archive or folder, so a hostile package cannot exhaust memory. */
export interface ReadLimits {
  /** Total uncompressed bytes across all entries. */
  maxTotalBytes: number;
  /** Largest single file kept in memory; larger files are skipped with a finding. */
  maxFileBytes: number;
  /** Maximum number of entries (files, dirs, links) in one archive. */
  maxEntries: number;
  /** Maximum uncompressed/compressed ratio of a whole archive or a single zip entry. */
  maxRatio: number;
  /** How deep nested archives (jar in war) are opened. */
  maxNesting: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxTotalBytes: 512 * 1024 * 1024,
  maxFileBytes: 64 * 1024 * 1024,
  maxEntries: 50_000,
  maxRatio: 200,
  maxNesting: 2,
};

export function withLimits(partial?: Partial<ReadLimits>): ReadLimits {
  return { ...DEFAULT_LIMITS, ...(partial ?? {}) };
}
