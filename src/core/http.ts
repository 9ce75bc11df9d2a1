import { BeagleError, errorMessage } from './errors.js';

export interface HttpOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Refuse bodies larger than this many bytes. */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Label for error messages, e.g. the target. */
  label: string;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return errorMessage(err);
}

/**
 * GETs a URL into memory. Errors say what failed: `not-found` for 404, `http` for other
 * statuses, `network` for unreachable hosts and timeouts, `limit` for oversized bodies.
 */
export async function httpGet(url: string, options: HttpOptions): Promise<Buffer> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { headers: options.headers, signal, redirect: 'follow' });
  } catch (err) {
    if (timeout.aborted) {
      throw new BeagleError(
        'network',
        `${options.label}: ${url} did not answer within ${options.timeoutMs} ms`,
      );
    }
    throw new BeagleError('network', `${options.label}: cannot reach ${url} (${describeNetworkError(err)})`);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new BeagleError('not-found', `${options.label}: not found (404 from ${url})`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new BeagleError('http', `${options.label}: ${url} answered HTTP ${res.status} ${res.statusText}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (options.maxBytes !== undefined && declared > options.maxBytes) {
    await res.body?.cancel();
    throw new BeagleError(
      'limit',
      `${options.label}: ${url} is ${declared} bytes, over the ${options.maxBytes}-byte limit`,
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (options.maxBytes !== undefined && total > options.maxBytes) {
          throw new BeagleError(
            'limit',
            `${options.label}: ${url} exceeds the ${options.maxBytes}-byte limit`,
          );
        }
        chunks.push(chunk);
      }
    }
  } catch (err) {
    if (err instanceof BeagleError) throw err;
    throw new BeagleError(
      'network',
      `${options.label}: download of ${url} failed (${describeNetworkError(err)})`,
    );
  }
  return Buffer.concat(chunks, total);
}

export async function httpGetJson<T>(url: string, options: HttpOptions): Promise<T> {
  const body = await httpGet(url, options);
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw new BeagleError('bad-response', `${options.label}: ${url} did not return valid JSON`);
  }
}
