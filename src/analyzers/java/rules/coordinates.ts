import { loadJsonData } from '../../../core/data.js';
import type { JavaRule } from '../engine.js';
import { java } from './helpers.js';

interface PopularData {
  groups: Record<string, string[]>;
}
interface BrandData {
  brands: Array<{ token: string; owners: string[] }>;
}

export interface Coordinates {
  groupId?: string;
  artifactId?: string;
  version?: string;
}

/** The coordinates the Maven plugin recorded in the artifact manifest. */
export function coordinatesOf(manifest: Record<string, unknown>): Coordinates {
  const c = manifest.coordinates;
  return c && typeof c === 'object' ? (c as Coordinates) : {};
}

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

const under = (group: string, owner: string) => group === owner || group.startsWith(`${owner}.`);

/** The popular group a groupId imitates, and how; undefined when it is popular itself or unrelated. */
export function lookalikeGroup(group: string): { target: string; how: string } | undefined {
  const popular = loadJsonData<PopularData>('java-popular.json').groups;
  const groups = Object.keys(popular);
  if (groups.some((g) => under(group, g))) return undefined;
  const segs = group.split('.');
  // Swapped top-level domain: org.fasterxml vs com.fasterxml.
  for (const g of groups) {
    const gs = g.split('.');
    if (
      gs.length >= 2 &&
      segs.length === gs.length &&
      segs[0] !== gs[0] &&
      segs.slice(1).join('.') === gs.slice(1).join('.') &&
      gs.slice(1).join('.').length >= 5
    )
      return { target: g, how: 'same name under another top-level domain' };
  }
  // One or two edits away from a popular group.
  for (const g of groups) {
    if (g.length < 8) continue;
    const d = levenshtein(group, g, 2);
    if (d > 0 && d <= (g.length >= 14 ? 2 : 1))
      return { target: g, how: `${d} character${d > 1 ? 's' : ''} away` };
  }
  // A brand token outside its owners' namespaces: io.springboot, com.fasterxml2.
  for (const { token, owners } of loadJsonData<BrandData>('java-brands.json').brands) {
    const hit = segs.find((s) => s === token || (token.length >= 6 && levenshtein(s, token, 1) === 1));
    if (!hit) continue;
    const legit = [...owners, ...groups.filter((g) => g.split('.').includes(hit))];
    if (legit.some((o) => under(group, o))) continue;
    return { target: owners[0]!, how: `uses the "${token}" name outside ${owners.join(', ')}` };
  }
  return undefined;
}

/** Flags groupIds that imitate well-known Maven groups. */
export const groupLookalike: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-017',
    name: 'maven-group-lookalike',
    category: 'typosquat',
    severity: 'medium',
    confidence: 'medium',
    description:
      'The groupId imitates a well-known group: same name under another top-level domain (org.fasterxml vs com.fasterxml), one or two characters off, or a brand name outside its owner (io.springboot).',
    rationale:
      'Maven Central namespaces are verified per domain, so attackers register a look-alike domain and publish familiar artifact names under it, hoping for a copy-paste or autocomplete mistake.',
    falsePositives:
      'Community projects whose group legitimately contains a brand word (spring-related add-ons under their own domain). The popular-group list is data (data/java-popular.json, data/java-brands.json).',
    example: 'org.fasterxml.jackson.core:jackson-databind',
    references: [
      'https://central.sonatype.org/register/namespace/',
      'https://blog.checkpoint.com/securing-the-cloud/malicious-maven-packages/',
    ],
  },
  create(ctx) {
    return {
      end() {
        const { groupId, artifactId } = coordinatesOf(ctx.pkg.artifact.manifest);
        if (!groupId) return;
        const hit = lookalikeGroup(groupId);
        if (!hit) return;
        const popular = loadJsonData<PopularData>('java-popular.json').groups[hit.target] ?? [];
        const sameArtifact = artifactId !== undefined && popular.includes(artifactId);
        ctx.report({
          context: 'install',
          severity: sameArtifact ? 'high' : 'medium',
          confidence: sameArtifact ? 'high' : hit.how.startsWith('uses') ? 'low' : 'medium',
          snippet: `${groupId}:${artifactId ?? '?'}`,
          message: `groupId ${groupId} imitates ${hit.target} (${hit.how})${sameArtifact ? ` and re-uses its artifact name ${artifactId}` : ''}.`,
          evidence: { groupId, imitates: hit.target, how: hit.how },
        });
      },
    };
  },
};

/** Flags artifacts whose declared coordinates contradict what the jar contains. */
export const coordinateMismatch: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-018',
    name: 'maven-coordinates-content-mismatch',
    category: 'typosquat',
    severity: 'medium',
    confidence: 'low',
    description:
      'The repository POM and the jar disagree: the embedded META-INF/maven coordinates name another artifact, or a popular artifact name is published under an unrelated group.',
    rationale:
      'Repackaged malware copies a popular jar (keeping its embedded pom.properties) and publishes it under new coordinates with an extra class; the leftover metadata gives it away.',
    falsePositives:
      "Shaded/uber jars embed several projects' pom.properties; relocations and forks (org.webjars, Debian rebuilds) re-publish popular names deliberately.",
    example:
      'com.example:jackson-databind whose jar contains META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties',
    references: ['https://maven.apache.org/shared/maven-archiver/#pom-properties-content'],
  },
  create(ctx) {
    return {
      end() {
        const { groupId, artifactId } = coordinatesOf(ctx.pkg.artifact.manifest);
        if (!groupId || !artifactId) return;
        const embedded = ctx.pkg.artifact.files
          .map((f) => /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/.exec(f.path))
          .filter((m): m is RegExpExecArray => !!m)
          .map((m) => ({ groupId: m[1]!, artifactId: m[2]! }));
        const popular = loadJsonData<PopularData>('java-popular.json').groups;
        if (embedded.length === 1) {
          const e = embedded[0]!;
          if (
            e.artifactId === artifactId &&
            e.groupId !== groupId &&
            popular[e.groupId]?.includes(e.artifactId)
          ) {
            ctx.report({
              file: `META-INF/maven/${e.groupId}/${e.artifactId}/pom.properties`,
              context: 'install',
              severity: 'high',
              confidence: 'medium',
              message: `Published as ${groupId}:${artifactId} but the jar was built as the popular ${e.groupId}:${e.artifactId}: a re-published copy.`,
              evidence: { declared: `${groupId}:${artifactId}`, embedded: `${e.groupId}:${e.artifactId}` },
            });
            return;
          }
        }
        const owners = Object.entries(popular).filter(
          ([g, arts]) => g !== groupId && arts.includes(artifactId) && artifactId.length >= 6,
        );
        if (owners.length === 0 || popular[groupId]) return;
        ctx.report({
          context: 'install',
          snippet: `${groupId}:${artifactId}`,
          message: `The artifact name ${artifactId} belongs to the popular ${owners[0]![0]}:${artifactId}, but this one is published under ${groupId}.`,
          evidence: {
            declared: `${groupId}:${artifactId}`,
            popular: owners.map(([g]) => `${g}:${artifactId}`),
          },
        });
      },
    };
  },
};
