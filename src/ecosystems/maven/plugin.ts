/**
 * The Maven ecosystem: `maven:GROUP:ARTIFACT[:VERSION]` from a Maven 2 repository (Central, a
 * mirror from settings.xml, Artifactory/Nexus), local jar/war/ear/aar/pom/class files and
 * folders (Maven projects with a pom.xml, exploded jars).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { classify } from '../../artifact/classify.js';
import type { ReadResult } from '../../artifact/collector.js';
import { readFolder } from '../../artifact/folder.js';
import { BeagleError } from '../../core/errors.js';
import { checkIntegrity } from '../../core/integrity.js';
import type { Artifact, ArtifactFile, ArtifactSource, Finding } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';
import { INTEGRITY_MISMATCH } from '../npm/plugin.js';
import type { EcosystemPlugin, LoadOptions } from '../types.js';
import { isZip, readJavaArchive } from './archive.js';
import { mavenPackageContext, parseManifest } from './contexts.js';
import { extensionFor, parseMavenCoordinate } from './coordinates.js';
import { type PomModel, parsePom, parsePomProperties } from './pom.js';
import { type Downloaded, downloadVerified, fileUrl, repositoryFor, resolveVersion } from './repository.js';

const ARCHIVE_EXT = /\.(jar|war|ear|aar)$/i;

interface Identity {
  groupId?: string;
  artifactId?: string;
  version?: string;
  packaging?: string;
}

/** Works out what an archive is: top-level POM, else the embedded pom.properties, else MANIFEST.MF, else the file name. */
function identify(
  files: ArtifactFile[],
  fileName: string,
  repositoryPom?: PomModel,
): { id: Identity; manifest: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const topPom = files.find((f) => f.path === 'pom.xml');
  let pom = repositoryPom;
  if (!pom && topPom) {
    try {
      pom = parsePom(topPom.data.toString('utf8'), topPom.path);
    } catch (err) {
      warnings.push((err as Error).message);
    }
  }
  const embedded = files
    .filter((f) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(f.path))
    .map((f) => parsePomProperties(f.data.toString('utf8')));
  const base = path.basename(fileName).replace(/\.[^.]+$/, '');
  const own =
    embedded.find((e) => e.artifactId && base.startsWith(e.artifactId)) ??
    (embedded.length === 1 ? embedded[0] : undefined);
  const mfFile = files.find((f) => f.path === 'META-INF/MANIFEST.MF');
  const mf = mfFile ? parseManifest(mfFile.data.toString('utf8')) : {};
  const id: Identity = {
    groupId: pom?.groupId ?? own?.groupId,
    artifactId:
      pom?.artifactId ??
      own?.artifactId ??
      mf['Bundle-SymbolicName']?.split(';')[0] ??
      mf['Implementation-Title'] ??
      mf['Automatic-Module-Name'] ??
      base,
    version: pom?.version ?? own?.version ?? mf['Bundle-Version'] ?? mf['Implementation-Version'],
    packaging: pom?.packaging,
  };
  return {
    id,
    manifest: {
      coordinates: { groupId: id.groupId, artifactId: id.artifactId, version: id.version },
      packaging: id.packaging ?? ARCHIVE_EXT.exec(fileName)?.[1]?.toLowerCase() ?? 'jar',
      pom,
      jarManifest: mf,
      embeddedPoms: embedded,
    },
    warnings,
  };
}

function toArtifact(
  read: ReadResult,
  source: ArtifactSource,
  fileName: string,
  repositoryPom?: PomModel,
): Artifact {
  const { id, manifest, warnings } = identify(read.files, fileName, repositoryPom);
  return {
    ecosystem: 'maven',
    name: id.groupId ? `${id.groupId}:${id.artifactId}` : (id.artifactId ?? path.basename(fileName)),
    version: id.version ?? '0',
    source,
    files: read.files,
    manifest,
    readFindings: [...read.findings],
    warnings: [...read.warnings, ...warnings],
    bytes: read.bytes,
  };
}

function textFile(p: string, data: Buffer): ArtifactFile {
  const { kind, binaryType } = classify(p, data);
  const f: ArtifactFile = { path: p, size: data.length, data, kind };
  if (binaryType) f.binaryType = binaryType;
  return f;
}

function looksLikePom(data: Buffer): boolean {
  return /<project[\s>]/.test(data.subarray(0, 4096).toString('utf8'));
}

function integrityFinding(d: Downloaded, what: string): Finding | undefined {
  if (d.integrity.verified) return undefined;
  return makeFinding(INTEGRITY_MISMATCH, {
    file: what,
    message: d.integrity.expected
      ? `${what}: ${d.checksum} digest ${d.integrity.actual.slice(0, 40)}… does not match the repository's ${d.integrity.expected.slice(0, 40)}…`
      : `${what}: the repository published no .sha1/.sha256/.sha512 checksum; integrity cannot be verified.`,
    severity: d.integrity.expected ? 'high' : 'medium',
    evidence: { url: d.url, expected: d.integrity.expected, actual: d.integrity.actual },
  });
}

export const mavenPlugin: EcosystemPlugin = {
  ecosystem: 'maven',
  prefix: 'maven',
  acceptsBareSpec: () => false,

  async fetch(spec, options) {
    const coord = parseMavenCoordinate(spec);
    const label = `maven:${spec}`;
    const repo = repositoryFor(options);
    const resolved = await resolveVersion(coord, repo, options, label);
    const pomUrl = fileUrl(repo, coord, resolved, 'pom');
    const pomDl = await downloadVerified(pomUrl, repo, options, label, 16 * 1024 * 1024).catch((err) => {
      if (err instanceof BeagleError && err.code === 'not-found')
        throw new BeagleError(
          'not-found',
          `${label}: ${coord.groupId}:${coord.artifactId}:${resolved.version} is not in ${repo.url} (${repo.origin})`,
        );
      throw err;
    });
    const pomText = pomDl.data.toString('utf8');
    const pom = parsePom(pomText, `${label} (${pomUrl})`);
    const extension = coord.extension ?? extensionFor(pom.packaging);
    const pomName = `${coord.artifactId}-${resolved.version}.pom`;
    let main: Downloaded | undefined;
    let read: ReadResult;
    if (extension === 'pom') {
      read = { files: [], findings: [], warnings: [], bytes: pomDl.data.length };
    } else {
      const url = fileUrl(repo, coord, resolved, extension, coord.classifier);
      main = await downloadVerified(url, repo, options, label, options.limits.maxTotalBytes);
      if (!isZip(main.data))
        throw new BeagleError('corrupt-archive', `${label}: ${url} is not a zip/jar archive`);
      read = await readJavaArchive(main.data, options.limits, label);
    }
    read.files.push(textFile(pomName, pomDl.data));
    const primary = main ?? pomDl;
    const source: ArtifactSource = {
      type: 'registry',
      target: label,
      location: primary.url,
      integrity: primary.integrity,
      registry: {
        repository: repo.url,
        repositoryOrigin: repo.origin,
        pomUrl,
        versionCount: resolved.metadata?.versions.length,
        lastUpdated: resolved.metadata?.lastUpdated,
        latest: resolved.metadata?.latest,
        release: resolved.metadata?.release,
        checksum: primary.checksum,
      },
    };
    const artifact = toArtifact(read, source, pomName, pom);
    artifact.version = resolved.version;
    artifact.warnings.push(...repo.warnings);
    for (const [d, what] of [
      [pomDl, pomName],
      ...(main ? [[main, path.posix.basename(main.url)]] : []),
    ] as Array<[Downloaded, string]>) {
      const f = integrityFinding(d, what);
      if (f) artifact.readFindings.push(f);
    }
    return artifact;
  },

  claimsFile(file, data) {
    if (ARCHIVE_EXT.test(file)) return isZip(data);
    if (/\.pom$|(^|[\\/])pom\.xml$/i.test(file)) return looksLikePom(data);
    return /\.class$/i.test(file) && data.length >= 4 && data.readUInt32BE(0) === 0xcafebabe;
  },

  async readFile(file, data, options) {
    const source: ArtifactSource = {
      type: 'archive',
      target: file,
      location: path.resolve(file),
      integrity: checkIntegrity(data, undefined),
    };
    const base = path.basename(file);
    if (ARCHIVE_EXT.test(file))
      return toArtifact(await readJavaArchive(data, options.limits, file), source, base);
    if (/\.class$/i.test(file)) {
      return toArtifact(
        { files: [textFile(base, data)], findings: [], warnings: [], bytes: data.length },
        source,
        base,
      );
    }
    // A POM on its own: its build section is what `mvn` would run.
    const pom = parsePom(data.toString('utf8'), file);
    return toArtifact(
      { files: [textFile(base, data)], findings: [], warnings: [], bytes: data.length },
      source,
      base,
      pom,
    );
  },

  async claimsFolder(dir) {
    for (const marker of ['pom.xml', 'META-INF/MANIFEST.MF', 'WEB-INF/web.xml']) {
      try {
        if ((await stat(path.join(dir, marker))).isFile()) return true;
      } catch {
        // try next marker
      }
    }
    return false;
  },

  async readFolder(dir, options) {
    const read = await readFolder(dir, options.limits, dir);
    // Jars inside a project folder (lib/, target/) are opened like nested archives.
    const extra: ArtifactFile[] = [];
    for (const f of read.files) {
      if (!ARCHIVE_EXT.test(f.path) || !isZip(f.data)) continue;
      try {
        const nested = await readJavaArchive(
          f.data,
          { ...options.limits, maxNesting: Math.max(0, options.limits.maxNesting - 1) },
          `${dir}/${f.path}`,
        );
        for (const n of nested.files) extra.push({ ...n, path: `${f.path}!/${n.path}` });
        read.bytes += nested.bytes;
        if (read.bytes > options.limits.maxTotalBytes)
          throw new BeagleError(
            'limit',
            `${dir}: content with nested archives exceeds ${options.limits.maxTotalBytes} bytes (refused)`,
          );
        read.warnings.push(...nested.warnings);
      } catch (err) {
        if (err instanceof BeagleError && err.code === 'limit') throw err;
        read.warnings.push(`${f.path}: not readable as an archive (${(err as Error).message})`);
      }
    }
    read.files.push(...extra);
    return toArtifact(
      read,
      { type: 'folder', target: dir, location: path.resolve(dir) },
      path.basename(path.resolve(dir)),
    );
  },

  packageContext: mavenPackageContext,
};

/** Reads a local Maven file by path (used by tests and the bench). */
export async function readMavenFile(file: string, options: LoadOptions): Promise<Artifact> {
  return mavenPlugin.readFile(file, await readFile(file), options);
}
