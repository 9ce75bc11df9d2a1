import type { ExecutionContext } from '../../../core/types.js';
import type { MemberRef } from '../classfile.js';
import type { CallSite, Taint, Value } from '../interpret.js';
import { describeValue } from '../interpret.js';

/** Shared RuleMeta fields of the Java analyzer's rules. */
export const java = { analyzer: 'java', ecosystems: ['maven'] } as const;

/** `java/lang/Runtime` + `exec` -> `Runtime.exec`. */
export function shortCall(ref: MemberRef): string {
  const owner = ref.owner.slice(ref.owner.lastIndexOf('/') + 1).replace(/\$/g, '.');
  return ref.name === '<init>' ? `new ${owner}` : `${owner}.${ref.name}`;
}

/** Pseudo-code of a call with its known arguments: `Runtime.exec("curl …")`. */
export function renderCall(call: CallSite): string {
  return `${shortCall(call.ref)}(${call.args.map((a) => describeValue(a, 80)).join(', ')})`;
}

/** Whether a call targets owner.name (name may be a list). */
export function calls(call: CallSite, owner: string, ...names: string[]): boolean {
  return call.ref.owner === owner && (names.length === 0 || names.includes(call.ref.name));
}

/** Provenance of a value or its receiver. */
export function taintOf(...values: Array<Value | undefined>): Set<Taint> {
  const out = new Set<Taint>();
  for (const v of values) for (const t of v?.src ?? []) out.add(t);
  return out;
}

/** Code that runs without the host application calling into the library. */
export function isEarly(ctx: ExecutionContext): boolean {
  return ctx === 'install' || ctx === 'startup' || ctx === 'import' || ctx === 'build';
}

export const CONTEXT_PHRASE: Record<ExecutionContext, string> = {
  install: 'at build/install time',
  startup: 'at JVM start-up',
  import: 'as soon as the class is loaded',
  build: 'inside the build (compiler or build tool)',
  runtime: 'when called',
  unknown: '',
};

/** Calls whose URL comes from the class path or the file system, not the network. */
const LOCAL_URL_ORIGIN = /getResource|getSystemResource|findResource|toURL|getLocation|getCodeSource/;

/** Whether a URL value is local: a `file:`/`jar:` literal or a class-path resource. */
export function isLocalUrl(v: Value | undefined): boolean {
  if (!v) return false;
  if (v.s !== undefined) return /^(file|jar|jrt|classpath):/i.test(v.s);
  return v.from !== undefined && LOCAL_URL_ORIGIN.test(v.from);
}

/**
 * Whether a call fetches from the network: `remote` for a known http/ftp URL or a socket/HTTP
 * client, `unknown` for a URL of unknown origin, undefined for local resources and non-fetches.
 */
export function fetchKind(call: CallSite): 'remote' | 'unknown' | undefined {
  const { owner, name } = call.ref;
  if (owner === 'java/net/URL' && (name === 'openStream' || name === 'openConnection')) {
    if (isLocalUrl(call.receiver)) return undefined;
    return call.receiver?.s !== undefined && /^(https?|ftp):/i.test(call.receiver.s) ? 'remote' : 'unknown';
  }
  if (owner === 'org/apache/commons/io/FileUtils' && name === 'copyURLToFile') {
    const url = call.args[0];
    if (isLocalUrl(url)) return undefined;
    return url?.s !== undefined && /^(https?|ftp):/i.test(url.s) ? 'remote' : 'unknown';
  }
  return isNetworkRead(call) ? 'remote' : undefined;
}

/** Calls that open a network connection or resolve a host. */
export function isNetworkCall(call: CallSite): boolean {
  const { owner, name } = call.ref;
  if (owner === 'java/net/URL')
    return (
      (name === 'openConnection' || name === 'openStream' || name === 'getContent') &&
      !isLocalUrl(call.receiver)
    );
  if (
    owner === 'java/net/URLConnection' ||
    owner === 'java/net/HttpURLConnection' ||
    owner === 'javax/net/ssl/HttpsURLConnection'
  )
    return name === 'connect' || name === 'getInputStream' || name === 'getOutputStream';
  if (owner === 'java/net/http/HttpClient') return name === 'send' || name === 'sendAsync';
  if (owner === 'java/net/Socket' || owner === 'javax/net/ssl/SSLSocket')
    return name === '<init>' || name === 'connect';
  if (owner === 'java/net/DatagramSocket') return name === 'send';
  if (owner === 'java/nio/channels/SocketChannel') return name === 'open' || name === 'connect';
  if (owner === 'java/net/InetAddress') return name === 'getByName' || name === 'getAllByName';
  if (owner === 'okhttp3/Call') return name === 'execute' || name === 'enqueue';
  if (
    owner === 'org/apache/http/client/HttpClient' ||
    owner === 'org/apache/http/impl/client/CloseableHttpClient'
  )
    return name === 'execute';
  return false;
}

/** Calls that read bytes from the network. */
export function isNetworkRead(call: CallSite): boolean {
  const { owner, name } = call.ref;
  return (
    (owner === 'org/apache/commons/io/FileUtils' && name === 'copyURLToFile' && !isLocalUrl(call.args[0])) ||
    (owner === 'java/net/URL' &&
      (name === 'openStream' || name === 'openConnection') &&
      !isLocalUrl(call.receiver)) ||
    (owner === 'java/net/http/HttpClient' && name.startsWith('send')) ||
    ((owner === 'java/net/URLConnection' || owner === 'java/net/HttpURLConnection') &&
      name === 'getInputStream') ||
    (owner === 'java/net/Socket' && name === 'getInputStream') ||
    (owner === 'okhttp3/Call' && name === 'execute')
  );
}

/** Calls that write a file. */
export function isFileWrite(call: CallSite): boolean {
  const { owner, name } = call.ref;
  return (
    (owner === 'java/nio/file/Files' &&
      /^(copy|write|writeString|newOutputStream|newBufferedWriter)$/.test(name)) ||
    ((owner === 'java/io/FileOutputStream' ||
      owner === 'java/io/FileWriter' ||
      owner === 'java/io/RandomAccessFile') &&
      name === '<init>') ||
    (owner === 'java/nio/channels/FileChannel' && name === 'transferFrom') ||
    (owner === 'java/net/http/HttpResponse$BodyHandlers' && name === 'ofFile') ||
    (owner === 'org/apache/commons/io/FileUtils' &&
      (name === 'copyURLToFile' || name === 'copyInputStreamToFile' || name === 'writeByteArrayToFile'))
  );
}

/** Calls that start a process. */
export function isProcessStart(call: CallSite): boolean {
  const { owner, name } = call.ref;
  return (
    (owner === 'java/lang/Runtime' && name === 'exec') ||
    (owner === 'java/lang/ProcessBuilder' && (name === 'start' || name === '<init>' || name === 'command'))
  );
}

/** Calls that make a file executable. */
export function isMakeExecutable(call: CallSite): boolean {
  const { owner, name } = call.ref;
  return (
    (owner === 'java/io/File' && name === 'setExecutable') ||
    (owner === 'java/nio/file/Files' && name === 'setPosixFilePermissions')
  );
}

/** Calls that load native or JVM code. */
export function isCodeLoad(call: CallSite): boolean {
  const { owner, name } = call.ref;
  return (
    ((owner === 'java/lang/System' || owner === 'java/lang/Runtime') &&
      (name === 'load' || name === 'loadLibrary')) ||
    name === 'defineClass' ||
    name === 'defineHiddenClass' ||
    (owner === 'java/net/URLClassLoader' && (name === '<init>' || name === 'newInstance'))
  );
}

/** Calls that read files. */
export function isFileRead(call: CallSite): boolean {
  const { owner, name } = call.ref;
  return (
    (owner === 'java/nio/file/Files' &&
      /^(readAllBytes|readString|readAllLines|lines|newInputStream|newBufferedReader|isReadable|exists|walk|list)$/.test(
        name,
      )) ||
    ((owner === 'java/io/FileInputStream' ||
      owner === 'java/io/FileReader' ||
      owner === 'java/io/RandomAccessFile' ||
      owner === 'java/util/Scanner') &&
      name === '<init>') ||
    (owner === 'java/io/File' && (name === '<init>' || name === 'listFiles')) ||
    owner === 'java/nio/file/Paths' ||
    (owner === 'java/nio/file/Path' && (name === 'of' || name === 'resolve'))
  );
}
