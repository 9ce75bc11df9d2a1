import type { RuleMeta } from '../core/types.js';

const common = {
  analyzer: 'archive',
  ecosystems: ['npm', 'pypi', 'maven'],
} as const;

export const PATH_TRAVERSAL: RuleMeta = {
  ...common,
  id: 'ARC-001',
  name: 'archive-path-traversal',
  category: 'integrity',
  severity: 'high',
  confidence: 'high',
  description: 'An archive entry has an absolute path or `..` segment that would write outside the package.',
  rationale:
    'Package managers refuse such entries; publishing one is either a broken packer or an attempt to overwrite files outside the install folder (zip-slip).',
  falsePositives: 'Essentially none for packages built by the ecosystem tools.',
  example: 'package/../../.bashrc',
  references: ['https://security.snyk.io/research/zip-slip-vulnerability'],
};

export const LINK_ENTRY: RuleMeta = {
  ...common,
  id: 'ARC-002',
  name: 'archive-link-entry',
  category: 'integrity',
  severity: 'medium',
  confidence: 'medium',
  description: 'An archive entry is a symbolic or hard link; Beagle never follows it.',
  rationale:
    'Links in a package can point at files outside it (`~/.ssh/id_rsa`) so that later reads or writes reach them.',
  falsePositives: 'Some sdists and jars made by hand contain harmless internal links.',
  example: 'package/config -> /etc/passwd',
  references: ['https://github.com/advisories/GHSA-qq89-hq3f-393p'],
};

export const DEVICE_ENTRY: RuleMeta = {
  ...common,
  id: 'ARC-003',
  name: 'archive-special-entry',
  category: 'integrity',
  severity: 'medium',
  confidence: 'high',
  description: 'An archive entry is a device, FIFO or other special file.',
  rationale: 'Packages never need device nodes; they exist only to confuse extractors or scanners.',
  falsePositives: 'None known.',
  references: ['https://www.gnu.org/software/tar/manual/html_node/Standard.html'],
};

export const DUPLICATE_ENTRY: RuleMeta = {
  ...common,
  id: 'ARC-004',
  name: 'archive-duplicate-entry',
  category: 'integrity',
  severity: 'medium',
  confidence: 'high',
  description: 'The same path appears more than once in the archive; tools disagree on which copy wins.',
  rationale:
    'A reviewer or scanner that reads the first copy sees different code from the installer that keeps the last (tar confusion).',
  falsePositives: 'Rare; some old packers appended files twice with identical content (then not reported).',
  references: ['https://github.com/npm/node-tar/security/advisories/GHSA-r6q2-hw4h-h46w'],
};

export const OVERSIZE_ENTRY: RuleMeta = {
  ...common,
  id: 'ARC-005',
  name: 'archive-oversize-entry',
  category: 'packaging',
  severity: 'low',
  confidence: 'low',
  description: 'A file is larger than the single-file limit and was not analysed.',
  rationale: 'Huge files can hide payloads from scanners; the file was skipped, so its content is unknown.',
  falsePositives: 'Packages that ship large data sets, models or bundled binaries.',
  references: [],
};

export const ARCHIVE_RULES: RuleMeta[] = [
  PATH_TRAVERSAL,
  LINK_ENTRY,
  DEVICE_ENTRY,
  DUPLICATE_ENTRY,
  OVERSIZE_ENTRY,
];
