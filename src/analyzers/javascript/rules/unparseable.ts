import type { RuleMeta } from '../../../core/types.js';
import { js } from './helpers.js';

/** Raised by the analyzer (not a visitor) when no parser accepts a file. */
export const UNPARSEABLE: RuleMeta = {
  ...js,
  id: 'JS-000',
  name: 'unparseable-javascript',
  category: 'obfuscation',
  severity: 'low',
  confidence: 'low',
  description:
    'A JavaScript/TypeScript file could not be parsed (only text-level checks ran on it), or nests code deeper than 1,500 levels (the code below that depth was checked as text only; medium).',
  rationale:
    'Malware is sometimes deliberately malformed to break scanners while still running in lenient engines; at minimum the file was not fully analysed.',
  falsePositives:
    'Template files with placeholders, Flow syntax, files for non-standard runtimes. Generated code with extremely long concatenation chains for the depth variant.',
  references: [],
};
