/** Beagle's public library API. */

export { BeagleError } from './core/errors.js';
export type * from './core/types.js';
export { ECOSYSTEMS, pluginFor } from './ecosystems/index.js';
export { allRules, findRule } from './rules/catalog.js';
export { loadOptions, type ScanOptions, scan, scanArtifact } from './scan.js';
export { loadTarget } from './sources/resolve.js';
export { computeVerdict } from './verdict/score.js';
