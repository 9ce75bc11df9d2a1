/**
 * Reads a Maven POM (https://maven.apache.org/pom.html): coordinates (inherited from <parent>
 * when absent), packaging, repositories and the build plugins with their executions. Only
 * `<build><plugins>` and active-looking profiles' plugins run; `<pluginManagement>` merely
 * configures plugins declared elsewhere, so it is read separately.
 */
import { XMLParser } from 'fast-xml-parser';
import { BeagleError } from '../../core/errors.js';

export interface PomPlugin {
  groupId: string;
  artifactId: string;
  version?: string;
  /** Where it was declared: `build`, `profile:<id>`, `pluginManagement`. */
  declaredIn: string;
  executions: Array<{ id?: string; phase?: string; goals: string[]; configuration?: unknown }>;
  configuration?: unknown;
  /** Plugins marked `<extensions>true</extensions>` hook into the build lifecycle itself. */
  extensions: boolean;
}

export interface PomModel {
  groupId?: string;
  artifactId?: string;
  version?: string;
  packaging: string;
  name?: string;
  description?: string;
  url?: string;
  parent?: { groupId?: string; artifactId?: string; version?: string };
  properties: Record<string, string>;
  plugins: PomPlugin[];
  repositories: Array<{ id?: string; url: string; kind: 'repository' | 'pluginRepository' }>;
  dependencies: Array<{ groupId?: string; artifactId?: string; version?: string; scope?: string }>;
}

// Attributes matter: Ant targets inside antrun configurations are written as attributes.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
});

type Node = Record<string, unknown>;

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object' && '#text' in v) return text((v as Node)['#text']);
  return undefined;
}

function obj(v: unknown): Node {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : {};
}

/** Interpolates `${project.version}`-style references from the POM's own properties and coordinates. */
export function interpolate(
  value: string | undefined,
  pom: Pick<PomModel, 'properties' | 'groupId' | 'version' | 'artifactId'>,
): string | undefined {
  if (value === undefined) return undefined;
  return value.replace(/\$\{([^}]+)\}/g, (m, key: string) => {
    if (key === 'project.groupId' || key === 'pom.groupId') return pom.groupId ?? m;
    if (key === 'project.version' || key === 'pom.version') return pom.version ?? m;
    if (key === 'project.artifactId') return pom.artifactId ?? m;
    return pom.properties[key] ?? m;
  });
}

function readPlugins(container: unknown, declaredIn: string): PomPlugin[] {
  return asArray(obj(container).plugin).map((p) => {
    const node = obj(p);
    return {
      groupId: text(node.groupId) ?? 'org.apache.maven.plugins',
      artifactId: text(node.artifactId) ?? '',
      version: text(node.version),
      declaredIn,
      extensions: text(node.extensions) === 'true',
      configuration: node.configuration,
      executions: asArray(obj(node.executions).execution).map((e) => {
        const ex = obj(e);
        return {
          id: text(ex.id),
          phase: text(ex.phase),
          goals: asArray(obj(ex.goals).goal)
            .map((g) => text(g) ?? '')
            .filter(Boolean),
          configuration: ex.configuration,
        };
      }),
    };
  });
}

/** Parses POM XML; throws BeagleError('invalid-package') naming `label` when it is not a POM. */
export function parsePom(xml: string, label: string): PomModel {
  let doc: Node;
  try {
    doc = parser.parse(xml.replace(/^\uFEFF/, '')) as Node;
  } catch (err) {
    throw new BeagleError(
      'invalid-package',
      `${label}: POM is not well-formed XML (${(err as Error).message})`,
    );
  }
  const project = doc.project;
  if (!project || typeof project !== 'object')
    throw new BeagleError('invalid-package', `${label}: no <project> element, not a Maven POM`);
  const p = obj(project);
  const parentNode = obj(p.parent);
  const parent = p.parent
    ? {
        groupId: text(parentNode.groupId),
        artifactId: text(parentNode.artifactId),
        version: text(parentNode.version),
      }
    : undefined;
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(p.properties))) {
    const t = text(v);
    if (t !== undefined) properties[k] = t;
  }
  const model: PomModel = {
    groupId: text(p.groupId) ?? parent?.groupId,
    artifactId: text(p.artifactId),
    version: text(p.version) ?? parent?.version,
    packaging: text(p.packaging) ?? 'jar',
    name: text(p.name),
    description: text(p.description),
    url: text(p.url),
    parent,
    properties,
    plugins: [],
    repositories: [],
    dependencies: [],
  };
  model.version = interpolate(model.version, model);
  model.groupId = interpolate(model.groupId, model);
  const build = obj(p.build);
  model.plugins.push(...readPlugins(build.plugins, 'build'));
  model.plugins.push(...readPlugins(obj(build.pluginManagement).plugins, 'pluginManagement'));
  for (const prof of asArray(obj(p.profiles).profile)) {
    const pr = obj(prof);
    model.plugins.push(...readPlugins(obj(pr.build).plugins, `profile:${text(pr.id) ?? '?'}`));
  }
  for (const [key, kind] of [
    ['repositories', 'repository'],
    ['pluginRepositories', 'pluginRepository'],
  ] as const) {
    for (const r of asArray(obj(p[key])[kind])) {
      const url = text(obj(r).url);
      if (url) model.repositories.push({ id: text(obj(r).id), url: interpolate(url, model)!, kind });
    }
  }
  for (const d of asArray(obj(p.dependencies).dependency)) {
    const n = obj(d);
    model.dependencies.push({
      groupId: text(n.groupId),
      artifactId: text(n.artifactId),
      version: text(n.version),
      scope: text(n.scope),
    });
  }
  return model;
}

/** Flattens a plugin configuration element to the strings it contains, in document order. */
export function configStrings(config: unknown, out: string[] = []): string[] {
  if (typeof config === 'string') out.push(config);
  else if (Array.isArray(config)) for (const c of config) configStrings(c, out);
  else if (config && typeof config === 'object') for (const v of Object.values(config)) configStrings(v, out);
  return out;
}

/** Reads `pom.properties` (`groupId=…`, `artifactId=…`, `version=…`). */
export function parsePomProperties(text: string): {
  groupId?: string;
  artifactId?: string;
  version?: string;
} {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(groupId|artifactId|version)\s*[=:]\s*(.+?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
