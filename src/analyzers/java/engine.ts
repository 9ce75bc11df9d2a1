/**
 * The Java rule engine: parses every class of an artifact once, interprets each method once,
 * works out when each method runs (static initializers, registered services, Spring
 * auto-configuration, agents, annotation processors, mojos, and what those call inside the
 * jar), then dispatches classes, methods, calls and strings to every rule's visitors.
 */
import type { ArtifactFile, ExecutionContext, Finding, PackageContext, RuleMeta } from '../../core/types.js';
import {
  contextRank,
  type EntryRole,
  type EntryRoot,
  javaEntryRoots,
  ROLE_CONTEXT,
  splitModule,
} from '../../ecosystems/maven/contexts.js';
import { type FindingInput, makeFinding } from '../../rules/finding.js';
import {
  ACC_STATIC,
  type ClassFile,
  lineAt,
  type MemberInfo,
  parseClassFile,
  returnType,
  simpleName,
} from './classfile.js';
import { foldable, foldDecryptor } from './fold.js';
import {
  type CallSite,
  type InterpretEnv,
  interpretMethod,
  knownString,
  type MethodSummary,
  type StringUse,
  type Value,
} from './interpret.js';

/** One parsed class of the artifact. */
export interface ClassUnit {
  file: ArtifactFile;
  cls: ClassFile;
  /** Archive prefix of the (possibly nested) jar holding the class. */
  module: string;
  /** Registrations naming this class. */
  roles: EntryRoot[];
  /** Language the class was compiled from, when recognisable. */
  language: 'java' | 'kotlin' | 'scala' | 'groovy';
  methods: MethodUnit[];
}

export interface MethodUnit {
  unit: ClassUnit;
  method: MemberInfo;
  summary: MethodSummary;
  context: ExecutionContext;
  /** Why the method runs in this context (`<clinit>`, `registered in META-INF/services/x`, `called from A.<clinit>`). */
  why?: string;
}

export interface JavaReport extends Omit<FindingInput, 'file' | 'context'> {
  /** Location: a method (class file, line, context and a `Class.method:` snippet prefix). */
  at?: MethodUnit;
  pc?: number;
  file?: string;
  context?: ExecutionContext;
  /** The pseudo-code after `Class.method: `. */
  code?: string;
}

export interface JavaRuleContext {
  pkg: PackageContext;
  jar: JarModel;
  report(input: JavaReport): void;
}

/** Handlers a rule registers; the engine calls them while visiting the artifact once. */
export interface JavaVisitor {
  class?(unit: ClassUnit): void;
  method?(m: MethodUnit): void;
  call?(call: CallSite, m: MethodUnit): void;
  string?(s: StringUse, m: MethodUnit): void;
  end?(): void;
}

export interface JavaRule {
  meta: RuleMeta;
  create(ctx: JavaRuleContext): JavaVisitor;
}

export interface JarModel {
  classes: ClassUnit[];
  roots: EntryRoot[];
  /** Class files that could not be parsed, with the reason. */
  unreadable: Array<{ file: string; error: string }>;
  byName: Map<string, ClassUnit>;
}

/** Whether an artifact file is a class file Beagle should read. */
export function isClassFile(f: ArtifactFile): boolean {
  return (
    f.binaryType === 'java-class' ||
    (f.path.endsWith('.class') && f.data.length >= 10 && f.data.readUInt32BE(0) === 0xcafebabe)
  );
}

function languageOf(cls: ClassFile): ClassUnit['language'] {
  if (cls.annotations.some((a) => a.type === 'Lkotlin/Metadata;')) return 'kotlin';
  if (cls.interfaces.includes('groovy/lang/GroovyObject')) return 'groovy';
  if (
    cls.sourceFile?.endsWith('.scala') ||
    cls.annotations.some((a) => a.type.startsWith('Lscala/reflect/ScalaSignature'))
  )
    return 'scala';
  if (cls.sourceFile?.endsWith('.kt')) return 'kotlin';
  if (cls.sourceFile?.endsWith('.groovy')) return 'groovy';
  return 'java';
}

/** A decryption/decoding routine: XOR over array elements or Cipher.doFinal, returning text or bytes. */
function isDecoder(s: MethodSummary): boolean {
  const ret = returnType(s.method.descriptor);
  if (ret !== 'Ljava/lang/String;' && ret !== '[B' && ret !== '[C') return false;
  return (
    s.xorOnElements > 0 ||
    s.calls.some((c) => c.ref.owner === 'javax/crypto/Cipher' && c.ref.name === 'doFinal')
  );
}

const SPRING_MANAGED = new Set<EntryRole>(['spring', 'processor', 'mojo', 'gradle-plugin']);

/** The execution context of a method from its class's registrations. */
function rootContext(unit: ClassUnit, m: MemberInfo): { context: ExecutionContext; why?: string } {
  let best: { context: ExecutionContext; why?: string } = { context: 'runtime' };
  const consider = (context: ExecutionContext, why: string) => {
    if (contextRank(context) > contextRank(best.context)) best = { context, why };
  };
  if (m.name === '<clinit>') consider('import', 'static initializer: runs when the class is first loaded');
  for (const r of unit.roles) {
    const ctx = ROLE_CONTEXT[r.role];
    const isCtor = m.name === '<init>' || m.name === '<clinit>';
    if (r.role === 'agent') {
      if (m.name === 'premain' || m.name === 'agentmain' || isCtor)
        consider(ctx, `Java agent entry (${r.registeredIn})`);
    } else if (r.role === 'main') {
      if (m.name === 'main') consider(ctx, `Main-Class (${r.registeredIn})`);
    } else if (SPRING_MANAGED.has(r.role)) {
      // Spring calls every @Bean method of an auto-configuration; javac/Maven/Gradle call the plugin's methods.
      if (!(m.access & ACC_STATIC) || isCtor) consider(ctx, `${r.role} registered in ${r.registeredIn}`);
    } else if (isCtor) consider(ctx, `${r.role} registered in ${r.registeredIn}`);
  }
  if (unit.cls.superName === 'org/apache/maven/plugin/AbstractMojo' && m.name === 'execute')
    consider('install', 'Maven plugin goal (extends AbstractMojo)');
  if (
    unit.cls.superName === 'javax/annotation/processing/AbstractProcessor' &&
    (m.name === 'process' || m.name === 'init')
  )
    consider('build', 'annotation processor (extends AbstractProcessor)');
  return best;
}

const MAX_PROPAGATION_DEPTH = 3;
const MAX_FOLDS = 2000;

/** Concrete form of a fully known abstract value, for folding; undefined when not fully known. */
function concrete(v: Value): string | number | { a: number[]; kind: string } | undefined {
  const s = knownString(v);
  if (s !== undefined) return s;
  if (v.n !== undefined && v.t === 'I') return v.n;
  if (v.arr && (v.t === '[B' || v.t === '[C')) {
    if (v.arr.bytes) return { a: [...v.arr.bytes].map((b) => (b << 24) >> 24), kind: v.t };
    const items = v.arr.items.map((i) => i?.n);
    if (items.length > 0 && items.every((n) => n !== undefined)) return { a: items as number[], kind: v.t };
  }
  return undefined;
}

/** Folds calls to the jar's own decryption routines on constant arguments, with a cache and a cap. */
function makeFolder(classes: ClassUnit[], decoders: Set<string>): InterpretEnv['fold'] {
  const targets = new Map<string, { cls: ClassFile; method: MemberInfo }>();
  for (const unit of classes)
    for (const m of unit.cls.methods) {
      const key = `${unit.cls.name}.${m.name}:${m.descriptor}`;
      if (decoders.has(key) && foldable(m)) targets.set(key, { cls: unit.cls, method: m });
    }
  const cache = new Map<string, string | undefined>();
  // One step budget for the whole jar bounds the work a hostile jar can cause.
  const budget = { steps: 2_000_000 };
  return (ref, args) => {
    const target = targets.get(`${ref.owner}.${ref.name}:${ref.descriptor}`);
    if (!target || cache.size >= MAX_FOLDS) return undefined;
    const values = args.map(concrete);
    if (values.some((v) => v === undefined)) return undefined;
    const key = `${ref.owner}.${ref.name}:${JSON.stringify(values)}`;
    if (!cache.has(key)) cache.set(key, foldDecryptor(target.cls, target.method, values as never[], budget));
    return cache.get(key);
  };
}

/** Parses and interprets every class, then assigns each method its execution context. */
export function buildJarModel(files: ArtifactFile[]): JarModel {
  const roots = javaEntryRoots(files);
  const rolesByClass = new Map<string, EntryRoot[]>();
  for (const r of roots) {
    const k = `${r.module}${r.className}`;
    rolesByClass.set(k, [...(rolesByClass.get(k) ?? []), r]);
  }
  const classes: ClassUnit[] = [];
  const unreadable: JarModel['unreadable'] = [];
  const byName = new Map<string, ClassUnit>();
  for (const file of files) {
    if (!isClassFile(file)) continue;
    let cls: ClassFile;
    try {
      cls = parseClassFile(file.data);
    } catch (err) {
      unreadable.push({ file: file.path, error: (err as Error).message });
      continue;
    }
    // module-info and package-info carry no code worth reading.
    const { module } = splitModule(file.path);
    const unit: ClassUnit = {
      file,
      cls,
      module,
      roles: rolesByClass.get(`${module}${cls.name.replace(/\//g, '.')}`) ?? [],
      language: languageOf(cls),
      methods: [],
    };
    classes.push(unit);
    byName.set(`${module}${cls.name}`, unit);
  }

  // Interpret: <clinit> first so static fields it fills are known to the other methods.
  const envs = new Map<ClassUnit, InterpretEnv>();
  const decoders = new Set<string>();
  const interpretAll = (unit: ClassUnit, env: InterpretEnv): MethodUnit[] => {
    const ordered = [...unit.cls.methods].sort(
      (a, b) => Number(b.name === '<clinit>') - Number(a.name === '<clinit>'),
    );
    const out: MethodUnit[] = [];
    for (const m of ordered) {
      let summary: MethodSummary;
      try {
        summary = interpretMethod(unit.cls, m, env);
      } catch (err) {
        unreadable.push({ file: unit.file.path, error: `${m.name}: ${(err as Error).message}` });
        continue;
      }
      out.push({ unit, method: m, summary, ...rootContext(unit, m) });
    }
    return out;
  };
  for (const unit of classes) {
    const env: InterpretEnv = { statics: new Map(), decoders };
    envs.set(unit, env);
    unit.methods = interpretAll(unit, env);
    for (const m of unit.methods)
      if (isDecoder(m.summary)) decoders.add(`${unit.cls.name}.${m.method.name}:${m.method.descriptor}`);
  }
  // Second pass for callers of decoders, so decrypted values carry their provenance and,
  // where the routine is simple enough to fold, their plain text.
  if (decoders.size > 0) {
    const fold = makeFolder(classes, decoders);
    for (const unit of classes) {
      const callsDecoder = unit.methods.some((m) =>
        m.summary.calls.some((c) => decoders.has(`${c.ref.owner}.${c.ref.name}:${c.ref.descriptor}`)),
      );
      if (callsDecoder) unit.methods = interpretAll(unit, { statics: new Map(), decoders, fold });
    }
  }

  // Propagate early contexts along calls into the jar's own code.
  const methodIndex = new Map<string, MethodUnit[]>();
  for (const unit of classes)
    for (const m of unit.methods) {
      const k = `${unit.module}${unit.cls.name}.${m.method.name}`;
      methodIndex.set(k, [...(methodIndex.get(k) ?? []), m]);
    }
  let frontier = classes.flatMap((u) => u.methods).filter((m) => m.context !== 'runtime');
  for (let depth = 0; depth < MAX_PROPAGATION_DEPTH && frontier.length > 0; depth++) {
    const next: MethodUnit[] = [];
    for (const caller of frontier) {
      for (const call of caller.summary.calls) {
        const targets = methodIndex.get(`${caller.unit.module}${call.ref.owner}.${call.ref.name}`) ?? [];
        for (const t of targets) {
          if (t.method.descriptor !== call.ref.descriptor) continue;
          if (contextRank(caller.context) <= contextRank(t.context)) continue;
          t.context = caller.context;
          t.why = `called from ${simpleName(caller.unit.cls.name)}.${caller.method.name} (${caller.why ?? caller.context})`;
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  return { classes, roots, unreadable, byName };
}

/** `com/x/Init.<clinit>` */
export function methodLabel(m: MethodUnit): string {
  return `${m.unit.cls.name}.${m.method.name}`;
}

/** Runs the rules over a jar model and returns their findings. */
export function runJavaRules(pkg: PackageContext, jar: JarModel, rules: JavaRule[]): Finding[] {
  const findings: Finding[] = [];
  const visitors = rules.map((rule) => {
    const ctx: JavaRuleContext = {
      pkg,
      jar,
      report(input) {
        const { at, pc, code, ...rest } = input;
        const line = at && pc !== undefined && at.method.code ? lineFor(at, pc) : undefined;
        const f = makeFinding(rule.meta, {
          ...rest,
          file: input.file ?? at?.unit.file.path,
          line: input.line ?? line,
          context: input.context ?? at?.context ?? 'unknown',
          snippet: input.snippet ?? (at && code ? `${methodLabel(at)}: ${code}` : undefined),
        });
        if (at)
          f.evidence = {
            class: at.unit.cls.name,
            method: at.method.name,
            ...(at.why ? { runs: at.why } : {}),
            ...f.evidence,
          };
        findings.push(f);
      },
    };
    return rule.create(ctx);
  });
  for (const unit of jar.classes) {
    for (const v of visitors) v.class?.(unit);
    for (const m of unit.methods) {
      for (const v of visitors) v.method?.(m);
      for (const call of m.summary.calls) for (const v of visitors) v.call?.(call, m);
      for (const s of m.summary.strings) for (const v of visitors) v.string?.(s, m);
    }
  }
  for (const v of visitors) v.end?.();
  return findings;
}

function lineFor(m: MethodUnit, pc: number): number | undefined {
  return lineAt(m.method.code!, pc);
}
