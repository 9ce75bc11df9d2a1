import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, isLiteral, js, preview } from './helpers.js';

const EVALUATORS = new Set([
  'eval',
  'Function',
  'vm.runInThisContext',
  'vm.runInNewContext',
  'vm.runInContext',
  'vm.compileFunction',
  'vm.Script',
  'vm.SourceTextModule',
  // a CommonJS module compiled from a string: `new Module()._compile(code)`, require-from-string
  'module._compile',
  'require-from-string',
  'setTimeout',
  'setInterval',
  'setImmediate',
]);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
const DECODERS = /^(atob|Buffer\.from|decodeURIComponent|unescape|String\.fromCharCode|zlib\.\w+)$/;

/** Flags eval/Function/vm on computed input; decodable input is analysed again as code. */
export const dynamicCode: JsRule = {
  meta: {
    ...js,
    id: 'JS-005',
    name: 'dynamic-code-execution',
    category: 'execution',
    severity: 'medium',
    confidence: 'medium',
    description:
      'Code runs a string as code with eval, Function, vm or string timers, on input that is not a plain literal.',
    rationale:
      'Loaders decode or download their payload and hand it to eval so that no scanner sees it in the file; when Beagle can fold the string, the decoded code is analysed as well.',
    falsePositives:
      'Template engines and bundler runtimes compile code at run time; `Function("return this")()` global detection. A folded string is analysed as code first: feature detection built by concatenating literals (Closure\'s `eval(\'"use strict"; let x = 1…\')`) does nothing that weighs medium or more, so it is low rather than high obfuscation.',
    example: "eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString())",
    references: ['https://owasp.org/www-community/attacks/Direct_Dynamic_Code_Evaluation_Eval%20Injection'],
  },
  create(ctx) {
    const check = (node: Node) => {
      const name = calleeName(ctx, node);
      if (!name || !EVALUATORS.has(name)) return;
      const args: Node[] = node.arguments ?? [];
      const code = name === 'Function' ? args[args.length - 1] : args[0];
      if (!code) return;
      // Only a string is code: `this.setInterval(100)` (a class's own method, or a delay folded
      // from a constant) runs nothing, and eval(5) is 5.
      const folded = ctx.evaluate(code);
      const value = typeof folded === 'string' ? folded : undefined;
      if (TIMERS.has(name) && (code.type.includes('Function') || value === undefined)) return;
      const literal = isLiteral(code);
      if (literal && value !== undefined && /^\s*return\s+this;?\s*$/.test(value)) return;
      const decoderName = code.type === 'CallExpression' ? ctx.qualify(code.callee) : undefined;
      // The folded code is analysed as code first. When it parses and nothing in it weighs medium
      // or more, it is inert (feature detection such as Closure's `eval('"use strict"; let x…')`):
      // folding it was no disguise worth a high finding. Whatever it does is reported on its own.
      const analysis = value !== undefined && value.length > 0 ? ctx.reanalyze?.(value, node) : undefined;
      const inert = analysis?.harmful === false;
      // Decoded code is code that parsed and does something. An empty fold (a parameter's `= ''`
      // default) runs nothing, and a fold that does not parse is a template engine's fragments
      // (devextreme's `var _ = [];with(obj||{}) {…`) or a partial fold, not a hidden payload.
      const decoded = !literal && analysis?.harmful === true;
      ctx.facts.capabilities.add('eval');
      ctx.report({
        node,
        message:
          value !== undefined
            ? `${name} runs ${decoded ? 'a decoded' : literal ? 'a literal' : 'a folded'} string as code: ${preview(value, 120)}${inert ? ' (analysed as code: nothing in it weighs medium or more)' : ''}`
            : `${name} runs code computed at run time${decoderName && DECODERS.test(decoderName) ? ` (decoded with ${decoderName})` : ''}.`,
        // `Function('a', 'return a.' + k)` factories (core-js, template engines) are common;
        // eval of unknown input is rarer; decoded input is what loaders do.
        severity:
          decoded || (value === undefined && decoderName && DECODERS.test(decoderName))
            ? 'high'
            : value !== undefined || name === 'Function' || TIMERS.has(name)
              ? 'low'
              : 'medium',
        confidence: decoded ? 'high' : value !== undefined || name === 'Function' ? 'low' : 'medium',
        category: decoded ? 'obfuscation' : undefined,
        evidence: { callee: name, decoded: value !== undefined ? preview(value, 400) : undefined, inert },
      });
    };
    return { CallExpression: check, NewExpression: check };
  },
};
