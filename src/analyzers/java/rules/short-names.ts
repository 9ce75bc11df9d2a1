import type { JavaRule } from '../engine.js';
import { java } from './helpers.js';

const MIN_CLASSES = 12;

/** Flags jars whose classes mostly have one- or two-letter names, unless the jar says it is obfuscated. */
export const shortNames: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-013',
    name: 'java-identifier-obfuscation',
    category: 'obfuscation',
    severity: 'medium',
    confidence: 'low',
    description:
      'Most classes (and their methods) have one- or two-character names (a.class, b.class), the signature of ProGuard/Allatori-style renaming, in a jar that does not declare it.',
    rationale:
      'Open-source artifacts on Maven Central publish readable bytecode; renamed identifiers in a library hide what it does from review and are common in repackaged malware.',
    falsePositives:
      'Android libraries shrunk with R8/ProGuard and commercial SDKs that ship obfuscated (jars with a ProGuard mapping or an Obfuscated manifest attribute are not reported). Kotlin/Scala synthetic classes (`$1`, `$anonfun`) are ignored.',
    example: 'a/a.class, a/b.class, a/c.class … with methods a(), b(), c()',
    references: ['https://www.guardsquare.com/manual/configuration/usage#obfuscationoptions'],
  },
  create(ctx) {
    return {
      end() {
        const files = ctx.pkg.artifact.files;
        const declared = files.some(
          (f) =>
            /proguard|mapping\.txt$|allatori|zelix|dasho/i.test(f.path) ||
            (f.path.endsWith('META-INF/MANIFEST.MF') && /obfuscat/i.test(f.data.toString('latin1'))),
        );
        if (declared) return;
        const byModule = new Map<
          string,
          { total: number; short: number; shortMethods: number; methods: number; example?: string }
        >();
        for (const unit of ctx.jar.classes) {
          const simple = unit.cls.name.slice(unit.cls.name.lastIndexOf('/') + 1);
          if (simple.includes('$') || simple === 'package-info' || simple === 'module-info') continue;
          const s = byModule.get(unit.module) ?? { total: 0, short: 0, shortMethods: 0, methods: 0 };
          s.total++;
          if (simple.length <= 2) {
            s.short++;
            s.example ??= unit.file.path;
          }
          for (const m of unit.cls.methods) {
            if (m.name.startsWith('<') || m.name.includes('$')) continue;
            s.methods++;
            if (m.name.length <= 2) s.shortMethods++;
          }
          byModule.set(unit.module, s);
        }
        for (const [module, s] of byModule) {
          if (
            s.total < MIN_CLASSES ||
            s.short / s.total < 0.6 ||
            s.shortMethods / Math.max(1, s.methods) < 0.5
          )
            continue;
          ctx.report({
            file: s.example,
            context: 'runtime',
            message: `${s.short} of ${s.total} classes${module ? ` in ${module.slice(0, -2)}` : ''} have 1–2 character names and ${s.shortMethods} of ${s.methods} methods too: renamed (obfuscated) bytecode.`,
            evidence: {
              classes: s.total,
              shortClasses: s.short,
              methods: s.methods,
              shortMethods: s.shortMethods,
            },
          });
        }
      },
    };
  },
};
