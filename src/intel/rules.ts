import type { RuleMeta } from '../core/types.js';

export const KNOWN_MALWARE: RuleMeta = {
  id: 'INTEL-001',
  name: 'known-malicious-package',
  analyzer: 'intel',
  ecosystems: ['npm', 'pypi', 'maven'],
  category: 'known-malware',
  severity: 'critical',
  confidence: 'high',
  description: 'The package version is listed in a known-malware advisory (OSV MAL- record).',
  rationale:
    'Malicious-package reports (OpenSSF malicious-packages, osv.dev) list package versions confirmed to carry malware: credential stealers, droppers, install-time backdoors. Installing one is a compromise, whatever the code looks like today.',
  falsePositives:
    'Advisories that cover every version of a name which was later taken over by a legitimate owner; rare, and the advisory is then usually withdrawn.',
  example:
    '"node_modules/crossenv": { "version": "6.1.1" }  ->  MAL-2022-xxxx Malicious code in crossenv (npm)',
  references: ['https://github.com/ossf/malicious-packages', 'https://osv.dev/list?q=MAL-'],
};

export const TYPOSQUAT: RuleMeta = {
  id: 'NAME-001',
  name: 'typosquat-name',
  analyzer: 'intel',
  ecosystems: ['npm', 'pypi', 'maven'],
  category: 'typosquat',
  severity: 'high',
  confidence: 'medium',
  description:
    'The package name imitates a popular package (typo, transposition, separator, homoglyph, scope or affix trick).',
  rationale:
    'Typosquatting is the most common way malware reaches developers: an attacker publishes `crossenv`, `electorn` or `reqeusts` and waits for a mistyped install. A name one keystroke away from a top package, that is not itself popular, deserves a look before it runs.',
  falsePositives:
    'Small legitimate packages with similar names (forks, plugins, unrelated words at edit distance 1). Names in the shipped popular-package snapshot are never flagged; packages in the same npm scope as the target are never flagged.',
  example: 'lodahs@1.0.0  (lodash: transposition)',
  references: [
    'https://blog.npmjs.org/post/163723642530/crossenv-malware-on-the-npm-registry',
    'https://arxiv.org/abs/2005.09535',
  ],
};

export const DEPENDENCY_CONFUSION: RuleMeta = {
  id: 'NAME-002',
  name: 'dependency-confusion',
  analyzer: 'intel',
  ecosystems: ['npm', 'pypi', 'maven'],
  category: 'typosquat',
  severity: 'critical',
  confidence: 'medium',
  description:
    'A dependency whose name looks internal (configured scopes/prefixes) is resolved from the public registry.',
  rationale:
    'Dependency confusion: an attacker publishes your internal package name on the public registry, often with a huge version number, and package managers that consult both prefer it. An internal name resolved from a public registry is how the 2021 Birsan attacks reached Apple, Microsoft and others.',
  falsePositives:
    'Internal packages deliberately published publicly under the same name; configure the prefix list accordingly or record a suppression.',
  example:
    '"node_modules/@acme/auth": { "resolved": "https://registry.npmjs.org/@acme/auth/-/auth-99.0.0.tgz" }',
  references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
};

export const IMPLAUSIBLE_VERSION: RuleMeta = {
  id: 'NAME-003',
  name: 'implausible-version',
  analyzer: 'intel',
  ecosystems: ['npm', 'pypi', 'maven'],
  category: 'typosquat',
  severity: 'critical',
  confidence: 'medium',
  description:
    'A pinned version is implausibly high (such as 99.0.0) for a package that is not a popular one.',
  rationale:
    'Dependency-confusion payloads use versions like 99.99.99 so that a resolver picks them over the internal package; legitimate small packages almost never reach such majors.',
  falsePositives:
    'Packages versioned by date or by an upstream product number (Chrome-aligned tools); popular ones are exempt.',
  example: 'acme-internal-utils@99.10.0',
  references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
};

/** Rules raised by the audit and intel analyzers, registered in the catalogue. */
export const INTEL_RULES: RuleMeta[] = [KNOWN_MALWARE, TYPOSQUAT, DEPENDENCY_CONFUSION, IMPLAUSIBLE_VERSION];
