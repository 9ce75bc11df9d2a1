import type { Ecosystem } from '../core/types.js';

/** Where a pinned dependency comes from. Only `registry` dependencies can be looked up by name. */
export type DependencySource = 'registry' | 'git' | 'url' | 'file' | 'link' | 'workspace';

/** One dependency as a lockfile or manifest records it. */
export interface Dependency {
  ecosystem: Ecosystem;
  /** The registry name (an npm alias is resolved to the real package). Maven: `group:artifact`. */
  name: string;
  /** The exact pinned version; empty when the file only declares a range (see `spec`). */
  version: string;
  /** The declared requirement when nothing is pinned (`>=1.2`, `^4`), or the original spec. */
  spec?: string;
  /** The name the package is installed under when it differs (npm `alias@npm:real@x`). */
  alias?: string;
  source: DependencySource;
  /** Tarball URL, git URL and commit, or local path. */
  resolved?: string;
  /** Integrity the lockfile records: an SRI string (`sha512-...`) or `sha256:<hex>` digests. */
  integrity?: string;
  /** Only needed for development (devDependencies, dev groups, test scope). */
  dev?: boolean;
  /** Optional dependency (npm optionalDependencies, Maven `<optional>`, extras). */
  optional?: boolean;
  /** Declared by the project itself rather than pulled in transitively, when the file tells. */
  direct?: boolean;
  /** Maven scope, Python environment marker, Gradle configurations... */
  qualifier?: string;
  /** The lockfile or manifest, as given to the extractor. */
  file: string;
  /** 1-based line of the entry in that file, where it can be located. */
  line?: number;
  /** Install path inside the project (`node_modules/a/node_modules/b`), for npm-style trees. */
  path?: string;
  /** Index URLs / registries this file points at (requirements `--extra-index-url`...). */
  registry?: string;
}

/** What one file yielded. */
export interface Extraction {
  file: string;
  /** Extractor format id, e.g. `package-lock@3`, `yarn-berry`, `requirements`. */
  format: string;
  ecosystem: Ecosystem;
  dependencies: Dependency[];
  warnings: string[];
  /** Files read besides the main one (requirements `-r` includes, parent poms). */
  included?: string[];
}

export interface ExtractContext {
  /** Reads another file (for includes, sibling manifests); resolves relative to the extracted file. */
  readSibling(relativePath: string): Promise<string | undefined>;
}

/** One lockfile / manifest format. */
export interface Extractor {
  /** Stable id shown in reports. */
  id: string;
  ecosystem: Ecosystem;
  /** Human description for `docs/audit.md` and error messages. */
  description: string;
  /** A folder format (node_modules): `extract` then receives the folder path and empty text. */
  directory?: boolean;
  /** Whether a file with this base name is this format (cheap: name only). */
  matches(basename: string): boolean;
  /** When several formats share a file name (yarn classic / berry), whether the content is this one. */
  sniff?(text: string): boolean;
  extract(file: string, text: string, ctx: ExtractContext): Promise<Extraction> | Extraction;
}
