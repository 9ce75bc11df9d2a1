import type { JsRule } from '../engine.js';
import { browserHijack } from './browser-hijack.js';
import { destruction } from './destruction.js';
import { downloadToDisk } from './download-to-disk.js';
import { downloadExecute } from './dropper.js';
import { dynamicCode } from './dynamic-code.js';
import { encodedPayload } from './encoded-payload.js';
import { suspiciousEndpoints } from './endpoints.js';
import { envDump } from './env-dump.js';
import { evasion } from './evasion.js';
import { networkAccess } from './network.js';
import { obfuscation } from './obfuscation.js';
import { persistenceWrite } from './persistence.js';
import { processExec } from './process-exec.js';
import { systemRecon } from './recon.js';
import { reconBeacon } from './recon-beacon.js';
import { remoteCode } from './remote-code.js';
import { repoAbuse } from './repo-abuse.js';
import { reverseShell } from './reverse-shell.js';
import { scriptDropper } from './script-dropper.js';
import { secretExfiltration } from './secret-exfiltration.js';
import { sensitiveFile } from './sensitive-file.js';
import { silentFailure } from './silent-failure.js';
import { trojanSource } from './trojan-source.js';

/** Every JavaScript rule; the engine runs them all in one traversal per file. */
export const JS_RULES: JsRule[] = [
  processExec,
  networkAccess,
  envDump,
  sensitiveFile,
  dynamicCode,
  encodedPayload,
  suspiciousEndpoints,
  systemRecon,
  obfuscation,
  downloadExecute,
  secretExfiltration,
  reconBeacon,
  remoteCode,
  downloadToDisk,
  scriptDropper,
  trojanSource,
  persistenceWrite,
  reverseShell,
  destruction,
  evasion,
  browserHijack,
  repoAbuse,
  silentFailure,
];
