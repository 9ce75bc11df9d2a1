import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Ecosystem, Finding } from '../core/types.js';
import { normalizeName } from '../intel/normalize.js';

/** Project configuration (`.beagle.yml`): internal names and accepted findings. */
export interface Suppression {
  /** `npm:name`, `npm:name@1.2.3`, `pypi:Name==1.0` is not accepted: use `pypi:name@1.0`. */
  package: string;
  rule: string;
  /** Content hash the finding reports as `evidence.contentHash`; a changed file or artifact no longer matches. */
  hash: string;
  reason: string;
  /** Optional ISO date after which the suppression stops applying. */
  expires?: string;
}

export interface ProjectConfig {
  /** Path it was read from, if any. */
  file?: string;
  /** Name prefixes/scopes of internal packages per ecosystem (`@acme/`, `acme-`, `com.acme:`). */
  internal: Record<Ecosystem, string[]>;
  suppressions: Suppression[];
}

export const CONFIG_NAMES = ['.beagle.yml', '.beagle.yaml', 'beagle.config.yml', 'beagle.config.json'];

export class ConfigError extends Error {}

export function emptyConfig(): ProjectConfig {
  return { internal: { npm: [], pypi: [], maven: [] }, suppressions: [] };
}

/** Reads and validates a project config; every suppression needs package, rule, hash and reason. */
export function parseConfig(text: string, file: string): ProjectConfig {
  let doc: any;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  } catch (err) {
    throw new ConfigError(
      `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'} (${(err as Error).message.split('\n')[0]})`,
    );
  }
  const cfg = emptyConfig();
  cfg.file = file;
  if (doc == null) return cfg;
  if (typeof doc !== 'object') throw new ConfigError(`${file}: expected a mapping at the top level`);
  const internal = doc.internal ?? doc.audit?.internal;
  if (internal !== undefined) {
    for (const eco of ['npm', 'pypi', 'maven'] as const) {
      const v = internal?.[eco];
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
        throw new ConfigError(`${file}: internal.${eco} must be a list of strings`);
      cfg.internal[eco] = v;
    }
  }
  const list = doc.suppressions ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`${file}: suppressions must be a list`);
  list.forEach((s: any, i: number) => {
    const where = `${file}: suppressions[${i}]`;
    for (const k of ['package', 'rule', 'hash', 'reason']) {
      if (typeof s?.[k] !== 'string' || !s[k].trim())
        throw new ConfigError(
          `${where}: "${k}" is required (a suppression needs package, rule, hash and reason)`,
        );
    }
    if (!/^(npm|pypi|maven):/.test(s.package))
      throw new ConfigError(`${where}: package must start with npm:, pypi: or maven:`);
    if (s.expires !== undefined && Number.isNaN(Date.parse(String(s.expires))))
      throw new ConfigError(`${where}: expires is not a date`);
    cfg.suppressions.push({
      package: s.package,
      rule: s.rule,
      hash: s.hash,
      reason: s.reason,
      expires: s.expires === undefined ? undefined : String(s.expires),
    });
  });
  return cfg;
}

/** Loads `--config <file>`, else the first of CONFIG_NAMES found in the folders, in order. */
export async function loadConfig(dirs: string | string[], explicit?: string): Promise<ProjectConfig> {
  const list = [...new Set(Array.isArray(dirs) ? dirs : [dirs])];
  const candidates = explicit ? [explicit] : list.flatMap((d) => CONFIG_NAMES.map((n) => path.join(d, n)));
  for (const f of candidates) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (err) {
      if (explicit) throw new ConfigError(`cannot read config "${f}": ${(err as Error).message}`);
      continue;
    }
    return parseConfig(text, f);
  }
  return emptyConfig();
}

/** `sha256:<hex>` of bytes or a string. */
export function contentHash(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function parsePackageKey(key: string): { ecosystem: Ecosystem; name: string; version?: string } {
  const eco = key.slice(0, key.indexOf(':')) as Ecosystem;
  const rest = key.slice(key.indexOf(':') + 1);
  const at = rest.indexOf('@', rest.startsWith('@') ? 1 : 0);
  // Maven `group:artifact@version`
  return at < 0
    ? { ecosystem: eco, name: rest }
    : { ecosystem: eco, name: rest.slice(0, at), version: rest.slice(at + 1) };
}

/**
 * Marks findings accepted by the config as suppressed (they stay in the report, flagged). Returns
 * the indexes of the suppressions that matched, so unused ones can be reported.
 */
export function applySuppressions(
  cfg: ProjectConfig,
  pkg: { ecosystem: Ecosystem; name: string; version: string },
  findings: Finding[],
  used: Set<number>,
  now = new Date(),
): void {
  cfg.suppressions.forEach((s, i) => {
    if (s.expires && Date.parse(s.expires) < now.getTime()) return;
    const key = parsePackageKey(s.package);
    if (
      key.ecosystem !== pkg.ecosystem ||
      normalizeName(key.ecosystem, key.name) !== normalizeName(pkg.ecosystem, pkg.name)
    )
      return;
    if (key.version && key.version !== pkg.version) return;
    for (const f of findings) {
      if (f.ruleId.toUpperCase() !== s.rule.toUpperCase()) continue;
      if (f.evidence?.contentHash !== s.hash) continue;
      f.suppressed = { reason: s.reason };
      used.add(i);
    }
  });
}
