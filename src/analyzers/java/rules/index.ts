import type { JavaRule } from '../engine.js';
import { dynamicClassLoading } from './class-loading.js';
import { coordinateMismatch, groupLookalike } from './coordinates.js';
import { credentialFiles } from './credential-files.js';
import { downloadExecute } from './download-execute.js';
import { encryptedBlob } from './encrypted-blob.js';
import { environmentHarvest } from './environment.js';
import { exfiltration } from './exfiltration.js';
import { jndiLookup } from './jndi.js';
import { nativeLoad } from './native-load.js';
import { networkAccess } from './network.js';
import { persistence } from './persistence.js';
import { pomBuildPlugins } from './pom-build-plugins.js';
import { processExec } from './process-exec.js';
import { reflectiveComputedName } from './reflection.js';
import { registeredEntry } from './registrations.js';
import { reverseShell } from './reverse-shell.js';
import { scriptEval } from './script-eval.js';
import { shortNames } from './short-names.js';
import { stringDecryption } from './string-decryption.js';
import { unreadableClass } from './unreadable.js';
import { unsafeAccess } from './unsafe.js';

/** Every Java/Maven rule, in id order. */
export const JAVA_RULES: JavaRule[] = [
  processExec,
  networkAccess,
  dynamicClassLoading,
  reflectiveComputedName,
  environmentHarvest,
  credentialFiles,
  jndiLookup,
  nativeLoad,
  unsafeAccess,
  downloadExecute,
  exfiltration,
  stringDecryption,
  shortNames,
  encryptedBlob,
  registeredEntry,
  pomBuildPlugins,
  groupLookalike,
  coordinateMismatch,
  unreadableClass,
  reverseShell,
  persistence,
  scriptEval,
];
