import { ConcurrentModificationError } from "./errors.js";

/**
 * Optimistic concurrency, the one way the OMS does it: read the record with its version, decide,
 * write under the version read; when the write finds a newer version, read and decide again.
 * Every record with a `version` (orders, shipments, payments, stock, reservations, rules) is
 * changed through this loop, so none of them can lose an update or hang on a hot record.
 */

/** What an attempt answers when its conditional write lost to another writer (or it wrote a step and must read again). */
export const AGAIN: unique symbol = Symbol("optimistic.again");

/** Attempts before giving up: enough for a record a handful of writers share, few enough to fail fast. */
export const MAX_ATTEMPTS = 5;

/**
 * Runs `attempt` (given its number, from 1) until it answers something other than `AGAIN`, waiting
 * a short random while between attempts (full jitter, so writers that collided do not collide
 * again in step). After `attempts` tries it answers `otherwise()` if given, else throws
 * ConcurrentModificationError naming `subject`: a 409 over HTTP, retried by the workflow.
 */
export async function withOptimisticRetry<T>(subject: string, attempt: (n: number) => Promise<T | typeof AGAIN>, options: RetryOptions<T> = {}): Promise<T> {
  const attempts = options.attempts ?? MAX_ATTEMPTS;
  for (let n = 1; n <= attempts; n++) {
    if (n > 1) await jitter(n);
    const result = await attempt(n);
    if (result !== AGAIN) return result;
  }
  if (options.otherwise) return options.otherwise();
  throw new ConcurrentModificationError(subject, attempts);
}

export interface RetryOptions<T> {
  /** How many attempts (default MAX_ATTEMPTS). */
  attempts?: number;
  /** The answer when every attempt lost, for callers to whom that is an outcome (someone else is doing the job), not an error. */
  otherwise?: () => T;
}

/** Up to 4 ms, 8 ms, 16 ms, ... before attempt `n`. */
const jitter = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 2 ** n));
