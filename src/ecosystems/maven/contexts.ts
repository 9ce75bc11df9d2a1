/**
 * When the code of a jar runs without anyone calling it: the registrations the JVM, Spring,
 * javac, Maven and Gradle read from a jar's metadata. Each registration names a class; the
 * Java analyzer turns these roots into per-method execution contexts.
 */
import type { Artifact, ArtifactFile, ExecutionContext, PackageContext } from '../../core/types.js';

export type EntryRole =
  | 'service' // META-INF/services/<interface>: ServiceLoader instantiates it
  | 'spring' // spring.factories / AutoConfiguration.imports: Spring Boot instantiates it at start-up
  | 'agent' // Premain-Class / Agent-Class / Launcher-Agent-Class: runs before main, with Instrumentation
  | 'processor' // javax.annotation.processing.Processor: javac runs it while compiling the consumer
  | 'mojo' // Maven plugin goal: runs inside the consumer's build
  | 'gradle-plugin' // META-INF/gradle-plugins: runs inside the consumer's build
  | 'main'; // Main-Class: runs when the jar is launched

export interface EntryRoot {
  /** Dotted class name as written in the registration. */
  className: string;
  role: EntryRole;
  /** The file that registers it. */
  registeredIn: string;
  /** Archive prefix (`WEB-INF/lib/a.jar!/`) of the module the registration belongs to; '' for the top level. */
  module: string;
}

/** How early each role's code runs. */
export const ROLE_CONTEXT: Record<EntryRole, ExecutionContext> = {
  service: 'import',
  spring: 'import',
  agent: 'startup',
  processor: 'build',
  // Maven/Gradle plugins are the build tool's install hooks (see ExecutionContext in core/types).
  mojo: 'install',
  'gradle-plugin': 'install',
  main: 'runtime',
};

export const ROLE_DESCRIPTION: Record<EntryRole, string> = {
  service:
    'registered as a java.util.ServiceLoader provider (instantiated when the host looks up the service)',
  spring: 'registered as Spring Boot auto-configuration (instantiated at application start-up)',
  agent: 'declared as a Java agent (runs before main with full Instrumentation access)',
  processor:
    'registered as an annotation processor (javac runs it while compiling any project that depends on the jar)',
  mojo: 'a Maven plugin goal (runs inside the build of projects that use the plugin)',
  'gradle-plugin': 'a Gradle plugin (runs inside the build of projects that apply it)',
  main: 'the jar Main-Class',
};

/** Splits `a.jar!/b.jar!/META-INF/x` into the module prefix `a.jar!/b.jar!/` and the inner path. */
export function splitModule(path: string): { module: string; inner: string } {
  const i = path.lastIndexOf('!/');
  return i < 0 ? { module: '', inner: path } : { module: path.slice(0, i + 2), inner: path.slice(i + 2) };
}

/** Roots of web apps and Spring Boot fat jars whose META-INF counts as the module's own. */
const CLASS_ROOTS = /^(?:WEB-INF\/classes\/|BOOT-INF\/classes\/)?/;

/** Parses a JAR manifest (continuation lines start with one space). */
export function parseManifest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.startsWith(' ') && last) {
      out[last] += raw.slice(1);
      continue;
    }
    if (raw.trim() === '') {
      if (Object.keys(out).length > 0) break; // main section only
      continue;
    }
    const i = raw.indexOf(':');
    if (i <= 0) continue;
    last = raw.slice(0, i).trim();
    out[last] = raw.slice(i + 1).trim();
  }
  return out;
}

function classNames(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((l) => l.replace(/#.*/, '').replace(/\\$/, '').trim())
    .filter((l) => /^[\w$.]+$/.test(l) && l.includes('.'));
}

function propertiesValues(text: string): Array<[string, string[]]> {
  const joined = text.replace(/\\\r?\n\s*/g, '');
  const out: Array<[string, string[]]> = [];
  for (const line of joined.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(t);
    if (m) out.push([m[1]!, classNames(m[2]!)]);
  }
  return out;
}

/** Every registration in the artifact that makes code run without an explicit call. */
export function javaEntryRoots(files: ArtifactFile[]): EntryRoot[] {
  const roots: EntryRoot[] = [];
  for (const f of files) {
    if (f.kind !== 'text') continue;
    const { module, inner: full } = splitModule(f.path);
    const inner = full.replace(CLASS_ROOTS, '');
    const add = (className: string, role: EntryRole) =>
      roots.push({ className, role, registeredIn: f.path, module });
    if (inner.startsWith('META-INF/services/')) {
      const iface = inner.slice('META-INF/services/'.length);
      if (!iface || iface.includes('/')) continue;
      const role: EntryRole = iface === 'javax.annotation.processing.Processor' ? 'processor' : 'service';
      for (const c of classNames(f.data.toString('utf8'))) add(c, role);
    } else if (inner === 'META-INF/spring.factories') {
      for (const [, classes] of propertiesValues(f.data.toString('utf8')))
        for (const c of classes) add(c, 'spring');
    } else if (/^META-INF\/spring\/.+\.imports$/.test(inner)) {
      for (const c of classNames(f.data.toString('utf8'))) add(c, 'spring');
    } else if (inner === 'META-INF/MANIFEST.MF') {
      const m = parseManifest(f.data.toString('utf8'));
      for (const key of ['Premain-Class', 'Agent-Class', 'Launcher-Agent-Class'])
        if (m[key]) add(m[key]!, 'agent');
      if (m['Main-Class']) add(m['Main-Class']!, 'main');
      // Spring Boot launchers name the application class separately.
      if (m['Start-Class']) add(m['Start-Class']!, 'main');
    } else if (inner === 'META-INF/maven/plugin.xml') {
      for (const m of f.data.toString('utf8').matchAll(/<implementation>\s*([\w$.]+)\s*<\/implementation>/g))
        add(m[1]!, 'mojo');
    } else if (/^META-INF\/gradle-plugins\/.+\.properties$/.test(inner)) {
      for (const [k, classes] of propertiesValues(f.data.toString('utf8')))
        if (k === 'implementation-class') for (const c of classes) add(c, 'gradle-plugin');
    }
  }
  return roots;
}

const ORDER: ExecutionContext[] = ['unknown', 'runtime', 'build', 'import', 'startup', 'install'];
/** Higher is more dangerous: install > startup > import > build > runtime > unknown. */
export function contextRank(ctx: ExecutionContext): number {
  return ORDER.indexOf(ctx);
}

/**
 * File-level contexts of a Maven artifact: registered classes run at import/startup/build,
 * POM build plugins at install; other classes at runtime. The Java analyzer refines this per method.
 */
export function mavenPackageContext(artifact: Artifact): PackageContext {
  const entryPoints = new Map<string, ExecutionContext>();
  const byModuleClass = new Map<string, string>();
  for (const f of artifact.files) {
    if (!f.path.endsWith('.class')) continue;
    const { module, inner } = splitModule(f.path);
    const name = inner
      .replace(CLASS_ROOTS, '')
      .replace(/\.class$/, '')
      .replace(/\//g, '.');
    byModuleClass.set(`${module}${name}`, f.path);
  }
  for (const root of javaEntryRoots(artifact.files)) {
    const file = byModuleClass.get(`${root.module}${root.className}`);
    if (!file) continue;
    const ctx = ROLE_CONTEXT[root.role];
    const cur = entryPoints.get(file);
    if (!cur || contextRank(ctx) > contextRank(cur)) entryPoints.set(file, ctx);
  }
  // POMs are not code entry points (other analyzers would try to parse them); their build
  // section runs at install when Maven builds this project, which isActivePom decides.
  return {
    artifact,
    entryPoints,
    contextOf: (p) => entryPoints.get(p) ?? (isActivePom(artifact, p) ? 'install' : 'runtime'),
  };
}

/**
 * Whether a POM's <build> runs when this artifact is used: a project's own pom.xml or a .pom
 * file given directly, or a parent POM (`packaging` pom) from a repository. The build section of
 * a jar's repository POM, and copies under META-INF/maven/, do not run for consumers.
 */
export function isActivePom(artifact: Artifact, path: string): boolean {
  if (!/(^|\/)pom\.xml$|\.pom$/.test(path) || path.includes('META-INF/maven/') || path.includes('!/'))
    return false;
  if (artifact.source.type !== 'registry') return true;
  return artifact.manifest.packaging === 'pom';
}
