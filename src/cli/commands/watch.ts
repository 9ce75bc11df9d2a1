import type { CommandRegistrar } from './index.js';
import { addIndexOptions, runUntilSignal } from './index-service.js';

export const registerWatch: CommandRegistrar = (program, setExit) => {
  addIndexOptions(
    program
      .command('watch')
      .description(
        'Follow the npm, PyPI and Maven Central feeds and enqueue every new release for scanning.',
      ),
    { watch: true },
  ).action((opts) => runUntilSignal(opts, { watch: true, work: false, serve: false }, setExit));
};
