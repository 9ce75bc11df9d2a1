import type { ArtifactFile } from '../../../core/types.js';
import { type PomModel, parsePom } from '../../../ecosystems/maven/pom.js';

export interface PomFile {
  file: ArtifactFile;
  pom: PomModel;
  /** True for the POM Maven builds with (top-level pom.xml or a .pom); false for copies under META-INF/maven/. */
  active: boolean;
}

const cache = new WeakMap<ArtifactFile[], PomFile[]>();

/** The artifact's POMs, parsed once per artifact; unparseable POMs are skipped (the plugin reports them). */
export function pomFiles(files: ArtifactFile[]): PomFile[] {
  let out = cache.get(files);
  if (out) return out;
  out = [];
  for (const f of files) {
    if (f.kind !== 'text' || !/(^|\/)pom\.xml$|\.pom$/.test(f.path)) continue;
    try {
      const pom = parsePom(f.data.toString('utf8'), f.path);
      out.push({ file: f, pom, active: !f.path.includes('META-INF/maven/') && !f.path.includes('!/') });
    } catch {
      // not a POM
    }
  }
  cache.set(files, out);
  return out;
}
