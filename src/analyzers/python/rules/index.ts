import type { PyRule } from '../engine.js';
import { destructive, persistence, reverseShell } from './backdoor.js';
import { dynamicCode, execEncodedPayload, remoteCode } from './code-exec.js';
import { credentialAccess, spyware } from './credentials.js';
import {
  dataExfiltration,
  downloadAndRun,
  hostFingerprint,
  networkAtLoad,
  pythonEndpoints,
} from './network.js';
import { obfuscatedCode } from './obfuscation.js';
import { hiddenProcess, processExec, runtimePipInstall } from './process.js';
import { cmdclassOverride } from './setup.js';

/** Every visitor-based Python rule; the engine walks each file once for all of them. */
export const PY_RULES: PyRule[] = [
  execEncodedPayload,
  dynamicCode,
  remoteCode,
  processExec,
  downloadAndRun,
  networkAtLoad,
  hostFingerprint,
  dataExfiltration,
  credentialAccess,
  reverseShell,
  persistence,
  spyware,
  destructive,
  obfuscatedCode,
  cmdclassOverride,
  runtimePipInstall,
  hiddenProcess,
  pythonEndpoints,
];
