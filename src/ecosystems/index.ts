import type { Ecosystem } from '../core/types.js';
import { npmPlugin } from './npm/plugin.js';
import type { EcosystemPlugin } from './types.js';

/** All supported ecosystems. Order matters for local-file sniffing: the first claimant wins. */
export const ECOSYSTEMS: EcosystemPlugin[] = [npmPlugin];

export function pluginFor(ecosystem: Ecosystem): EcosystemPlugin | undefined {
  return ECOSYSTEMS.find((p) => p.ecosystem === ecosystem);
}
