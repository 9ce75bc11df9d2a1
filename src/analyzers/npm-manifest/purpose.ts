import type { Artifact, Finding, RuleMeta } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';

export const SMALL_UTILITY: RuleMeta = {
  analyzer: 'npm-manifest',
  ecosystems: ['npm'],
  id: 'NPM-009',
  name: 'small-utility-profile',
  category: 'packaging',
  severity: 'info',
  confidence: 'medium',
  description:
    'Package profile: a small package (few code files, little code) whose description, keywords and README declare an ordinary utility — nothing about downloading, native binaries, networking, processes or credentials — yet which runs a script at install.',
  rationale:
    'A 200-line "utility" has no reason to reach for credentials, the network or other programs while it is being installed; what a package says it is sets the expectation its install-time code is measured against. This finding is not an accusation and weighs nothing: it feeds the `purpose-mismatch` reasoning of the verdict, which holds only when the install-time code of the same package actually touches credentials, exfiltrates, or uses the network/processes.',
  falsePositives:
    'Small packages whose README does not mention the install step they need (e.g. a tiny wrapper that fetches a tool), setup helpers with terse descriptions.',
  example:
    '"description": "Tiny helper to format dates", "scripts": { "postinstall": "node setup.js" } (2 files, 3 KB)',
  references: ['https://docs.npmjs.com/cli/v10/configuring-npm/package-json#description'],
};

/** What a package says it does that explains network, processes, binaries or credentials at install. */
const CAPABILITY_WORDS =
  /\b(download\w*|binar(y|ies)|native|prebuil\w*|compil\w*|install(er|s|ing)?\b(?! ?(with|via|using) npm)|build(s|er|ing)?|bundl\w*|cli\b|command[- ]line|shell|exec\w*|spawn\w*|process(es)?|driver|browser|chrom\w*|electron|puppeteer|playwright|selenium|webdriver|server|client|sdk|api\b|http\w*|network\w*|request\w*|fetch\w*|upload\w*|proxy|socket\w*|websocket|telemetry|analytics|monitor\w*|agent|apm|tracing|deploy\w*|cloud|aws|azure|gcp|docker|kubernetes|k8s|git\b|github|ssh|token\w*|auth\w*|credential\w*|secret\w*|password\w*|keychain|env(ironment)?\b|dotenv|config\w*|setup|hook\w*|daemon|service|wrapper|toolchain|rust|golang|python|java\b|wasm|gyp|addon|bindings?)\b/i;
const CODE_FILE = /\.(js|cjs|mjs|ts|cts|mts|jsx|tsx)$/i;
const NOT_SHIPPED_CODE = /(^|\/)(tests?|__tests__|spec|examples?|docs?|benchmarks?|fixtures?)\//i;
const MAX_FILES = 8;
const MAX_CODE_BYTES = 40_000;

/**
 * The declared-purpose profile of an npm package with install scripts: small, and declaring
 * nothing that needs install-time network/process/credential access. Returns the info finding
 * the verdict's `purpose-mismatch` reasoning uses, or nothing.
 */
export function smallUtilityProfile(artifact: Artifact, installScripts: string[]): Finding | undefined {
  if (installScripts.length === 0) return undefined;
  let files = 0;
  let bytes = 0;
  for (const f of artifact.files) {
    if (f.kind !== 'text' || !CODE_FILE.test(f.path) || /\.d\.[cm]?ts$/i.test(f.path)) continue;
    if (NOT_SHIPPED_CODE.test(f.path)) continue;
    files++;
    bytes += f.size;
    if (files > MAX_FILES || bytes > MAX_CODE_BYTES) return undefined;
  }
  if (files === 0) return undefined;
  const m = artifact.manifest as Record<string, unknown>;
  const keywords = Array.isArray(m.keywords) ? m.keywords.map(String).join(' ') : '';
  const readme = artifact.files.find((f) => /^readme(\.(md|markdown|txt))?$/i.test(f.path));
  const declared = [String(m.description ?? ''), keywords, readme?.data.toString('utf8', 0, 4096) ?? ''].join(
    '\n',
  );
  const explains = CAPABILITY_WORDS.exec(declared);
  if (explains) return undefined;
  const description = String(m.description ?? '').slice(0, 140);
  return makeFinding(SMALL_UTILITY, {
    file: 'package.json',
    context: 'install',
    message: `Declares a small utility (${description ? `"${description}"` : 'no description'}; ${files} code file${files === 1 ? '' : 's'}, ${bytes} bytes) but runs ${installScripts.join(', ')} at install: install-time code is measured against that purpose.`,
    evidence: { codeFiles: files, codeBytes: bytes, description, installScripts, readme: !!readme },
  });
}
