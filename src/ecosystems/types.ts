import type { ReadLimits } from '../core/limits.js';
import type { Artifact, Ecosystem, PackageContext } from '../core/types.js';

/** Options every source receives. */
export interface LoadOptions {
  limits: ReadLimits;
  /** Working directory for config lookup (.npmrc, pip.conf...). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Override of the ecosystem's registry/index/repository base URL. */
  registry?: string;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Everything Beagle knows about one ecosystem, in one place: how to fetch and read its
 * packages and when each file of a package runs. Adding an ecosystem means adding one plugin.
 */
export interface EcosystemPlugin {
  ecosystem: Ecosystem;
  /** Target prefix, e.g. `npm` for `npm:express@4`. */
  prefix: string;
  /** Whether an unprefixed target such as `express@4` belongs to this registry (only npm says yes). */
  acceptsBareSpec(target: string): boolean;
  /** Resolves a registry spec (without prefix), downloads and verifies it, reads it safely. */
  fetch(spec: string, options: LoadOptions): Promise<Artifact>;
  /** Whether a local file is this ecosystem's package format (by name and bytes). Cheap checks only. */
  claimsFile(path: string, data: Buffer): boolean;
  readFile(path: string, data: Buffer, options: LoadOptions): Promise<Artifact>;
  /** Whether a local folder is an unpacked package of this ecosystem. */
  claimsFolder(dir: string): Promise<boolean>;
  readFolder(dir: string, options: LoadOptions): Promise<Artifact>;
  /** Computes entry points and execution contexts of the package's files. */
  packageContext(artifact: Artifact): PackageContext;
}
