/**
 * The typed contracts between Beagle's pipeline stages:
 * source -> artifact -> analyzers -> findings -> verdict -> reporters / store.
 * Every stage imports from here, never from another stage's internals.
 */

export type Ecosystem = 'npm' | 'pypi' | 'maven';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** What kind of harm a finding points at. Verdict categories are drawn from these. */
export const CATEGORIES = [
  'exfiltration',
  'credential-theft',
  'recon',
  'dropper',
  'backdoor',
  'miner',
  'destruction',
  'obfuscation',
  'persistence',
  'evasion',
  'protestware',
  'spam',
  'typosquat',
  'execution',
  'network',
  'install-script',
  'integrity',
  'packaging',
  'known-malware',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * When code in a file would run. Install-time code runs without anyone calling it, so it
 * weighs the most; import-time code runs as soon as the package is loaded.
 */
export type ExecutionContext =
  | 'install' // npm lifecycle scripts, setup.py, binding.gyp, Maven build plugins
  | 'startup' // .pth files, sitecustomize: every interpreter start
  | 'import' // module top level of an entry point / __init__.py / <clinit>
  | 'build' // annotation processors, build backends
  | 'runtime' // only when a function is called
  | 'unknown';

export interface Finding {
  /** Stable rule code, e.g. `JS-EXEC-001`; see `beagle rules`. */
  ruleId: string;
  category: Category;
  severity: Severity;
  confidence: Confidence;
  /** One line: why this matters. */
  message: string;
  /** Path inside the artifact (POSIX, no leading `package/`). */
  file?: string;
  line?: number;
  column?: number;
  /** A short excerpt of the offending code (single or few lines, trimmed). */
  snippet?: string;
  context: ExecutionContext;
  /** Machine-readable extras: decoded strings, IOCs, matched paths... */
  evidence?: Record<string, unknown>;
  /** Indicators of compromise extracted from this finding (domains, IPs, URLs, wallets). */
  iocs?: string[];
  /** Set when a project config accepted this finding; it then does not count towards the verdict. */
  suppressed?: { reason: string };
}

export type FileKind = 'text' | 'binary';
export type BinaryType = 'elf' | 'pe' | 'macho' | 'node-addon' | 'wasm' | 'java-class' | 'archive' | 'other';

export interface ArtifactFile {
  /** POSIX path relative to the package root. */
  path: string;
  size: number;
  data: Buffer;
  kind: FileKind;
  binaryType?: BinaryType;
  /** Unix mode bits from the archive, where present. */
  mode?: number;
}

export type SourceType = 'registry' | 'tarball' | 'folder' | 'archive';

export interface ArtifactSource {
  type: SourceType;
  /** The target as the user wrote it. */
  target: string;
  /** URL or file path the bytes came from. */
  location: string;
  /** Integrity the registry published (SRI string) and whether it matched. */
  integrity?: { expected?: string; actual: string; verified: boolean };
  /** Registry metadata that matters for analysis (publish time, maintainers...). */
  registry?: Record<string, unknown>;
}

/** A package read safely into memory: files, manifest and what went wrong while reading. */
export interface Artifact {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  source: ArtifactSource;
  files: ArtifactFile[];
  /** The parsed package manifest (package.json, PKG-INFO/METADATA, pom). */
  manifest: Record<string, unknown>;
  /** Findings raised while reading (traversal, links, duplicates, integrity). */
  readFindings: Finding[];
  /** Non-fatal problems while reading (skipped oversize file...). */
  warnings: string[];
  bytes: number;
}

/** Per-artifact facts computed once and shared by all analyzers. */
export interface PackageContext {
  artifact: Artifact;
  /** When each file runs, as far as static reading can tell. */
  contextOf(path: string): ExecutionContext;
  /** Files that are entry points (install scripts, main, exports...) with their context. */
  entryPoints: Map<string, ExecutionContext>;
}

export interface Analyzer {
  id: string;
  /** Whether this analyzer has anything to say about the artifact. */
  appliesTo(artifact: Artifact): boolean;
  analyze(pkg: PackageContext): Promise<Finding[]> | Finding[];
}

/** Documentation and scoring metadata of a rule: the catalogue and docs come from this. */
export interface RuleMeta {
  /** Stable code, never reused: `NPM-001`, `JS-010`, `PY-003`, `JAVA-004`, `ARC-001`... */
  id: string;
  /** kebab-case slug, also accepted by `beagle explain`. */
  name: string;
  /** Which analyzer owns it: `npm-manifest`, `javascript`, `files`, `archive`, `python`, `java`, `intel`... */
  analyzer: string;
  ecosystems: readonly Ecosystem[];
  category: Category;
  severity: Severity;
  confidence: Confidence;
  /** One sentence: what it flags. */
  description: string;
  /** Why this is dangerous; what attack it belongs to. */
  rationale: string;
  /** Legitimate code that can trigger it. */
  falsePositives: string;
  /** A short example that fires. */
  example?: string;
  references: string[];
}

export type Verdict = 'malicious' | 'suspicious' | 'clean';

export interface VerdictResult {
  verdict: Verdict;
  /** 0-100. */
  score: number;
  categories: Category[];
  /** The chain of reasons, most important first. */
  reasons: string[];
}

export interface PackageInfo {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  source: ArtifactSource;
}

export interface ScanStats {
  files: number;
  bytes: number;
  parsedFiles: number;
  unparsedFiles: number;
  durationMs: number;
}

export interface ScanError {
  target: string;
  /** Short machine code: `not-found`, `network`, `corrupt-archive`, `integrity`, `limit`, `invalid-target`, `internal`... */
  code: string;
  message: string;
}

/** The report of one target: what the library returns and the CLI prints as JSON. */
export interface ScanReport {
  schemaVersion: 1;
  target: string;
  /** Absent only when the target could not be read (see errors). */
  package?: PackageInfo;
  /** `error` when the target could not be scanned: never `clean` for something unscanned. */
  verdict: Verdict | 'error';
  score: number;
  categories: Category[];
  reasons: string[];
  findings: Finding[];
  stats: ScanStats;
  errors: ScanError[];
  warnings: string[];
}
