import { ROLE_DESCRIPTION } from '../../../ecosystems/maven/contexts.js';
import type { JavaRule } from '../engine.js';
import { java } from './helpers.js';

/** Lists the classes a jar registers to run without being called (informational, explains contexts). */
export const registeredEntry: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-015',
    name: 'java-auto-run-registration',
    category: 'packaging',
    severity: 'info',
    confidence: 'high',
    description:
      'The jar registers classes that run without an explicit call: ServiceLoader providers, Spring Boot auto-configuration, Java agents, annotation processors, Maven/Gradle plugins.',
    rationale:
      'These registrations are how a dependency gets its code run at application start-up or inside the build; Beagle weighs findings in those classes (and what they call) as early-running code.',
    falsePositives: 'Every plugin-style library registers something; this finding is informational.',
    example:
      'META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports: com.x.EvilAutoConfiguration',
    references: [
      'https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/ServiceLoader.html',
      'https://docs.spring.io/spring-boot/reference/features/developing-auto-configuration.html',
      'https://docs.oracle.com/en/java/javase/17/docs/api/java.instrument/java/lang/instrument/package-summary.html',
    ],
  },
  create(ctx) {
    return {
      end() {
        const present = new Set(ctx.jar.classes.map((u) => `${u.module}${u.cls.name.replace(/\//g, '.')}`));
        let n = 0;
        for (const r of ctx.jar.roots) {
          if (r.role === 'main' || !present.has(`${r.module}${r.className}`) || n++ >= 10) continue;
          ctx.report({
            file: r.registeredIn,
            context: 'runtime',
            message: `${r.className} is ${ROLE_DESCRIPTION[r.role]}.`,
            evidence: { class: r.className, role: r.role },
          });
        }
      },
    };
  },
};
