import type { JobPayload } from '../types.js';

export interface PollResult {
  jobs: JobPayload[];
  /** Position after these jobs; persisted only once they are enqueued. */
  cursor: string;
  /** More is waiting: poll again without sleeping. */
  more: boolean;
}

/** A registry activity feed that turns into scan jobs, resumable from a persisted cursor. */
export interface Feed {
  /** Cursor key and metric label: `npm`, `pypi`, `maven`. */
  readonly name: string;
  poll(cursor: string | undefined, signal?: AbortSignal): Promise<PollResult>;
}
