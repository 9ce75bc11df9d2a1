/**
 * A Maven 2 repository client (Maven Central layout): resolves versions from
 * `maven-metadata.xml`, downloads the POM and the main artifact, and verifies them against the
 * published `.sha256`/`.sha512`/`.sha1` checksum files. The base URL comes from the command line,
 * `BEAGLE_MAVEN_REPOSITORY`, a settings.xml mirror of `central`, or Maven Central itself.
 */
import { XMLParser } from 'fast-xml-parser';
import { BeagleError } from '../../core/errors.js';
import { httpGet } from '../../core/http.js';
import { checkIntegrity, type IntegrityCheck } from '../../core/integrity.js';
import type { LoadOptions } from '../types.js';
import { artifactFileName, type MavenCoordinate, versionDir } from './coordinates.js';
import { loadMavenSettings, mirrorMatches } from './settings.js';

export const MAVEN_CENTRAL = 'https://repo.maven.apache.org/maven2/';

export interface RepositoryConfig {
  url: string;
  /** Where the URL came from, for messages: `--registry`, `settings.xml mirror <id>`, `default`. */
  origin: string;
  headers: Record<string, string>;
  warnings: string[];
}

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** Picks the repository and its credentials the way `mvn` would for Maven Central. */
export function repositoryFor(options: Pick<LoadOptions, 'env' | 'registry'>): RepositoryConfig {
  const settings = loadMavenSettings(options.env);
  const headers: Record<string, string> = {};
  let url: string;
  let origin: string;
  let serverId = 'central';
  if (options.registry) {
    url = options.registry;
    origin = '--registry';
  } else if (options.env.BEAGLE_MAVEN_REPOSITORY) {
    url = options.env.BEAGLE_MAVEN_REPOSITORY;
    origin = 'BEAGLE_MAVEN_REPOSITORY';
  } else {
    const mirror = settings.mirrors.find((m) => mirrorMatches(m.mirrorOf, 'central', MAVEN_CENTRAL));
    url = mirror?.url ?? MAVEN_CENTRAL;
    origin = mirror ? `settings.xml mirror "${mirror.id}"` : 'Maven Central';
    if (mirror) serverId = mirror.id;
  }
  const server = settings.servers.get(serverId);
  if (server) {
    Object.assign(headers, server.headers);
    if (server.username && server.password)
      headers.authorization = `Basic ${Buffer.from(`${server.username}:${server.password}`).toString('base64')}`;
  }
  return { url: withSlash(url), origin, headers, warnings: settings.warnings };
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

export interface ArtifactMetadata {
  latest?: string;
  release?: string;
  versions: string[];
  lastUpdated?: string;
}

function arr(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Parses `GROUP/ARTIFACT/maven-metadata.xml`. */
export function parseArtifactMetadata(xml: string, label: string): ArtifactMetadata {
  let doc: any;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new BeagleError(
      'bad-response',
      `${label}: maven-metadata.xml is not valid XML (${(err as Error).message})`,
    );
  }
  const v = doc?.metadata?.versioning;
  if (!v) throw new BeagleError('bad-response', `${label}: maven-metadata.xml has no <versioning>`);
  return {
    latest: typeof v.latest === 'string' ? v.latest : undefined,
    release: typeof v.release === 'string' ? v.release : undefined,
    versions: arr(v.versions?.version).filter((x): x is string => typeof x === 'string'),
    lastUpdated: typeof v.lastUpdated === 'string' ? v.lastUpdated : undefined,
  };
}

/** The timestamped file version of a SNAPSHOT (`1.0-20260101.101010-3`) from the version-level metadata. */
function snapshotFileVersion(xml: string, extension: string, classifier?: string): string | undefined {
  const doc: any = parser.parse(xml);
  const v = doc?.metadata?.versioning;
  for (const sv of arr(v?.snapshotVersions?.snapshotVersion) as any[]) {
    if (
      sv?.extension === extension &&
      (sv?.classifier ?? undefined) === classifier &&
      typeof sv.value === 'string'
    )
      return sv.value;
  }
  const snap = v?.snapshot;
  if (snap?.timestamp && snap?.buildNumber)
    return `${String(doc.metadata.version).replace(/-SNAPSHOT$/, '')}-${snap.timestamp}-${snap.buildNumber}`;
  return undefined;
}

export interface Downloaded {
  url: string;
  data: Buffer;
  integrity: IntegrityCheck;
  /** Which checksum file verified it (`sha256`...), or undefined when none was published. */
  checksum?: string;
}

const CHECKSUMS = ['sha512', 'sha256', 'sha1'] as const;

/** Downloads a file and verifies it against the strongest checksum file the repository publishes. */
export async function downloadVerified(
  url: string,
  repo: RepositoryConfig,
  options: LoadOptions,
  label: string,
  maxBytes: number,
): Promise<Downloaded> {
  const http = { headers: repo.headers, timeoutMs: options.timeoutMs, label, signal: options.signal };
  const data = await httpGet(url, { ...http, maxBytes });
  for (const alg of CHECKSUMS) {
    let body: Buffer;
    try {
      body = await httpGet(`${url}.${alg}`, { ...http, maxBytes: 4096 });
    } catch (err) {
      if (err instanceof BeagleError && (err.code === 'not-found' || err.code === 'http')) continue;
      throw err;
    }
    // Checksum files hold the hex digest, sometimes followed by the file name.
    const hex = /\b([0-9a-f]{40,128})\b/i.exec(body.toString('utf8'))?.[1];
    if (!hex) continue;
    return { url, data, integrity: checkIntegrity(data, hex, alg), checksum: alg };
  }
  return { url, data, integrity: checkIntegrity(data, undefined) };
}

export interface ResolvedVersion {
  version: string;
  /** Version as it appears in file names (timestamped for snapshots). */
  fileVersion: string;
  metadata?: ArtifactMetadata;
}

/** Resolves LATEST/RELEASE/absent versions from maven-metadata.xml and snapshot timestamps. */
export async function resolveVersion(
  c: MavenCoordinate,
  repo: RepositoryConfig,
  options: LoadOptions,
  label: string,
): Promise<ResolvedVersion> {
  const http = {
    headers: repo.headers,
    timeoutMs: options.timeoutMs,
    label,
    signal: options.signal,
    maxBytes: 16 * 1024 * 1024,
  };
  const metaUrl = `${repo.url}${c.groupId.replace(/\./g, '/')}/${c.artifactId}/maven-metadata.xml`;
  let metadata: ArtifactMetadata | undefined;
  const wanted = c.version?.toUpperCase();
  if (!c.version || wanted === 'LATEST' || wanted === 'RELEASE') {
    const xml = await httpGet(metaUrl, http).catch((err) => {
      if (err instanceof BeagleError && err.code === 'not-found')
        throw new BeagleError(
          'not-found',
          `${label}: no such artifact in ${repo.url} (${repo.origin}): ${metaUrl} is 404`,
        );
      throw err;
    });
    metadata = parseArtifactMetadata(xml.toString('utf8'), label);
    const version =
      wanted === 'LATEST'
        ? (metadata.latest ?? metadata.release)
        : (metadata.release ?? metadata.latest ?? metadata.versions.at(-1));
    if (!version) throw new BeagleError('not-found', `${label}: maven-metadata.xml lists no versions`);
    return { version, fileVersion: version, metadata };
  }
  // Registry facts (version count, last update) are best effort for an exact version.
  try {
    metadata = parseArtifactMetadata((await httpGet(metaUrl, http)).toString('utf8'), label);
  } catch {
    metadata = undefined;
  }
  if (c.version.endsWith('-SNAPSHOT')) {
    const xml = await httpGet(`${repo.url}${versionDir(c, c.version)}maven-metadata.xml`, http);
    const fileVersion = snapshotFileVersion(xml.toString('utf8'), c.extension ?? 'jar', c.classifier);
    if (!fileVersion)
      throw new BeagleError('not-found', `${label}: snapshot metadata does not list a build of ${c.version}`);
    return { version: c.version, fileVersion, metadata };
  }
  return { version: c.version, fileVersion: c.version, metadata };
}

/** URL of one file of a resolved coordinate. */
export function fileUrl(
  repo: RepositoryConfig,
  c: MavenCoordinate,
  v: ResolvedVersion,
  extension: string,
  classifier?: string,
): string {
  return `${repo.url}${versionDir(c, v.version)}${artifactFileName(c, v.fileVersion, extension, classifier)}`;
}
