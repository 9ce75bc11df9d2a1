import { createHash } from 'node:crypto';
import { loadJsonData } from '../../core/data.js';
import type { Finding, PackageContext, RuleMeta } from '../../core/types.js';
import { normalizeName } from '../../ecosystems/pypi/metadata.js';
import { nameFromFilename, type PypiManifest } from '../../ecosystems/pypi/plugin.js';
import { makeFinding } from '../../rules/finding.js';
import { py } from './rules/helpers.js';

const meta = { ...py, analyzer: 'python-metadata' } as const;

export const METADATA_IMPERSONATION: RuleMeta = {
  ...meta,
  id: 'PY-018',
  name: 'metadata-impersonation',
  category: 'typosquat',
  severity: 'medium',
  confidence: 'medium',
  description:
    "The package's homepage/project URLs claim a famous project's repository, but the package has another name.",
  rationale:
    'Typosquats copy the metadata of the project they imitate (homepage, description) so that the PyPI page looks legitimate; a different name with the same canonical repository is a lie about identity.',
  falsePositives:
    'Forks and re-publications that kept the upstream URL; plugins linking to the host project.',
  example: 'Name: reqeusts / Home-page: https://github.com/psf/requests',
  references: ['https://blog.phylum.io/typosquatting-campaign-targets-python-developers/'],
};

export const NAME_TYPOSQUAT: RuleMeta = {
  ...meta,
  id: 'PY-023',
  name: 'name-typosquat',
  category: 'typosquat',
  severity: 'low',
  confidence: 'low',
  description:
    'The project name is one edit (or a swapped pair, or a python-/py prefix) away from a popular PyPI project.',
  rationale:
    'Typosquatting catches developers who mistype `pip install`; most PyPI malware campaigns register such names.',
  falsePositives: 'Legitimately similar names (plugins, forks, unrelated short names).',
  example: 'reqeusts, python-requests-x, urlib3',
  references: ['https://arxiv.org/abs/2005.09535'],
};

export const METADATA_MISMATCH: RuleMeta = {
  ...meta,
  id: 'PY-019',
  name: 'metadata-mismatch',
  category: 'packaging',
  severity: 'low',
  confidence: 'medium',
  description:
    'Declared metadata does not match the distribution: missing PKG-INFO/METADATA, name or version different from the file name or pyproject.toml, console/gui entry points naming modules the wheel does not ship.',
  rationale:
    'Distributions built by the standard tools are consistent; hand-made or tampered archives (common for malware uploaded with scripts) are not.',
  falsePositives: 'Very old sdists built by hand; renamed files.',
  example: 'foo-1.0.tar.gz whose PKG-INFO says Name: bar',
  references: ['https://packaging.python.org/en/latest/specifications/core-metadata/'],
};

export const IN_TREE_BACKEND: RuleMeta = {
  ...meta,
  id: 'PY-021',
  name: 'in-tree-build-backend',
  category: 'install-script',
  severity: 'low',
  confidence: 'high',
  description:
    'pyproject.toml uses a build backend shipped inside the sdist (backend-path): its code runs when pip builds the package.',
  rationale:
    'An in-tree backend is install-time code like setup.py, but easier to overlook; its module is analysed with the install context.',
  falsePositives:
    'Build backends developing themselves (setuptools, flit) and projects wrapping a standard backend.',
  example: '[build-system]\nbuild-backend = "backend"\nbackend-path = ["."]',
  references: ['https://peps.python.org/pep-0517/#in-tree-build-backends'],
};

export const WHEEL_RECORD: RuleMeta = {
  ...meta,
  id: 'PY-022',
  name: 'wheel-record-mismatch',
  category: 'integrity',
  severity: 'medium',
  confidence: 'high',
  description:
    "A wheel's files do not match its RECORD: files missing from RECORD or with a different sha256.",
  rationale:
    'pip relies on RECORD to install and uninstall; wheels altered after they were built (injected payloads) usually forget to update it.',
  falsePositives: 'Wheels repacked by hand or by distribution tools that do not rewrite RECORD.',
  example: 'pkg/__init__.py sha256 differs from the RECORD entry',
  references: [
    'https://packaging.python.org/en/latest/specifications/recording-installed-packages/#the-record-file',
  ],
};

export const METADATA_RULES: RuleMeta[] = [
  METADATA_IMPERSONATION,
  METADATA_MISMATCH,
  IN_TREE_BACKEND,
  WHEEL_RECORD,
  NAME_TYPOSQUAT,
];

let popular: Map<string, string> | undefined;
function popularProjects(): Map<string, string> {
  popular ??= new Map(
    loadJsonData<{ projects: Array<{ name: string; repo: string }> }>('python-popular.json').projects.map(
      (p) => [p.name, p.repo.toLowerCase()],
    ),
  );
  return popular;
}

/** Damerau-Levenshtein distance capped at 2 (enough for typosquat checks). */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

export function typosquatTarget(name: string): string | undefined {
  const n = normalizeName(name);
  const projects = popularProjects();
  if (projects.has(n)) return undefined;
  const stripped = n.replace(/^(python-|py-|py)/, '').replace(/(-python|-py|py)$/, '');
  for (const p of projects.keys()) {
    if (p.length < 5) continue;
    if (stripped === p || n.replace(/-/g, '') === p.replace(/-/g, '')) return p;
    if (distance(n, p) === 1) return p;
  }
  return undefined;
}

function b64urlSha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64url');
}

/** Metadata checks: identity claims, declared vs actual content, wheel RECORD, in-tree backends. */
export function metadataFindings(pkg: PackageContext): Finding[] {
  const artifact = pkg.artifact;
  if (artifact.ecosystem !== 'pypi') return [];
  const m = artifact.manifest as PypiManifest;
  const out: Finding[] = [];
  const name = normalizeName(artifact.name);
  const urls = [m.homePage ?? '', ...(m.projectUrls ?? [])].join(' ');
  for (const [project, repo] of popularProjects()) {
    if (!repo || project === name) continue;
    const re = new RegExp(
      `github\\.com/${repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.git)?(?:[/#?\\s,]|$)`,
      'i',
    );
    if (re.test(urls) && !name.includes(project.replace(/-/g, ''))) {
      out.push(
        makeFinding(METADATA_IMPERSONATION, {
          file: m.metadataFile,
          message: `"${artifact.name}" claims the repository of the popular project "${project}" (github.com/${repo}).`,
          evidence: { impersonated: project, repo },
        }),
      );
      break;
    }
  }
  const squat = typosquatTarget(artifact.name);
  if (squat) {
    out.push(
      makeFinding(NAME_TYPOSQUAT, {
        file: m.metadataFile,
        message: `The name "${artifact.name}" is a near miss of the popular project "${squat}".`,
        evidence: { target: squat },
      }),
    );
  }
  if (m.distKind !== 'folder') {
    if (!m.metadataFile) {
      out.push(
        makeFinding(METADATA_MISMATCH, {
          message: `The ${m.distKind} has no ${m.distKind === 'wheel' ? '.dist-info/METADATA' : 'PKG-INFO'}: it was not built by standard tools.`,
          evidence: { missing: m.distKind === 'wheel' ? 'METADATA' : 'PKG-INFO' },
        }),
      );
    }
    const fromFile =
      artifact.source.type === 'registry'
        ? nameFromFilename(String(artifact.source.registry?.filename ?? ''))
        : nameFromFilename(artifact.source.target);
    if (
      m.name &&
      fromFile.name &&
      normalizeName(fromFile.name) !== normalizeName(m.name) &&
      normalizeName(fromFile.name).replace(/-/g, '') !== normalizeName(m.name).replace(/-/g, '')
    ) {
      out.push(
        makeFinding(METADATA_MISMATCH, {
          file: m.metadataFile,
          message: `The file is named for "${fromFile.name}" but its metadata says "${m.name}".`,
          evidence: { fileName: fromFile.name, metadataName: m.name },
        }),
      );
    }
    if (m.name && m.pyprojectName && normalizeName(m.name) !== normalizeName(m.pyprojectName)) {
      out.push(
        makeFinding(METADATA_MISMATCH, {
          file: 'pyproject.toml',
          message: `pyproject.toml names the project "${m.pyprojectName}" but the core metadata says "${m.name}".`,
          evidence: { pyproject: m.pyprojectName, metadata: m.name },
        }),
      );
    }
  }
  if (m.distKind === 'wheel' || m.distKind === 'egg') {
    // Declared vs shipped: console/gui scripts of a built distribution name modules it contains.
    const paths = artifact.files.map((f) => f.path);
    const missing = m.entryPoints.filter((ep) => {
      if (!/^(console_scripts|gui_scripts)$/.test(ep.group) || !ep.module) return false;
      const rel = ep.module.replace(/\./g, '/');
      return !paths.some(
        (p) =>
          p === `${rel}.py` ||
          p.startsWith(`${rel}/`) ||
          new RegExp(`^${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[^/]*\\.(so|pyd)$`).test(p) ||
          p.endsWith(`.data/purelib/${rel}.py`) ||
          p.endsWith(`.data/platlib/${rel}.py`),
      );
    });
    if (missing.length > 0) {
      out.push(
        makeFinding(METADATA_MISMATCH, {
          file: m.metadataFile,
          message: `Entry point "${missing[0]!.name}" runs module "${missing[0]!.module}", which the ${m.distKind} does not contain${missing.length > 1 ? ` (${missing.length} such entry points)` : ''}.`,
          evidence: { missingEntryPoints: missing.map((e) => `${e.name} = ${e.module}`) },
        }),
      );
    }
  }
  if (m.buildBackend && m.backendPath && m.backendPath.length > 0) {
    out.push(
      makeFinding(IN_TREE_BACKEND, {
        file: 'pyproject.toml',
        context: 'install',
        message: `pyproject.toml builds with the in-tree backend "${m.buildBackend}" (backend-path ${m.backendPath.join(', ')}).`,
        evidence: { backend: m.buildBackend, backendPath: m.backendPath },
      }),
    );
  }
  if (m.distKind === 'wheel') {
    const record = artifact.files.find((f) => /^[^/]+\.dist-info\/RECORD$/.test(f.path));
    if (record) {
      const entries = new Map<string, string>();
      for (const line of record.data.toString('utf8').split(/\r?\n/)) {
        const [p, hash] = line.split(',');
        if (p) entries.set(p.replace(/^"|"$/g, ''), hash ?? '');
      }
      const unlisted: string[] = [];
      const changed: string[] = [];
      for (const f of artifact.files) {
        if (f.path === record.path || /\.dist-info\/RECORD\.(jws|p7s)$/.test(f.path)) continue;
        const h = entries.get(f.path);
        if (h === undefined) unlisted.push(f.path);
        else if (h.startsWith('sha256=') && h.slice(7) !== b64urlSha256(f.data)) changed.push(f.path);
      }
      if (unlisted.length > 0 || changed.length > 0) {
        out.push(
          makeFinding(WHEEL_RECORD, {
            file: record.path,
            severity:
              changed.some((p) => p.endsWith('.py') || p.endsWith('.pth')) ||
              unlisted.some((p) => p.endsWith('.pth'))
                ? 'high'
                : 'medium',
            message: `RECORD does not match the wheel: ${changed.length} file(s) with another hash${changed[0] ? ` (${changed[0]})` : ''}, ${unlisted.length} unlisted${unlisted[0] ? ` (${unlisted[0]})` : ''}.`,
            evidence: { changed: changed.slice(0, 20), unlisted: unlisted.slice(0, 20) },
          }),
        );
      }
    }
  }
  return out;
}
