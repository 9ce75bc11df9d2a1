import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BeagleError } from '../core/errors.js';
import type { Artifact, Ecosystem } from '../core/types.js';
import { ECOSYSTEMS } from '../ecosystems/index.js';
import type { EcosystemPlugin, LoadOptions } from '../ecosystems/types.js';

export interface ResolvedArtifact {
  artifact: Artifact;
  plugin: EcosystemPlugin;
}

async function statOrUndefined(p: string) {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

/**
 * Turns a target as the user wrote it into a safely read artifact:
 * `eco:spec` -> that registry; an existing path -> local file or folder; else a bare npm spec.
 */
export async function loadTarget(target: string, options: LoadOptions): Promise<ResolvedArtifact> {
  const prefixed = /^([a-z]+):(.+)$/.exec(target);
  if (prefixed?.[1] === 'http' || prefixed?.[1] === 'https') {
    throw new BeagleError(
      'invalid-target',
      `${target}: URL targets are not supported; scan a registry spec (with --registry for another registry) or a downloaded file`,
    );
  }
  if (prefixed?.[1] === 'file') {
    // `file:./pkg.tgz`, `file:/abs/pkg.tgz` or `file:///abs/pkg.tgz`: a local path, as npm writes it.
    const rest = prefixed[2]!;
    return loadLocal(rest.startsWith('//') ? fileURLToPath(target) : rest, options, true);
  }
  if (prefixed && !/^[a-zA-Z]:[\\/]/.test(target)) {
    const plugin = ECOSYSTEMS.find((p) => p.prefix === prefixed[1]);
    if (plugin) return { plugin, artifact: await plugin.fetch(prefixed[2]!, options) };
    throw new BeagleError(
      'invalid-target',
      `${target}: unknown ecosystem prefix "${prefixed[1]}:" (supported: ${ECOSYSTEMS.map((p) => `${p.prefix}:`).join(', ')}, file:)`,
    );
  }
  return loadLocal(target, options);
}

/** A local file or folder, else (unless `localOnly`) a bare npm spec. */
async function loadLocal(target: string, options: LoadOptions, localOnly = false): Promise<ResolvedArtifact> {
  const local = await statOrUndefined(target);
  if (local?.isDirectory()) {
    for (const plugin of ECOSYSTEMS) {
      if (await plugin.claimsFolder(target))
        return { plugin, artifact: await plugin.readFolder(target, options) };
    }
    throw new BeagleError(
      'invalid-package',
      `${target}: folder is not a package (no package.json, setup.py, pyproject.toml or pom.xml)`,
    );
  }
  if (local?.isFile()) {
    if (local.size > options.limits.maxTotalBytes) {
      throw new BeagleError(
        'limit',
        `${target}: file is ${local.size} bytes, over the ${options.limits.maxTotalBytes}-byte limit`,
      );
    }
    const data = await readFile(target);
    for (const plugin of ECOSYSTEMS) {
      if (plugin.claimsFile(target, data))
        return { plugin, artifact: await plugin.readFile(target, data, options) };
    }
    throw new BeagleError(
      'invalid-target',
      `${target}: not a recognised package file (.tgz, .tar.gz, .whl, .zip, .jar...)`,
    );
  }
  if (localOnly || (/[\\/]/.test(target) && !target.startsWith('@'))) {
    throw new BeagleError('not-found', `${target}: no such file or folder`);
  }
  if (/\.(tgz|tar\.gz|whl|jar|zip)$/i.test(target)) {
    throw new BeagleError('not-found', `${target}: no such file`);
  }
  const bare = ECOSYSTEMS.find((p) => p.acceptsBareSpec(target));
  if (!bare) throw new BeagleError('invalid-target', `${target}: not a package spec, file or folder`);
  return { plugin: bare, artifact: await bare.fetch(target, options) };
}

export function ecosystemOfTarget(target: string): Ecosystem | undefined {
  const m = /^([a-z]+):/.exec(target);
  return ECOSYSTEMS.find((p) => p.prefix === m?.[1])?.ecosystem;
}
