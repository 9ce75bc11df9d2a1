import type { Analyzer, Finding } from '../../core/types.js';
import {
  filesRunBy,
  INSTALL_SCRIPTS,
  lifecycleScripts,
  resolvePackagePath,
} from '../../ecosystems/npm/contexts.js';
import { popularIndex } from '../../intel/names.js';
import { makeFinding } from '../../rules/finding.js';
import { analyzeJavaScriptFile } from '../javascript/index.js';
import { analyzeCommand, inlineNodeCode, nodeScriptArguments } from '../shell/command.js';
import { scanTextForIocs } from '../text/iocs.js';
import { smallUtilityProfile } from './purpose.js';
import {
  BIN_SHADOW,
  GYP_COMMAND,
  INLINE_SCRIPT_CODE,
  INSTALL_SCRIPT,
  MISSING_INSTALL_FILE,
  NPM_MANIFEST_RULES,
  REMOTE_DEPENDENCY,
  SCRIPT_TECHNIQUE,
  TYPOSQUAT_INSTALL,
} from './rules.js';

export { NPM_MANIFEST_RULES };

const SYSTEM_COMMANDS = new Set(
  'node npm npx yarn pnpm corepack git ls cd cp mv rm cat sh bash zsh sudo su curl wget ssh scp python python3 pip pip3 docker kubectl make gcc cc ld env which chmod chown tar gzip openssl gpg ps kill top'.split(
    ' ',
  ),
);

/** Scopes whose organisation publishes a command under another name. */
const SCOPE_COMMANDS: Record<string, string> = { yarnpkg: 'yarn', npmcli: 'npm' };

/** 1-based line of the first occurrence of `"key"` in a JSON text, for pointing at manifest fields. */
export function lineOfJsonKey(text: string, key: string, after = 0): number | undefined {
  const idx = text.indexOf(JSON.stringify(key), after);
  if (idx < 0) return undefined;
  let line = 1;
  for (let i = 0; i < idx; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function remoteKind(spec: string): string | undefined {
  if (/^(https?):\/\//i.test(spec)) return 'url';
  if (/^(git(\+[a-z]+)?:\/\/|git@|github:|gitlab:|bitbucket:|gist:)/i.test(spec)) return 'git';
  if (/^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec) && !spec.startsWith('@')) return 'github-shorthand';
  if (/^(file|link):/i.test(spec)) return 'local';
  return undefined;
}

/** Reads package.json and binding.gyp: lifecycle scripts, gyp expansions, remote deps, bin names. */
export const npmManifestAnalyzer: Analyzer = {
  id: 'npm-manifest',
  appliesTo: (artifact) => artifact.ecosystem === 'npm',
  analyze(pkg) {
    const { artifact } = pkg;
    const manifest = artifact.manifest;
    const text = artifact.files.find((f) => f.path === 'package.json')?.data.toString('utf8') ?? '';
    const files = new Set(artifact.files.map((f) => f.path));
    const findings: Finding[] = [];
    const scripts = lifecycleScripts(manifest);
    const scriptsLine = lineOfJsonKey(text, 'scripts') ?? 0;

    for (const name of INSTALL_SCRIPTS) {
      const cmd = scripts[name];
      if (!cmd) continue;
      const line = lineOfJsonKey(text, name, text.indexOf('"scripts"'));
      const where = {
        file: 'package.json',
        line: line ?? scriptsLine,
        snippet: `"${name}": ${JSON.stringify(cmd)}`,
        context: 'install' as const,
      };
      const runs = filesRunBy(cmd, files);
      findings.push(
        makeFinding(INSTALL_SCRIPT, {
          ...where,
          message: `"${name}" runs at install: ${cmd.slice(0, 120)}${runs.length ? ` (runs ${runs.join(', ')} from the package)` : ''}`,
          evidence: { script: name, command: cmd, runsFiles: runs },
        }),
      );
      for (const t of analyzeCommand(cmd)) {
        // A lifecycle script that just contacts a host (curl/nslookup/ping without saving
        // anything) is an install beacon: dependency-confusion probes look exactly like this.
        // ...unless the command saves what it fetches (`curl -L u -o x.tgz && tar xzf x.tgz`):
        // that is a shell-form binary installer, a download rather than a beacon.
        const saves =
          /\b(curl|wget)\b[^|;&]*\s(-o|-O|--output|--output-document|-P|--directory-prefix)(\s|=|$)|\b(curl|wget)\b[^|;&]*\|\s*(tar|unzip|gunzip)\b/.test(
            cmd,
          );
        const beacon = t.id === 'network-tool' && !saves;
        const f = makeFinding(SCRIPT_TECHNIQUE, {
          ...where,
          message: `"${name}" script ${t.description}${beacon ? ' at install time (install beacon)' : ''}.`,
          severity: beacon ? 'high' : t.id === 'network-tool' ? 'low' : t.severity,
          confidence: beacon ? 'medium' : undefined,
          evidence: { script: name, technique: t.id, match: t.match },
        });
        f.category = beacon ? 'exfiltration' : t.category;
        findings.push(f);
      }
      const inline = inlineNodeCode(cmd);
      if (inline) {
        const virtual = {
          path: 'package.json',
          size: inline.length,
          data: Buffer.from(inline, 'utf8'),
          kind: 'text' as const,
        };
        const inner = analyzeJavaScriptFile(virtual, pkg, undefined, 'install').findings.filter(
          (f) => f.ruleId !== 'JS-000',
        );
        findings.push(
          makeFinding(INLINE_SCRIPT_CODE, {
            ...where,
            message: `"${name}" runs inline JavaScript: ${inline.slice(0, 120)}`,
            evidence: { script: name, code: inline.slice(0, 500), findings: inner.map((f) => f.ruleId) },
          }),
        );
        for (const f of inner)
          findings.push({ ...f, line: where.line, snippet: where.snippet, context: 'install' });
      }
      if (!name.includes('prepare')) {
        for (const script of nodeScriptArguments(cmd)) {
          if (
            runs.length > 0 &&
            runs.some((r) => script.replace(/^\.\//, '').startsWith(r.replace(/\.[cm]?js$/, '')))
          )
            continue;
          if (resolvePackagePath(script, files)) continue;
          findings.push(
            makeFinding(MISSING_INSTALL_FILE, {
              ...where,
              message: `"${name}" runs ${script}, which is not in the package.`,
              evidence: { script: name, missing: script },
            }),
          );
        }
      }
      findings.push(
        ...scanTextForIocs('package.json', cmd, 'install').map((f) => ({
          ...f,
          line: where.line,
          snippet: where.snippet,
        })),
      );
    }

    const installNames = INSTALL_SCRIPTS.filter((n) => scripts[n] && !n.includes('prepare'));
    const profile = smallUtilityProfile(artifact, installNames);
    if (profile) findings.push(profile);
    if (installNames.length > 0 && typeof manifest.name === 'string') {
      let hit: ReturnType<ReturnType<typeof popularIndex>['check']>;
      try {
        hit = popularIndex('npm').check(manifest.name);
      } catch {
        hit = undefined; // no popularity snapshot shipped: skip the check
      }
      if (hit) {
        findings.push(
          makeFinding(TYPOSQUAT_INSTALL, {
            file: 'package.json',
            line: lineOfJsonKey(text, 'name'),
            snippet: `"name": ${JSON.stringify(manifest.name)}`,
            context: 'install',
            message: `"${manifest.name}" imitates the popular package "${hit.target}" (${hit.technique}) and runs ${installNames.join(', ')} at install.`,
            severity: hit.strong ? 'high' : 'medium',
            evidence: { target: hit.target, technique: hit.technique, targetRank: hit.targetRank },
          }),
        );
      }
    }

    const gyp = artifact.files.find((f) => f.path === 'binding.gyp');
    if (gyp && gyp.kind === 'text') {
      const gypText = gyp.data.toString('utf8');
      for (const m of gypText.matchAll(/<!@?\(([^)]*(?:\([^)]*\)[^)]*)*)\)/g)) {
        const command = m[1] ?? '';
        const line = gypText.slice(0, m.index).split('\n').length;
        const techniques = analyzeCommand(command);
        const benignNodeQuery =
          /^node\s+-p\s/.test(command) && techniques.every((t) => t.id === 'inline-code');
        if (benignNodeQuery && !/child_process|http|eval|Buffer/.test(command)) continue;
        const worst =
          techniques.find((t) => t.severity === 'critical') ?? techniques.find((t) => t.severity === 'high');
        // Build probes (pkg-config, python/node helper scripts shipped in the package, echo,
        // uname...) are what native addons do; only dangerous techniques raise the severity.
        const probe =
          /^\s*(pkg-config|python3?|echo|uname|sh\s+-c\s+['"]?(?:echo|uname|pkg-config)|which|xcrun|xcode-select|getconf|nproc|brew\s+--prefix)\b/.test(
            command,
          ) ||
          (/^\s*node\s+[^-\s]/.test(command) && filesRunBy(command, files).length > 0);
        const f = makeFinding(GYP_COMMAND, {
          file: 'binding.gyp',
          line,
          snippet: m[0],
          context: 'install',
          message: `binding.gyp runs "${command.slice(0, 100)}" during install${worst ? `: it ${worst.description}` : ''}.`,
          severity: worst?.severity ?? (probe ? 'info' : techniques.length > 0 ? 'medium' : 'low'),
          evidence: { command, techniques: techniques.map((t) => t.id) },
        });
        if (worst) f.category = worst.category;
        findings.push(f);
      }
    }

    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = manifest[field];
      if (!deps || typeof deps !== 'object') continue;
      for (const [dep, spec] of Object.entries(deps as Record<string, unknown>)) {
        if (typeof spec !== 'string') continue;
        const kind = remoteKind(spec);
        if (!kind || kind === 'local') continue;
        const rawIp = /^https?:\/\/\d+\.\d+\.\d+\.\d+/.test(spec);
        findings.push(
          makeFinding(REMOTE_DEPENDENCY, {
            file: 'package.json',
            line: lineOfJsonKey(text, dep, text.indexOf(`"${field}"`)),
            snippet: `"${dep}": ${JSON.stringify(spec)}`,
            context: 'install',
            message: `${field}.${dep} is fetched from ${kind === 'url' ? 'a URL' : 'a git repository'} (${spec.slice(0, 100)}), outside the registry.`,
            // a raw IP or plain-HTTP tarball is how droppers ship a payload; an HTTPS tarball from
            // a named host is a registry bypass worth a look (SheetJS publishes xlsx on its CDN)
            severity:
              rawIp || (kind === 'url' && !/^https:\/\//i.test(spec))
                ? 'high'
                : kind === 'url'
                  ? 'medium'
                  : 'low',
            evidence: { dependency: dep, spec, kind },
            iocs: kind === 'url' ? [spec] : undefined,
          }),
        );
      }
    }

    const bin = manifest.bin;
    const binNames =
      typeof bin === 'string' && typeof manifest.name === 'string'
        ? [manifest.name.replace(/^@[^/]+\//, '')]
        : bin && typeof bin === 'object'
          ? Object.keys(bin)
          : [];
    for (const name of binNames) {
      if (!SYSTEM_COMMANDS.has(name)) continue;
      // The package that *is* a command (unscoped `npm` installing `npm` and `npx`): a registry
      // name is owned, so this is the real tool with its own commands. A scoped `@someone/npm`
      // providing `npm` is still reported.
      if (typeof manifest.name === 'string' && SYSTEM_COMMANDS.has(manifest.name)) continue;
      // Scopes are owned too: `@pnpm/exe` (the standalone pnpm) providing `pnpm` is the tool's
      // own organisation. Another scope providing `pnpm` is still reported.
      const scope = typeof manifest.name === 'string' ? /^@([^/]+)\//.exec(manifest.name)?.[1] : undefined;
      if (scope && (SCOPE_COMMANDS[scope] ?? scope) === name) continue;
      findings.push(
        makeFinding(BIN_SHADOW, {
          file: 'package.json',
          line: lineOfJsonKey(text, 'bin'),
          snippet: `"bin": ${JSON.stringify(bin).slice(0, 120)}`,
          context: 'install',
          message: `Installs an executable called "${name}", shadowing the system command of that name.`,
          evidence: { bin: name },
        }),
      );
    }
    return findings;
  },
};
