/** How long a wait may take and how often it looks again. */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** A wait that ran out of time: says what it waited for and what it last saw. */
export class WaitTimeout extends Error {
  constructor(
    what: string,
    timeoutMs: number,
    readonly last: unknown,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}; last saw: ${describe(last)}`);
    this.name = "WaitTimeout";
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 4000 ? `${s.slice(0, 4000)}…` : s;
  } catch {
    return String(value);
  }
}

/**
 * The suite's one polling helper: reads until `ok` holds for what it read and returns that value,
 * or throws a WaitTimeout naming `what` and the last value (or error) read. A read that throws is
 * retried like a read that does not satisfy `ok`.
 */
export async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, { timeoutMs = 15_000, intervalMs = 100 }: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new WaitTimeout(what, timeoutMs, last);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** waitFor for reads that answer `undefined` until the thing exists. */
export const waitUntilDefined = <T>(what: string, probe: () => Promise<T | undefined>, options?: WaitOptions): Promise<T> =>
  waitFor(what, probe, (v) => v !== undefined, options) as Promise<T>;
