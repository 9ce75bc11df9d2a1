import type { CommandRegistrar } from './index.js';
import { addIndexOptions, runUntilSignal } from './index-service.js';

export const registerServe: CommandRegistrar = (program, setExit) => {
  addIndexOptions(
    program
      .command('serve')
      .description('Serve the index HTTP API (OpenAPI: docs/openapi.yaml) and web dashboard.'),
    { serve: true },
  ).action((opts) => runUntilSignal(opts, { watch: false, work: false, serve: true }, setExit));
};
