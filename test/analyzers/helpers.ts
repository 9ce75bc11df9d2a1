import { ANALYZERS } from '../../src/analyzers/index.js';
import { javascriptAnalyzer } from '../../src/analyzers/javascript/index.js';
import type { Artifact, ArtifactFile, Finding } from '../../src/core/types.js';
import { npmPackageContext } from '../../src/ecosystems/npm/contexts.js';
import { computeVerdict } from '../../src/verdict/score.js';

/** Builds an in-memory npm artifact from inline files (no disk, nothing executed). */
export function npmArtifact(
  files: Record<string, string | Buffer>,
  manifest: Record<string, unknown> = { name: 'fixture', version: '1.0.0' },
): Artifact {
  const all: Record<string, string | Buffer> = {
    'package.json': JSON.stringify(manifest, null, 2),
    ...files,
  };
  const list: ArtifactFile[] = Object.entries(all).map(([path, content]) => {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const binary = typeof content !== 'string';
    return {
      path,
      size: data.length,
      data,
      kind: binary ? 'binary' : 'text',
      binaryType: binary ? binaryType(data) : undefined,
    };
  });
  return {
    ecosystem: 'npm',
    name: String(manifest.name ?? 'fixture'),
    version: String(manifest.version ?? '1.0.0'),
    source: { type: 'folder', target: 'fixture', location: 'fixture' },
    files: list,
    manifest,
    readFindings: [],
    warnings: [],
    bytes: list.reduce((n, f) => n + f.size, 0),
  };
}

function binaryType(data: Buffer): ArtifactFile['binaryType'] {
  if (data[0] === 0x7f && data.toString('latin1', 1, 4) === 'ELF') return 'elf';
  if (data.toString('latin1', 0, 2) === 'MZ') return 'pe';
  return 'other';
}

/** Runs the JavaScript analyzer over inline files; `index.js` is the package main by default. */
export async function jsFindings(
  files: Record<string, string>,
  manifest?: Record<string, unknown>,
): Promise<Finding[]> {
  const artifact = npmArtifact(files, manifest);
  return javascriptAnalyzer.analyze(npmPackageContext(artifact));
}

/** Findings of one rule for a single inline index.js. */
export async function ruleFindings(ruleId: string, code: string, manifest?: Record<string, unknown>) {
  return (await jsFindings({ 'index.js': code }, manifest)).filter((f) => f.ruleId === ruleId);
}

/** Every analyzer plus the verdict, for package-level tests. */
export async function scanInline(files: Record<string, string | Buffer>, manifest?: Record<string, unknown>) {
  const artifact = npmArtifact(files, manifest);
  const pkg = npmPackageContext(artifact);
  const findings: Finding[] = [];
  for (const a of ANALYZERS) if (a.appliesTo(artifact)) findings.push(...(await a.analyze(pkg)));
  return { findings, verdict: computeVerdict(findings) };
}

export const INSTALL = (file = 'install.js') => ({
  name: 'fixture',
  version: '1.0.0',
  scripts: { postinstall: `node ${file}` },
});
