import type { JavaRule } from '../engine.js';
import { java, renderCall } from './helpers.js';

const UNSAFE = new Set(['sun/misc/Unsafe', 'jdk/internal/misc/Unsafe']);
const RAW_MEMORY =
  /^(putAddress|putLong|putInt|putObject|copyMemory|allocateInstance|defineClass|defineAnonymousClass|putByte)$/;

/** Records use of sun.misc.Unsafe: raw memory writes and class definition outside the JVM's checks. */
export const unsafeAccess: JavaRule = {
  meta: {
    ...java,
    id: 'JAVA-009',
    name: 'java-unsafe-access',
    category: 'evasion',
    severity: 'info',
    confidence: 'medium',
    description:
      'Bytecode calls sun.misc.Unsafe / jdk.internal.misc.Unsafe (raw memory, allocateInstance, defineClass).',
    rationale:
      'Unsafe bypasses access checks and the security model: it can patch fields of the JDK itself, define classes without a class loader, or disable protections.',
    falsePositives:
      'High-performance libraries (Netty, Guava, Kryo, LMAX, serializers) use Unsafe for speed. Informational unless combined with other evidence.',
    example: 'unsafe.putObject(target, offset, value)',
    references: ['https://blogs.oracle.com/javamagazine/post/the-unsafe-class-unsafe-at-any-speed'],
  },
  create(ctx) {
    const seen = new Set<string>();
    return {
      call(call, m) {
        if (!UNSAFE.has(call.ref.owner) || !RAW_MEMORY.test(call.ref.name)) return;
        if (seen.has(m.unit.file.path)) return;
        seen.add(m.unit.file.path);
        ctx.report({
          at: m,
          pc: call.pc,
          code: renderCall(call),
          message: `Uses Unsafe.${call.ref.name} (bypasses JVM access checks).`,
        });
      },
    };
  },
};
