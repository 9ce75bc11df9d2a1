import type { Artifact, ArtifactFile } from '../../../core/types.js';
import { isActivePom } from '../../../ecosystems/maven/contexts.js';
import { type PomModel, parsePom } from '../../../ecosystems/maven/pom.js';

export interface PomFile {
  file: ArtifactFile;
  pom: PomModel;
  /** True for the POM Maven builds with (top-level pom.xml or a .pom); false for copies under META-INF/maven/. */
  active: boolean;
}

const cache = new WeakMap<Artifact, PomFile[]>();

/** The artifact's POMs, parsed once per artifact; unparseable POMs are skipped (the plugin reports them). */
export function pomFiles(artifact: Artifact): PomFile[] {
  let out = cache.get(artifact);
  if (out) return out;
  out = [];
  for (const f of artifact.files) {
    if (f.kind !== 'text' || !/(^|\/)pom\.xml$|\.pom$/.test(f.path)) continue;
    try {
      const pom = parsePom(f.data.toString('utf8'), f.path);
      out.push({ file: f, pom, active: isActivePom(artifact, f.path) });
    } catch {
      // not a POM
    }
  }
  cache.set(artifact, out);
  return out;
}
