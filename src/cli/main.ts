import { Command, CommanderError } from 'commander';
import { commandsFor } from './commands/index.js';
import { VERSION } from './version.js';

/** Runs the CLI and resolves to the process exit code (0 clean, 1 verdict reached --fail-on, 2 error). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('beagle')
    .description('Sniffs out malicious npm, PyPI and Maven packages before they run.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of await commandsFor(argv))
    register(program, (code) => (exitCode = Math.max(exitCode, code)));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    throw err;
  }
  return exitCode;
}
