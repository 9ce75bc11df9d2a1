import type { JavaRule } from '../engine.js';
import { java } from './helpers.js';

/** Reports class files the reader could not parse: their code was not analysed. */
export const unreadableClass: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-019',
    name: 'java-unreadable-class',
    category: 'evasion',
    severity: 'low',
    confidence: 'low',
    description: 'A .class file is malformed or uses an unsupported format and could not be analysed.',
    rationale:
      'Some obfuscators and loaders ship deliberately malformed or encrypted "class" files that only a custom class loader can read; either way their code was not reviewed.',
    falsePositives:
      'Class files for a JVM newer than Beagle knows; multi-release jars with experimental versions.',
    example: 'com/x/Payload.class starting with random bytes instead of 0xCAFEBABE',
    references: ['https://docs.oracle.com/javase/specs/jvms/se21/html/jvms-4.html'],
  },
  create(ctx) {
    return {
      end() {
        const byFile = new Map<string, string>();
        for (const u of ctx.jar.unreadable) if (!byFile.has(u.file)) byFile.set(u.file, u.error);
        let n = 0;
        for (const [file, error] of byFile) {
          if (n++ >= 5) break;
          ctx.report({
            file,
            context: 'runtime',
            message: `${file} could not be read as a class file (${error}); its code was not analysed.`,
            evidence: { error },
          });
        }
        // .class entries that are not class files at all
        for (const f of ctx.pkg.artifact.files) {
          if (!f.path.endsWith('.class') || f.binaryType === 'java-class' || f.data.length < 4) continue;
          if (f.data.readUInt32BE(0) === 0xcafebabe) continue;
          if (n++ >= 5) break;
          ctx.report({
            file: f.path,
            context: 'runtime',
            severity: 'medium',
            message: `${f.path} is named .class but is not a class file (no 0xCAFEBABE header): possibly an encrypted class for a custom loader.`,
          });
        }
      },
    };
  },
};
