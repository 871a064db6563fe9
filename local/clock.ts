import { existsSync, readFileSync, writeFileSync } from "node:fs";

interface Timer {
  dueAt: number;
  resolve: () => void;
}

/** setTimeout's ceiling (about 24.8 days); longer waits are re-armed, so any length is exact. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The local cloud's clock: real time plus an offset that tests and operators can move forward
 * (`OMS_LOCAL_CLOCK=<ISO time>` at start, or the admin call / `npm run oms -- clock advance 30d`).
 * Every emulated timer (Wait states, task timeouts, heartbeats, schedules) waits on it, so a
 * 30-day wait is tested in milliseconds. The offset is kept on disk: time never runs backwards
 * across a restart. Function code sees the real time.
 */
export class LocalClock {
  private offsetMs = 0;
  private timers: Timer[] = [];
  private handle?: NodeJS.Timeout;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) this.offsetMs = (JSON.parse(readFileSync(file, "utf8")) as { offsetMs: number }).offsetMs;
    const start = process.env.OMS_LOCAL_CLOCK;
    if (start) {
      const at = Date.parse(start);
      if (Number.isNaN(at)) throw new Error(`OMS_LOCAL_CLOCK must be an ISO-8601 time, got "${start}"`);
      if (at > this.now()) this.offsetMs = at - Date.now();
    }
    this.persist();
  }

  /** Milliseconds since the epoch, local-cloud time. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Moves time forward (never back) and fires whatever fell due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error("The clock only moves forward");
    this.offsetMs += ms;
    this.persist();
    this.check();
    for (const l of this.listeners) l();
  }

  /** Called after every advance (the scheduler re-plans). */
  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once local time reaches `dueAt` (ms); rejects with the signal's reason when aborted. */
  until(dueAt: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (dueAt <= this.now()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { dueAt, resolve };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason as Error);
      };
      timer.resolve = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      this.timers.sort((a, b) => a.dueAt - b.dueAt);
      this.arm();
    });
  }

  /** Stops the underlying real timer (pending waits stay pending; the process is ending). */
  stop(): void {
    clearTimeout(this.handle);
  }

  private check(): void {
    const now = this.now();
    const due = this.timers.filter((t) => t.dueAt <= now);
    this.timers = this.timers.filter((t) => t.dueAt > now);
    for (const t of due) t.resolve();
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.handle);
    const next = this.timers[0];
    if (!next) return;
    this.handle = setTimeout(() => this.check(), Math.min(MAX_TIMEOUT_MS, Math.max(0, next.dueAt - this.now())));
    this.handle.unref();
  }

  private persist(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify({ offsetMs: this.offsetMs }));
  }
}

/** "30d", "12h", "90m", "45s", "1500ms" or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`Not a duration: "${text}" (use e.g. 30d, 12h, 90m, 45s, 1500ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "ms") as "ms"];
  return Number(m[1]) * unit;
}
