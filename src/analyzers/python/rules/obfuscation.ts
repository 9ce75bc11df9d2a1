import type { PyRule } from '../engine.js';
import type { Node } from '../parser.js';
import { indicators } from './credentials.js';
import { py } from './helpers.js';

const OBF_NAME = /^(?:[lI1]{6,}|[O0]{6,}|_0x[0-9a-fA-F]{3,}|_{3,}[a-zA-Z0-9]?|[Il]{2,}[Il1]{4,})$/;

export const obfuscatedCode: PyRule = {
  meta: {
    ...py,
    id: 'PY-014',
    name: 'obfuscated-python',
    category: 'obfuscation',
    severity: 'high',
    confidence: 'medium',
    description:
      'The file is obfuscated: PyArmor/pyobfuscate-style loaders, code pushed off-screen by whitespace padding, or mostly confusable identifiers (lIlIlI, O0O0O, _0x1f; high when the same file runs code with exec/eval).',
    rationale:
      'Open-source libraries ship readable code; obfuscators and off-screen padding exist to hide the payload from the reviewer reading the file on PyPI or GitHub.',
    falsePositives:
      'Commercial packages protected with PyArmor (their runtime is usually declared and the package is not open source).',
    example: 'import os' + ' '.repeat(200) + ";exec(__import__('base64').b64decode('...'))",
    references: ['https://pyarmor.readthedocs.io/', 'https://attack.mitre.org/techniques/T1027/'],
  },
  create(ctx) {
    let identifiers = 0;
    let confusable = 0;
    const names = new Set<string>();
    /** An exec/eval/compile call (also `eval('eval')`, the way obfuscators fetch their builtins). */
    let runsCode: string | undefined;
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (name === 'exec' || name === 'eval' || name === 'compile') runsCode ??= name;
      },
      identifier(node: Node) {
        identifiers++;
        const t = node.text;
        if (OBF_NAME.test(t)) {
          confusable++;
          names.add(t);
        }
      },
      'module:exit'() {
        const banners = indicators().raw.obfuscators;
        const head = ctx.source.length > 2_000_000 ? ctx.source.slice(0, 2_000_000) : ctx.source;
        for (const b of banners) {
          const m = new RegExp(b.pattern, 'i').exec(head);
          if (m) {
            const line = head.slice(0, m.index).split('\n').length;
            ctx.reportFile({
              line,
              snippet: ctx.lines[line - 1],
              message: `${b.kind} obfuscation (${m[0]}).`,
              evidence: { kind: b.kind },
            });
            break;
          }
        }
        // Code hidden to the right of the visible screen: a run of >= 150 blanks before more code.
        for (let i = 0; i < ctx.lines.length; i++) {
          const line = ctx.lines[i]!;
          if (line.length < 160) continue;
          const m = /^(.*?\S)?[ \t]{150,}(\S.*)$/.exec(line);
          if (m && /[;(=]|import|exec|eval/.test(m[2]!) && !m[2]!.startsWith('#')) {
            ctx.reportFile({
              line: i + 1,
              snippet: `${(m[1] ?? '').slice(0, 60)} [${line.length - (m[1]?.length ?? 0) - m[2]!.length} blanks] ${m[2]!.slice(0, 120)}`,
              message: 'Code is hidden off-screen after a long run of blanks on the same line.',
              evidence: { kind: 'whitespace-padding' },
            });
            break;
          }
        }
        if (identifiers >= 30 && confusable >= 15 && names.size >= 5 && confusable / identifiers > 0.3) {
          // Confusable names alone are a style (or a minifier); with exec/eval in the same file they
          // hide what is run.
          ctx.reportFile({
            message: `${Math.round((100 * confusable) / identifiers)}% of identifiers are machine-generated confusables (${[...names].slice(0, 4).join(', ')})${runsCode ? `, and the file runs code with ${runsCode}()` : ''}.`,
            severity: runsCode ? 'high' : 'medium',
            evidence: { kind: 'confusable-identifiers', ratio: confusable / identifiers, runsCode },
          });
        }
      },
    };
  },
};
