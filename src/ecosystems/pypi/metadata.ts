import { parse as parseToml } from 'smol-toml';
import type { ArtifactFile } from '../../core/types.js';

/**
 * Core metadata (PKG-INFO / METADATA): RFC 822-style headers, multi-use fields collected into
 * arrays, continuation lines folded, the body (after the blank line) as the description.
 */
export interface CoreMetadata {
  fields: Record<string, string[]>;
  description?: string;
}

export function parseCoreMetadata(text: string): CoreMetadata {
  const fields: Record<string, string[]> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let i = 0;
  let last: { key: string; index: number } | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      const arr = fields[last.key]!;
      arr[last.index] = `${arr[last.index]}\n${/^ {7}\|/.test(line) ? line.slice(8) : line.trimStart()}`;
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9_-]*):\s?(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const arr = (fields[key] ??= []);
    arr.push(m[2]!);
    last = { key, index: arr.length - 1 };
  }
  const body = lines.slice(i + 1).join('\n');
  const out: CoreMetadata = { fields };
  if (body.trim()) out.description = body;
  else if (fields.description?.[0]) out.description = fields.description[0];
  return out;
}

export function field(meta: CoreMetadata | undefined, key: string): string | undefined {
  return meta?.fields[key.toLowerCase()]?.[0];
}

/** An INI file as Python's configparser reads it (entry_points.txt, setup.cfg, pip.conf). */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      lastKey = raw.trim() === '' ? lastKey : undefined;
      continue;
    }
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      section = out[sec[1]!.trim()] ??= {};
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && section && lastKey) {
      section[lastKey] = `${section[lastKey]}\n${raw.trim()}`;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && section) {
      lastKey = kv[1]!.trim();
      section[lastKey] = kv[2]!.trim();
    }
  }
  return out;
}

export interface EntryPoint {
  group: string;
  name: string;
  /** `package.module` */
  module: string;
  attr?: string;
}

/** Entry points from entry_points.txt or a pyproject `[project.scripts]`-like mapping. */
export function parseEntryPoints(text: string): EntryPoint[] {
  const out: EntryPoint[] = [];
  for (const [group, entries] of Object.entries(parseIni(text))) {
    for (const [name, value] of Object.entries(entries)) {
      const m = /^\s*([\w.]+)\s*(?::\s*([\w.]+))?/.exec(value);
      if (m) out.push({ group, name, module: m[1]!, attr: m[2] });
    }
  }
  return out;
}

export function safeToml(text: string): Record<string, unknown> | undefined {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** What pyproject.toml says about the build and the project. */
export interface PyProject {
  buildBackend?: string;
  backendPath: string[];
  requires: string[];
  name?: string;
  version?: string;
  scripts: EntryPoint[];
}

export function parsePyProject(text: string): PyProject | undefined {
  const doc = safeToml(text);
  if (!doc) return undefined;
  const build = obj(doc['build-system']) ?? {};
  const project = obj(doc.project) ?? {};
  const scripts: EntryPoint[] = [];
  for (const group of ['scripts', 'gui-scripts']) {
    for (const [name, value] of Object.entries(obj(project[group]) ?? {})) {
      const m = typeof value === 'string' ? /^\s*([\w.]+)\s*(?::\s*([\w.]+))?/.exec(value) : null;
      if (m) scripts.push({ group, name, module: m[1]!, attr: m[2] });
    }
  }
  for (const [group, entries] of Object.entries(obj(project['entry-points']) ?? {})) {
    for (const [name, value] of Object.entries(obj(entries) ?? {})) {
      const m = typeof value === 'string' ? /^\s*([\w.]+)\s*(?::\s*([\w.]+))?/.exec(value) : null;
      if (m) scripts.push({ group, name, module: m[1]!, attr: m[2] });
    }
  }
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return {
    buildBackend: typeof build['build-backend'] === 'string' ? build['build-backend'] : undefined,
    backendPath: strings(build['backend-path']),
    requires: strings(build.requires),
    name: typeof project.name === 'string' ? project.name : undefined,
    version: typeof project.version === 'string' ? project.version : undefined,
    scripts,
  };
}

/** PEP 503 normalised project name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Locates the metadata files of a distribution's file list. */
export function metadataFiles(files: ArtifactFile[]) {
  const by = new Map(files.map((f) => [f.path, f]));
  const distInfo = files.find((f) => /^[^/]+\.dist-info\/METADATA$/.test(f.path));
  const eggInfo = by.get('EGG-INFO/PKG-INFO');
  const pkgInfo =
    by.get('PKG-INFO') ?? files.find((f) => /^(?:src\/)?[^/]+\.egg-info\/PKG-INFO$/.test(f.path));
  const entryPoints =
    files.find((f) => /^[^/]+\.dist-info\/entry_points\.txt$/.test(f.path)) ??
    by.get('EGG-INFO/entry_points.txt') ??
    files.find((f) => /^(?:src\/)?[^/]+\.egg-info\/entry_points\.txt$/.test(f.path));
  return {
    metadata: distInfo ?? eggInfo ?? pkgInfo,
    entryPoints,
    pyproject: by.get('pyproject.toml'),
    setupCfg: by.get('setup.cfg'),
    setupPy: by.get('setup.py'),
    record: files.find((f) => /^[^/]+\.dist-info\/RECORD$/.test(f.path)),
  };
}
