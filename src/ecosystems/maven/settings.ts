/**
 * Maven `settings.xml` (https://maven.apache.org/settings.html): mirrors and server credentials,
 * so Beagle downloads from the same Artifactory/Nexus mirror a developer's `mvn` uses.
 * User settings (~/.m2/settings.xml) override global ones (${maven.home}/conf/settings.xml).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface MavenMirror {
  id: string;
  url: string;
  mirrorOf: string;
}

export interface MavenServer {
  id: string;
  username?: string;
  password?: string;
  /** Extra headers from `<configuration><httpHeaders>` (GitLab/Artifactory tokens). */
  headers: Record<string, string>;
}

export interface MavenSettings {
  mirrors: MavenMirror[];
  servers: Map<string, MavenServer>;
  /** Files that were read, for messages. */
  files: string[];
  warnings: string[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
});

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** `${env.NAME}` and `${user.home}` interpolation as Maven does in settings.xml. */
function interpolate(value: string | undefined, env: NodeJS.ProcessEnv, home: string): string | undefined {
  return value?.replace(/\$\{(env\.)?([^}]+)\}/g, (m, isEnv: string | undefined, name: string) =>
    isEnv ? (env[name] ?? '') : name === 'user.home' ? home : m,
  );
}

function readSettingsFile(file: string, env: NodeJS.ProcessEnv, home: string, into: MavenSettings): void {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  let doc: Record<string, unknown>;
  try {
    doc = obj(obj(parser.parse(xml)).settings);
  } catch (err) {
    into.warnings.push(`${file}: not valid XML, ignored (${(err as Error).message})`);
    return;
  }
  into.files.push(file);
  for (const m of asArray(obj(doc.mirrors).mirror)) {
    const n = obj(m);
    const url = interpolate(str(n.url), env, home);
    if (!url) continue;
    // Earlier files in the list win (user settings are read first).
    const id = str(n.id) ?? 'mirror';
    if (!into.mirrors.some((x) => x.id === id))
      into.mirrors.push({ id, url, mirrorOf: str(n.mirrorOf) ?? '' });
  }
  for (const s of asArray(obj(doc.servers).server)) {
    const n = obj(s);
    const id = str(n.id);
    if (!id || into.servers.has(id)) continue;
    const headers: Record<string, string> = {};
    for (const p of asArray(obj(obj(n.configuration).httpHeaders).property)) {
      const name = str(obj(p).name);
      const value = interpolate(str(obj(p).value), env, home);
      if (name && value) headers[name] = value;
    }
    const password = interpolate(str(n.password), env, home);
    if (password && /^\{.*\}$/.test(password)) {
      into.warnings.push(
        `${file}: server ${id} has an encrypted password (settings-security.xml is not supported); requests go without it`,
      );
    }
    into.servers.set(id, {
      id,
      username: interpolate(str(n.username), env, home),
      password: password && !/^\{.*\}$/.test(password) ? password : undefined,
      headers,
    });
  }
}

/** Loads user then global settings. `BEAGLE_MAVEN_SETTINGS` names an explicit settings file (like `mvn -s`). */
export function loadMavenSettings(env: NodeJS.ProcessEnv): MavenSettings {
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const settings: MavenSettings = { mirrors: [], servers: new Map(), files: [], warnings: [] };
  const files = env.BEAGLE_MAVEN_SETTINGS
    ? [env.BEAGLE_MAVEN_SETTINGS]
    : [
        path.join(home, '.m2', 'settings.xml'),
        ...(env.MAVEN_HOME ? [path.join(env.MAVEN_HOME, 'conf', 'settings.xml')] : []),
      ];
  for (const f of files) readSettingsFile(f, env, home, settings);
  return settings;
}

/** Whether a mirror's `mirrorOf` pattern covers a repository id (`*`, `external:*`, lists, `!id`). */
export function mirrorMatches(mirrorOf: string, repoId: string, repoUrl: string): boolean {
  const parts = mirrorOf
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.includes(`!${repoId}`)) return false;
  for (const p of parts) {
    if (p === repoId || p === '*') return true;
    if (p === 'external:*' && !/^(file:|https?:\/\/(localhost|127\.0\.0\.1)[:/])/i.test(repoUrl)) return true;
    if (p === 'external:http:*' && /^http:/i.test(repoUrl)) return true;
  }
  return false;
}
