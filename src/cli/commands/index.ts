import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerDb } from './db.js';
import { registerIndexService } from './index-service.js';
import { registerRules } from './rules.js';
import { registerScan } from './scan.js';
import { registerServe } from './serve.js';
import { registerWatch } from './watch.js';
import { registerWorker } from './worker.js';

/** A CLI subcommand module: adds itself to the program; its action sets the exit code. */
export type CommandRegistrar = (program: Command, setExit: (code: number) => void) => void;

/** Every `beagle` subcommand, one module each. */
export const COMMANDS: CommandRegistrar[] = [
  registerScan,
  registerRules,
  registerIndexService,
  registerWatch,
  registerWorker,
  registerServe,
  registerAudit,
  registerDb,
];
