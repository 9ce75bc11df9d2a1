import type { Ecosystem } from '../core/types.js';

/** OSV ecosystem names of Beagle's ecosystems. */
export const OSV_ECOSYSTEM: Record<Ecosystem, string> = { npm: 'npm', pypi: 'PyPI', maven: 'Maven' };

export function ecosystemFromOsv(name: string): Ecosystem | undefined {
  const base = name.split(':')[0]!.toLowerCase();
  if (base === 'npm') return 'npm';
  if (base === 'pypi') return 'pypi';
  if (base === 'maven') return 'maven';
  return undefined;
}

/**
 * The lookup key of a package name: PEP 503 for PyPI (`Foo_Bar.baz` -> `foo-bar-baz`), lower
 * case for npm (the registry refuses names differing only by case), `group:artifact` as-is for Maven.
 */
export function normalizeName(ecosystem: Ecosystem, name: string): string {
  const n = name.trim();
  if (ecosystem === 'pypi') return n.toLowerCase().replace(/[-_.]+/g, '-');
  if (ecosystem === 'npm') return n.toLowerCase();
  return n;
}
