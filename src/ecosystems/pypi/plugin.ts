import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ReadResult } from '../../artifact/collector.js';
import { readFolder as readFolderSafely } from '../../artifact/folder.js';
import { BeagleError } from '../../core/errors.js';
import { checkIntegrity } from '../../core/integrity.js';
import type { Artifact, ArtifactSource } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';
import { INTEGRITY_MISMATCH } from '../npm/plugin.js';
import type { EcosystemPlugin, LoadOptions } from '../types.js';
import { type DistKind, isBzip2, isXz, isZip, readDistribution, tarLooksLikeSdist } from './archive.js';
import { pypiPackageContext } from './contexts.js';
import {
  type CoreMetadata,
  type EntryPoint,
  field,
  metadataFiles,
  parseCoreMetadata,
  parseEntryPoints,
  parsePyProject,
} from './metadata.js';
import { fetchPypiDistribution, parsePypiSpec } from './registry.js';

/** The manifest Beagle keeps for a Python distribution (core metadata plus what runs when). */
export interface PypiManifest {
  distKind: DistKind | 'folder';
  compression?: string;
  name?: string;
  version?: string;
  summary?: string;
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  homePage?: string;
  projectUrls: string[];
  requiresDist: string[];
  metadataVersion?: string;
  /** The file the core metadata came from. */
  metadataFile?: string;
  /** Fields of the core metadata, as parsed (multi-use fields are arrays). */
  metadata?: Record<string, string[]>;
  entryPoints: EntryPoint[];
  buildBackend?: string;
  backendPath?: string[];
  buildRequires?: string[];
  pyprojectName?: string;
  [key: string]: unknown;
}

/** `name-1.0.tar.gz` / `name-1.0-py3-none-any.whl` -> name and version (best effort). */
export function nameFromFilename(file: string): { name?: string; version?: string } {
  const base = path
    .basename(file)
    .replace(/\.(tar\.gz|tar\.bz2|tar\.xz|tgz|tbz2?|txz|tar|zip|whl|egg)$/i, '');
  const wheel = /^([^-]+)-([^-]+)(?:-.*)?$/.exec(base);
  if (/\.(whl|egg)$/i.test(file) && wheel) return { name: wheel[1], version: wheel[2] };
  const m = /^(.+?)-(\d[^-]*)$/.exec(base);
  return m ? { name: m[1], version: m[2] } : { name: base || undefined };
}

function buildManifest(read: ReadResult, distKind: PypiManifest['distKind']): PypiManifest {
  const meta = metadataFiles(read.files);
  let core: CoreMetadata | undefined;
  if (meta.metadata) core = parseCoreMetadata(meta.metadata.data.toString('utf8'));
  const pyproject = meta.pyproject ? parsePyProject(meta.pyproject.data.toString('utf8')) : undefined;
  const entryPoints = [
    ...(meta.entryPoints ? parseEntryPoints(meta.entryPoints.data.toString('utf8')) : []),
    ...(pyproject?.scripts ?? []),
  ];
  const urls = [...(core?.fields['project-url'] ?? []), ...(core?.fields['home-page'] ?? [])];
  const manifest: PypiManifest = {
    distKind,
    name: field(core, 'name') ?? pyproject?.name,
    version: field(core, 'version') ?? pyproject?.version,
    summary: field(core, 'summary'),
    author: field(core, 'author'),
    authorEmail: field(core, 'author-email'),
    maintainer: field(core, 'maintainer'),
    homePage: field(core, 'home-page'),
    projectUrls: urls,
    requiresDist: core?.fields['requires-dist'] ?? [],
    metadataVersion: field(core, 'metadata-version'),
    metadataFile: meta.metadata?.path,
    metadata: core?.fields,
    entryPoints,
    buildBackend: pyproject?.buildBackend,
    backendPath: pyproject?.backendPath,
    buildRequires: pyproject?.requires,
    pyprojectName: pyproject?.name,
  };
  return manifest;
}

function isPythonDistribution(read: ReadResult): boolean {
  return read.files.some(
    (f) =>
      /(^|\/)(PKG-INFO|METADATA|setup\.py|setup\.cfg|pyproject\.toml)$/.test(f.path) ||
      f.path.endsWith('.py') ||
      f.path.endsWith('.pth'),
  );
}

function toArtifact(
  read: ReadResult,
  distKind: PypiManifest['distKind'],
  source: ArtifactSource,
  fileName: string,
): Artifact {
  if (!isPythonDistribution(read)) {
    throw new BeagleError(
      'invalid-package',
      `${source.target}: not a Python distribution (no PKG-INFO, METADATA, setup.py, pyproject.toml or .py files)`,
    );
  }
  const manifest = buildManifest(read, distKind);
  const fromName = nameFromFilename(fileName);
  return {
    ecosystem: 'pypi',
    name: manifest.name ?? fromName.name ?? '(unnamed)',
    version: manifest.version ?? fromName.version ?? '0.0.0',
    source,
    files: read.files,
    manifest,
    readFindings: [...read.findings],
    warnings: [...read.warnings],
    bytes: read.bytes,
  };
}

const PY_ARCHIVE = /\.(whl|egg|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|zip|tar)$/i;

/** Reads a Python distribution held in memory (sdist, wheel or egg). */
export async function readPypiDistribution(
  data: Buffer,
  fileName: string,
  source: ArtifactSource,
  options: LoadOptions,
): Promise<Artifact> {
  const read = await readDistribution(data, fileName, options.limits, source.target);
  const artifact = toArtifact(read, read.kind, source, fileName);
  (artifact.manifest as PypiManifest).compression = read.compression;
  return artifact;
}

export const pypiPlugin: EcosystemPlugin = {
  ecosystem: 'pypi',
  prefix: 'pypi',
  acceptsBareSpec: () => false,

  async fetch(spec, options) {
    parsePypiSpec(spec);
    const got = await fetchPypiDistribution(spec, options);
    const info = got.release.info;
    const source: ArtifactSource = {
      type: 'registry',
      target: `pypi:${spec}`,
      location: got.url,
      integrity: got.integrity,
      registry: {
        index: got.index.indexUrl,
        filename: got.file.filename,
        packagetype: got.file.packagetype,
        uploadedAt: got.file.upload_time_iso_8601,
        yanked: got.file.yanked ?? info.yanked,
        yankedReason: got.file.yanked_reason ?? info.yanked_reason,
        author: info.author,
        authorEmail: info.author_email,
        homePage: info.home_page,
        projectUrls: info.project_urls,
        summary: info.summary,
        versionCount: got.release.releases ? Object.keys(got.release.releases).length : undefined,
        files: got.release.urls.map((f) => f.filename),
      },
    };
    const artifact = await readPypiDistribution(got.data, got.file.filename, source, options);
    if (!got.integrity.verified) {
      artifact.readFindings.push(
        makeFinding(INTEGRITY_MISMATCH, {
          message: got.integrity.expected
            ? `${got.file.filename}: sha256 ${got.integrity.actual.slice(7, 23)}… does not match the index's ${got.integrity.expected.slice(0, 16)}…`
            : `${got.file.filename}: the index published no sha256 digest; integrity cannot be verified.`,
          evidence: { expected: got.integrity.expected, actual: got.integrity.actual, url: got.url },
          severity: got.integrity.expected ? 'high' : 'medium',
        }),
      );
    }
    return artifact;
  },

  claimsFile(file, data) {
    if (!PY_ARCHIVE.test(file)) return false;
    if (/\.(whl|egg)$/i.test(file)) return isZip(data);
    if (/\.zip$/i.test(file)) {
      // Zip entry names are stored uncompressed: a cheap look for Python packaging files.
      return (
        isZip(data) &&
        /PKG-INFO|setup\.py|pyproject\.toml|\.dist-info\/|setup\.cfg/.test(data.toString('latin1'))
      );
    }
    if (isBzip2(data) || isXz(data)) return true;
    return tarLooksLikeSdist(data);
  },

  async readFile(file, data, options) {
    const source: ArtifactSource = {
      type: /\.(whl|egg|zip)$/i.test(file) ? 'archive' : 'tarball',
      target: file,
      location: path.resolve(file),
      integrity: checkIntegrity(data, undefined),
    };
    return readPypiDistribution(data, path.basename(file), source, options);
  },

  async claimsFolder(dir) {
    try {
      // A folder with package.json is an npm package (perhaps with Python helpers): npm claims it.
      if ((await stat(path.join(dir, 'package.json'))).isFile()) return false;
    } catch {
      // no package.json
    }
    for (const name of ['setup.py', 'pyproject.toml', 'setup.cfg', 'PKG-INFO']) {
      try {
        if ((await stat(path.join(dir, name))).isFile()) return true;
      } catch {
        // not there
      }
    }
    return false;
  },

  async readFolder(dir, options) {
    const read = await readFolderSafely(dir, options.limits, dir);
    return toArtifact(
      read,
      'folder',
      { type: 'folder', target: dir, location: path.resolve(dir) },
      path.basename(path.resolve(dir)),
    );
  },

  packageContext: pypiPackageContext,
};
