import type { Ecosystem } from '../core/types.js';
import { mavenPlugin } from './maven/plugin.js';
import { npmPlugin } from './npm/plugin.js';
import { pypiPlugin } from './pypi/plugin.js';
import type { EcosystemPlugin } from './types.js';

/** All supported ecosystems. Order matters for local-file sniffing: the first claimant wins. */
// pypi before npm: it claims only tarballs whose entries are an sdist's (PKG-INFO, setup.py...).
export const ECOSYSTEMS: EcosystemPlugin[] = [pypiPlugin, npmPlugin, mavenPlugin];

export function pluginFor(ecosystem: Ecosystem): EcosystemPlugin | undefined {
  return ECOSYSTEMS.find((p) => p.ecosystem === ecosystem);
}
