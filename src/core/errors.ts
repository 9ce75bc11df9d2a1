/** An expected failure with a short machine code; the CLI prints `target: message` and exits 2. */
export class BeagleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BeagleError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCode(err: unknown): string {
  if (err instanceof BeagleError) return err.code;
  return 'internal';
}
