import type { Command } from 'commander';

/** A CLI subcommand module: adds itself to the program; its action sets the exit code. */
export type CommandRegistrar = (program: Command, setExit: (code: number) => void) => void;

/**
 * Every `beagle` subcommand, one module each, loaded on demand: `beagle scan` never loads the
 * index service's HTTP server and database drivers, which keeps start-up fast.
 */
export const COMMAND_MODULES: Array<{ names: string[]; load: () => Promise<CommandRegistrar> }> = [
  { names: ['scan'], load: async () => (await import('./scan.js')).registerScan },
  { names: ['rules', 'explain'], load: async () => (await import('./rules.js')).registerRules },
  { names: ['audit'], load: async () => (await import('./audit.js')).registerAudit },
  { names: ['db'], load: async () => (await import('./db.js')).registerDb },
  { names: ['index'], load: async () => (await import('./index-service.js')).registerIndexService },
  { names: ['watch'], load: async () => (await import('./watch.js')).registerWatch },
  { names: ['worker'], load: async () => (await import('./worker.js')).registerWorker },
  { names: ['serve'], load: async () => (await import('./serve.js')).registerServe },
];

/** The registrars needed for an argv: only the named subcommand's, or all of them (help, unknown). */
export async function commandsFor(argv: string[]): Promise<CommandRegistrar[]> {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = COMMAND_MODULES.filter((m) => name !== undefined && m.names.includes(name));
  return Promise.all((wanted.length > 0 ? wanted : COMMAND_MODULES).map((m) => m.load()));
}
