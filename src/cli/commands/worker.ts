import type { CommandRegistrar } from './index.js';
import { addIndexOptions, runUntilSignal } from './index-service.js';

export const registerWorker: CommandRegistrar = (program, setExit) => {
  addIndexOptions(
    program
      .command('worker')
      .description('Take scan jobs from the index queue, scan the artifacts and store the verdicts.'),
    { work: true },
  ).action((opts) => runUntilSignal(opts, { watch: false, work: true, serve: false }, setExit));
};
