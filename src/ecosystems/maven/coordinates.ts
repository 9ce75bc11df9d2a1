import { BeagleError } from '../../core/errors.js';

/** A Maven coordinate as written on the command line. */
export interface MavenCoordinate {
  groupId: string;
  artifactId: string;
  /** Exact version, or `LATEST`/`RELEASE`/undefined to resolve from maven-metadata.xml. */
  version?: string;
  /** File extension of the main artifact (`jar`, `war`, `aar`, `pom`); decided from the POM when absent. */
  extension?: string;
  classifier?: string;
}

const ID = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^[A-Za-z0-9_.+-]+$/;

/**
 * Parses `GROUP:ARTIFACT[:VERSION]`, `GROUP:ARTIFACT:PACKAGING:VERSION` and
 * `GROUP:ARTIFACT:PACKAGING:CLASSIFIER:VERSION` (Maven's own order).
 */
export function parseMavenCoordinate(spec: string): MavenCoordinate {
  const parts = spec.split(':');
  const fail = (why: string) =>
    new BeagleError('invalid-target', `maven:${spec}: ${why} (expected maven:GROUP:ARTIFACT[:VERSION])`);
  if (parts.length < 2 || parts.length > 5) throw fail('wrong number of parts');
  const [groupId, artifactId] = parts as [string, string];
  if (!ID.test(groupId) || groupId.includes('..') || groupId.startsWith('.'))
    throw fail(`invalid groupId "${groupId}"`);
  if (!ID.test(artifactId) || artifactId.startsWith('.')) throw fail(`invalid artifactId "${artifactId}"`);
  let version: string | undefined;
  let extension: string | undefined;
  let classifier: string | undefined;
  if (parts.length === 3) version = parts[2];
  else if (parts.length === 4) [extension, version] = [parts[2], parts[3]];
  else if (parts.length === 5) [extension, classifier, version] = [parts[2], parts[3], parts[4]];
  if (version !== undefined && (!VERSION.test(version) || version.includes('..')))
    throw fail(`invalid version "${version}"`);
  if (extension !== undefined && !/^[a-z0-9.-]+$/i.test(extension))
    throw fail(`invalid packaging "${extension}"`);
  if (classifier !== undefined && !ID.test(classifier)) throw fail(`invalid classifier "${classifier}"`);
  return { groupId, artifactId, version: version || undefined, extension, classifier };
}

/** `org.apache.commons` -> `org/apache/commons/commons-lang3/3.14.0/` relative to the repository root. */
export function versionDir(c: MavenCoordinate, version: string): string {
  return `${c.groupId.replace(/\./g, '/')}/${c.artifactId}/${version}/`;
}

/** File name of an artifact: `artifact-version[-classifier].ext`; snapshots use their timestamped version. */
export function artifactFileName(
  c: MavenCoordinate,
  fileVersion: string,
  extension: string,
  classifier?: string,
): string {
  return `${c.artifactId}-${fileVersion}${classifier ? `-${classifier}` : ''}.${extension}`;
}

/** The extension of the main file for a POM packaging. */
export function extensionFor(packaging: string): string {
  switch (packaging) {
    case 'pom':
      return 'pom';
    case 'war':
      return 'war';
    case 'ear':
      return 'ear';
    case 'aar':
      return 'aar';
    case 'rar':
      return 'rar';
    default:
      // jar, bundle, maven-plugin, ejb, java-source, kotlin's jar...
      return 'jar';
  }
}
