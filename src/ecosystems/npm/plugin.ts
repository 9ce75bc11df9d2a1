import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ReadResult } from '../../artifact/collector.js';
import { readFolder } from '../../artifact/folder.js';
import { isGzip, readTar } from '../../artifact/tar.js';
import { BeagleError } from '../../core/errors.js';
import { checkIntegrity } from '../../core/integrity.js';
import type { Artifact, ArtifactSource, RuleMeta } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';
import type { EcosystemPlugin, LoadOptions } from '../types.js';
import { npmPackageContext } from './contexts.js';
import { fetchNpmTarball, looksLikeNpmSpec } from './registry.js';

export const INTEGRITY_MISMATCH: RuleMeta = {
  id: 'INT-001',
  name: 'registry-integrity-mismatch',
  analyzer: 'source',
  ecosystems: ['npm', 'pypi', 'maven'],
  category: 'integrity',
  severity: 'high',
  confidence: 'high',
  description: 'The downloaded artifact does not match the digest the registry published for it.',
  rationale:
    'Either the bytes were altered in transit or by a mirror/proxy, or the registry metadata was tampered with; what was scanned is not what the registry vouches for.',
  falsePositives: 'Corporate proxies that rewrite tarballs; stale mirrors.',
  references: ['https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json#packages'],
};

/** Parses package.json from an npm file list; a package without one is not installable. */
function manifestOf(read: ReadResult, label: string): Record<string, unknown> {
  const file = read.files.find((f) => f.path === 'package.json');
  if (!file && read.findings.some((f) => f.ruleId === 'ARC-005' && f.file === 'package.json')) {
    throw new BeagleError(
      'limit',
      `${label}: package.json is over the single-file limit; the package was not scanned`,
    );
  }
  if (!file) throw new BeagleError('invalid-package', `${label}: no package.json in the package`);
  try {
    const parsed = JSON.parse(file.data.toString('utf8').replace(/^\uFEFF/, ''));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new BeagleError(
      'invalid-package',
      `${label}: package.json is not valid JSON (${(err as Error).message})`,
    );
  }
}

function toArtifact(read: ReadResult, source: ArtifactSource, label: string): Artifact {
  const manifest = manifestOf(read, label);
  return {
    ecosystem: 'npm',
    name: typeof manifest.name === 'string' ? manifest.name : '(unnamed)',
    version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
    source,
    files: read.files,
    manifest,
    readFindings: [...read.findings],
    warnings: [...read.warnings],
    bytes: read.bytes,
  };
}

export async function readNpmTarball(
  data: Buffer,
  source: ArtifactSource,
  options: LoadOptions,
): Promise<Artifact> {
  const read = await readTar(data, { limits: options.limits, stripRoot: true, label: source.target });
  return toArtifact(read, source, source.target);
}

export const npmPlugin: EcosystemPlugin = {
  ecosystem: 'npm',
  prefix: 'npm',
  acceptsBareSpec: looksLikeNpmSpec,

  async fetch(spec, options) {
    const got = await fetchNpmTarball(spec, options);
    const expected = got.meta.dist?.integrity;
    const integrity = expected
      ? checkIntegrity(got.data, expected)
      : checkIntegrity(got.data, got.meta.dist?.shasum, 'sha1');
    const source: ArtifactSource = {
      type: 'registry',
      target: `npm:${spec}`,
      location: got.tarballUrl,
      integrity,
      registry: {
        publishedAt: got.packument.time?.[got.version],
        createdAt: got.packument.time?.created,
        versionCount: Object.keys(got.packument.versions ?? {}).length,
        publisher: got.meta._npmUser,
        maintainers: got.packument.maintainers,
        distTags: got.packument['dist-tags'],
        scripts: got.meta.scripts,
      },
    };
    const artifact = await readNpmTarball(got.data, source, options);
    if (!integrity.verified) {
      artifact.readFindings.push(
        makeFinding(INTEGRITY_MISMATCH, {
          message: expected
            ? `Tarball digest ${integrity.actual.slice(0, 30)}… does not match the registry's ${String(integrity.expected).slice(0, 30)}…`
            : 'The registry published no digest for this tarball; its integrity cannot be verified.',
          evidence: { expected: integrity.expected, actual: integrity.actual, url: got.tarballUrl },
          severity: integrity.expected ? 'high' : 'medium',
        }),
      );
    }
    return artifact;
  },

  claimsFile(file, data) {
    // Any tar(.gz) whose entries include <root>/package.json; sdists claim theirs first by PKG-INFO.
    return /\.(tgz|tar\.gz|tar)$/i.test(file) && (isGzip(data) || data.length >= 512);
  },

  async readFile(file, data, options) {
    const source: ArtifactSource = {
      type: 'tarball',
      target: file,
      location: path.resolve(file),
      integrity: checkIntegrity(data, undefined),
    };
    return readNpmTarball(data, source, options);
  },

  async claimsFolder(dir) {
    try {
      return (await stat(path.join(dir, 'package.json'))).isFile();
    } catch {
      return false;
    }
  },

  async readFolder(dir, options) {
    const read = await readFolder(dir, options.limits, dir);
    return toArtifact(read, { type: 'folder', target: dir, location: path.resolve(dir) }, dir);
  },

  packageContext: npmPackageContext,
};
