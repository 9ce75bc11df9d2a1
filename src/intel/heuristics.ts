import semver from 'semver';
import type { Ecosystem, Finding } from '../core/types.js';
import { makeFinding } from '../rules/finding.js';
import { type PopularIndex, popularIndex } from './names.js';
import { DEPENDENCY_CONFUSION, IMPLAUSIBLE_VERSION, KNOWN_MALWARE, TYPOSQUAT } from './rules.js';
import type { IntelMatch } from './store.js';

export interface NameCheckInput {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** Tarball / index URL the package comes from, when known. */
  resolved?: string;
  /** Index or registry the file points at (non-default). */
  registry?: string;
  file?: string;
  line?: number;
}

const PUBLIC_REGISTRY: Record<Ecosystem, RegExp> = {
  npm: /^https?:\/\/registry\.(npmjs\.org|yarnpkg\.com)\//,
  pypi: /^https?:\/\/(pypi\.org|files\.pythonhosted\.org)\//,
  maven: /^https?:\/\/(repo1?\.maven\.org|repo\.maven\.apache\.org|central\.sonatype\.com)\//,
};

function majorOf(ecosystem: Ecosystem, version: string): number | undefined {
  if (ecosystem === 'npm') {
    const v = semver.valid(version, { loose: true });
    return v ? semver.major(v) : undefined;
  }
  const m = /^v?(\d+)(\.|$)/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Whether a name falls under the configured internal scopes / prefixes. */
export function isInternalName(name: string, prefixes: string[]): boolean {
  const n = name.toLowerCase();
  return prefixes.some((p) => n.startsWith(p.toLowerCase()));
}

export interface HeuristicOptions {
  internal: string[];
  index?: PopularIndex;
}

/** Typosquat (NAME-001), dependency confusion (NAME-002) and implausible version (NAME-003). */
export function nameFindings(dep: NameCheckInput, options: HeuristicOptions): Finding[] {
  const out: Finding[] = [];
  const index = options.index ?? popularIndex(dep.ecosystem);
  const where = { file: dep.file, line: dep.line };
  const internal = isInternalName(dep.name, options.internal);
  if (!internal) {
    const hit = index.check(dep.name);
    if (hit) {
      out.push(
        makeFinding(TYPOSQUAT, {
          ...where,
          message: `"${dep.name}" imitates the popular package "${hit.target}" (${hit.technique}; ${dep.ecosystem === 'maven' ? 'a widely used coordinate' : `#${hit.targetRank} by downloads`})`,
          severity: hit.strong ? 'critical' : 'high',
          confidence: hit.strong ? 'medium' : 'low',
          evidence: { target: hit.target, targetRank: hit.targetRank, technique: hit.technique },
        }),
      );
    }
  }
  // pip's --extra-index-url consults the public index too and takes the highest version from either
  const extraIndex = dep.registry?.includes('--extra-index-url') ?? false;
  const publicIndex = (dep.registry ?? '').split(/\s+/).some((u) => PUBLIC_REGISTRY[dep.ecosystem].test(u));
  const fromPublic =
    (dep.resolved !== undefined && PUBLIC_REGISTRY[dep.ecosystem].test(dep.resolved)) ||
    (dep.resolved === undefined && (dep.registry === undefined || extraIndex || publicIndex));
  if (internal && fromPublic) {
    const why = dep.resolved
      ? `is resolved from the public registry (${new URL(dep.resolved).host})`
      : extraIndex
        ? 'is installed with --extra-index-url, so pip also looks it up on the public index'
        : 'has no private registry recorded';
    out.push(
      makeFinding(DEPENDENCY_CONFUSION, {
        ...where,
        message: `"${dep.name}" matches an internal name prefix but ${why}`,
        evidence: { resolved: dep.resolved, internalPrefixes: options.internal },
        ...(dep.resolved || extraIndex ? {} : { confidence: 'low' as const }),
      }),
    );
  }
  const major = dep.version ? majorOf(dep.ecosystem, dep.version) : undefined;
  // 90+ majors are a confusion pattern; 1990-2100 is CalVer (certifi 2024.8.30), not implausible
  const implausible = major !== undefined && major >= 90 && !(major >= 1990 && major <= 2100);
  if (implausible && !index.isPopular(dep.name)) {
    out.push(
      makeFinding(IMPLAUSIBLE_VERSION, {
        ...where,
        message: `version ${dep.version} of "${dep.name}" is implausibly high for a package outside the popular set (a dependency-confusion pattern)`,
        evidence: { version: dep.version },
        ...(internal ? { confidence: 'high' as const } : {}),
      }),
    );
  }
  return out;
}

/** A known-malware match as a finding: always `known-malware`, so the verdict is malicious. */
export function intelFinding(
  m: IntelMatch,
  where: { file?: string; line?: number },
  version: string,
): Finding {
  return makeFinding(KNOWN_MALWARE, {
    ...where,
    message: `${m.id}: ${m.summary || 'malicious package'}${m.matchedBy === 'all-versions' ? ' (every version)' : ` (version ${version})`}`,
    evidence: {
      advisory: m.id,
      aliases: m.aliases,
      summary: m.summary,
      sources: m.sources,
      references: m.references.slice(0, 10),
      published: m.published,
      modified: m.modified,
      matchedBy: m.matchedBy,
    },
    iocs: m.iocs,
    snippet:
      [
        m.sources.length ? `sources: ${m.sources.join(', ')}` : '',
        m.iocs.length ? `IOCs: ${m.iocs.slice(0, 6).join(', ')}` : '',
        m.aliases.length ? `aliases: ${m.aliases.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ') || undefined,
  });
}
