import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Dependency, ExtractContext, Extraction, Extractor } from '../types.js';
import { ExtractError, isObject, LineFinder } from './util.js';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'dependency' || name === 'module',
});

interface Pom {
  groupId?: string;
  artifactId?: string;
  version?: string;
  parent?: { groupId?: string; artifactId?: string; version?: string; relativePath?: string };
  properties: Record<string, string>;
  managed: Record<string, any>[];
  dependencies: Record<string, any>[];
}

function readPom(text: string): Pom {
  let doc: any;
  try {
    doc = parser.parse(text);
  } catch (err) {
    throw new ExtractError(`not valid XML (${(err as Error).message.split('\n')[0]})`);
  }
  const project = doc?.project;
  if (!isObject(project)) throw new ExtractError('no <project> element: not a Maven POM');
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  const props: Record<string, string> = {};
  if (isObject(project.properties))
    for (const [k, v] of Object.entries(project.properties)) props[k] = str(v) ?? '';
  const list = (v: any) => (Array.isArray(v?.dependency) ? v.dependency.filter(isObject) : []);
  return {
    groupId: str(project.groupId),
    artifactId: str(project.artifactId),
    version: str(project.version),
    parent: isObject(project.parent)
      ? {
          groupId: str(project.parent.groupId),
          artifactId: str(project.parent.artifactId),
          version: str(project.parent.version),
          relativePath:
            project.parent.relativePath === undefined ? undefined : (str(project.parent.relativePath) ?? ''),
        }
      : undefined,
    properties: props,
    managed: list(project.dependencyManagement?.dependencies),
    dependencies: list(project.dependencies),
  };
}

function m2Path(g: string, a: string, v: string, env: NodeJS.ProcessEnv = process.env): string {
  const repo = env.BEAGLE_M2_REPOSITORY ?? path.join(os.homedir(), '.m2', 'repository');
  return path.join(repo, ...g.split('.'), a, v, `${a}-${v}.pom`);
}

async function readM2(g: string, a: string, v: string): Promise<string | undefined> {
  try {
    return await readFile(m2Path(g, a, v), 'utf8');
  } catch {
    return undefined;
  }
}

/** Effective properties and managed versions after the parent chain and BOM imports. */
interface Effective {
  props: Record<string, string>;
  managed: Map<string, { version: string; scope?: string }>;
  warnings: string[];
}

function interpolate(v: string | undefined, props: Record<string, string>): string | undefined {
  if (v === undefined) return undefined;
  let out = v;
  for (let i = 0; i < 10 && /\$\{[^}]+\}/.test(out); i++) {
    out = out.replace(/\$\{([^}]+)\}/g, (m, k: string) => props[k] ?? m);
  }
  return out;
}

async function effective(pom: Pom, relDir: string, ctx: ExtractContext, depth: number): Promise<Effective> {
  const eff: Effective = { props: {}, managed: new Map(), warnings: [] };
  if (pom.parent && depth < 8) {
    const { groupId: g, artifactId: a, version: v } = pom.parent;
    const rel = pom.parent.relativePath === undefined ? '../pom.xml' : pom.parent.relativePath;
    let parentText: string | undefined;
    let parentDir = relDir;
    if (rel) {
      const candidate = rel.endsWith('.xml') ? rel : path.posix.join(rel, 'pom.xml');
      const t = await ctx.readSibling(path.posix.join(relDir, candidate));
      if (t) {
        try {
          const p = readPom(t);
          if (p.artifactId === a) {
            parentText = t;
            parentDir = path.posix.dirname(path.posix.join(relDir, candidate));
          }
        } catch {
          /* not the parent */
        }
      }
    }
    if (!parentText && g && a && v) parentText = await readM2(g, a, v);
    if (parentText) {
      const parent = readPom(parentText);
      const pe = await effective(parent, parentDir, ctx, depth + 1);
      Object.assign(eff.props, pe.props);
      for (const [k, m] of pe.managed) eff.managed.set(k, m);
      eff.warnings.push(...pe.warnings);
    } else {
      eff.warnings.push(
        `parent POM ${g}:${a}:${v} is not available offline; versions it manages are unknown`,
      );
    }
  }
  Object.assign(eff.props, pom.properties);
  const gid = pom.groupId ?? pom.parent?.groupId ?? '';
  const ver = pom.version ?? pom.parent?.version ?? '';
  for (const prefix of ['project.', 'pom.', '']) {
    eff.props[`${prefix}groupId`] = gid;
    eff.props[`${prefix}version`] = ver;
    if (pom.artifactId) eff.props[`${prefix}artifactId`] = pom.artifactId;
  }
  if (pom.parent?.version) eff.props['project.parent.version'] = pom.parent.version;
  if (pom.parent?.groupId) eff.props['project.parent.groupId'] = pom.parent.groupId;
  for (const m of pom.managed) {
    const g = interpolate(m.groupId, eff.props);
    const a = interpolate(m.artifactId, eff.props);
    const v = interpolate(m.version, eff.props);
    if (!g || !a) continue;
    if (m.scope === 'import' && m.type === 'pom') {
      const bom = v && !v.includes('${') ? await readM2(g, a, v) : undefined;
      if (!bom) {
        eff.warnings.push(
          `BOM ${g}:${a}:${v ?? '?'} is not in the local Maven repository; versions it manages are unknown`,
        );
        continue;
      }
      const be = await effective(readPom(bom), '.', { readSibling: async () => undefined }, depth + 1);
      for (const [k, mm] of be.managed) if (!eff.managed.has(k)) eff.managed.set(k, mm);
      continue;
    }
    if (v) eff.managed.set(`${g}:${a}`, { version: v, scope: m.scope });
  }
  return eff;
}

export const pomExtractor: Extractor = {
  id: 'pom',
  ecosystem: 'maven',
  description:
    'Maven pom.xml: declared dependencies with properties, parent POMs and dependencyManagement/BOM imports resolved offline (relativePath or ~/.m2)',
  matches: (b) => b === 'pom.xml' || b.endsWith('.pom'),
  async extract(file, text, ctx): Promise<Extraction> {
    const pom = readPom(text);
    const eff = await effective(pom, '.', ctx, 0);
    const warnings = [...eff.warnings];
    const finder = new LineFinder(text);
    const mgmtStart = text.indexOf('<dependencyManagement>');
    const mgmtEnd = text.indexOf('</dependencyManagement>');
    const dependencies: Dependency[] = [];
    for (const d of pom.dependencies) {
      const g = interpolate(d.groupId, eff.props);
      const a = interpolate(d.artifactId, eff.props);
      if (!g || !a) {
        warnings.push(`a dependency without groupId/artifactId was skipped`);
        continue;
      }
      const managed = eff.managed.get(`${g}:${a}`);
      let version = interpolate(d.version, eff.props) ?? managed?.version ?? '';
      let spec: string | undefined;
      if (version.includes('${')) {
        warnings.push(`${g}:${a}: version ${version} uses a property that cannot be resolved offline`);
        spec = version;
        version = '';
      } else if (/^[[(]/.test(version)) {
        spec = version;
        const exact = /^\[([^,\]]+)\]$/.exec(version);
        version = exact ? exact[1]! : '';
      } else if (!version) warnings.push(`${g}:${a}: no version declared or managed (offline)`);
      const scope = String(d.scope ?? managed?.scope ?? 'compile');
      let line: number | undefined;
      let from = 0;
      for (;;) {
        const i = text.indexOf(`<artifactId>${d.artifactId}</artifactId>`, from);
        if (i < 0) break;
        if (!(mgmtStart >= 0 && i > mgmtStart && i < mgmtEnd)) {
          line = finder.lineAt(i);
          break;
        }
        from = i + 1;
      }
      const dep: Dependency = {
        ecosystem: 'maven',
        name: `${g}:${a}`,
        version,
        source: 'registry',
        file,
        line,
        direct: true,
        qualifier: scope,
      };
      if (spec) dep.spec = spec;
      if (scope === 'test') dep.dev = true;
      if (scope === 'system') {
        dep.source = 'file';
        if (d.systemPath) dep.resolved = String(d.systemPath);
      }
      if (String(d.optional) === 'true') dep.optional = true;
      dependencies.push(dep);
    }
    return { file, format: 'pom', ecosystem: 'maven', dependencies, warnings };
  },
};
