import type { PyRule } from '../engine.js';
import type { Node } from '../parser.js';
import { py } from './helpers.js';

const HOOK_BASES =
  /(^|\.)(install|develop|egg_info|build_py|build_ext|build|sdist|bdist_egg|bdist_wheel|install_lib|install_scripts|easy_install)$/;

export const cmdclassOverride: PyRule = {
  meta: {
    ...py,
    id: 'PY-015',
    name: 'setup-command-override',
    category: 'install-script',
    severity: 'low',
    confidence: 'high',
    description:
      'setup.py subclasses an install-time command (install, develop, egg_info, build_py...) and overrides run(): custom code runs during pip install.',
    rationale:
      'A cmdclass override is the setup.py equivalent of an npm postinstall hook; most PyPI malware that is not at setup.py top level hides there. The code inside is analysed with the install context.',
    falsePositives: 'Packages compiling extensions or generating files at build time.',
    example: 'class PostInstall(install):\n    def run(self):\n        install.run(self); os.system(...)',
    references: ['https://setuptools.pypa.io/en/latest/userguide/extension.html'],
  },
  create(ctx) {
    return {
      class_definition(node: Node) {
        if (!ctx.isSetupPy && ctx.fileContext !== 'install') return;
        const supers = node.childForFieldName('superclasses');
        const bases = (supers?.namedChildren ?? []).map((b) => ctx.qualify(b) ?? b?.text ?? '');
        const hook = bases.find((b) => HOOK_BASES.test(b));
        if (!hook) return;
        const body = node.childForFieldName('body');
        const run = body?.namedChildren.find(
          (s) =>
            s?.type === 'function_definition' &&
            /^(run|initialize_options|finalize_options)$/.test(s.childForFieldName('name')?.text ?? ''),
        );
        if (!run) return;
        ctx.report({
          node,
          message: `setup.py overrides the "${hook.split('.').pop()}" command (${node.childForFieldName('name')?.text}.${run.childForFieldName('name')?.text}): its code runs during pip install.`,
          evidence: { base: hook },
        });
      },
    };
  },
};
