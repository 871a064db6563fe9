import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LocalExecution } from "./types.js";

/**
 * Executions on disk, one JSON file each under `<dataDir>/executions`: what makes them durable.
 * `save` marks an execution; all marked executions are written once per event-loop turn (a burst
 * of state changes costs one write), each to a temporary file then renamed, so a crash never
 * leaves half an execution on disk.
 */
export class ExecutionStore {
  private readonly dir: string;
  private readonly dirty = new Set<LocalExecution>();
  private flushScheduled = false;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, "executions");
  }

  /** Every execution kept by an earlier run. */
  load(): LocalExecution[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => {
        const e = JSON.parse(readFileSync(path.join(this.dir, f), "utf8")) as LocalExecution;
        e.pending ??= [];
        e.timers ??= {};
        return e;
      });
  }

  save(e: LocalExecution): void {
    this.dirty.add(e);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes every execution marked by save(). */
  flush(): void {
    this.flushScheduled = false;
    if (this.dirty.size === 0) return;
    mkdirSync(this.dir, { recursive: true });
    for (const e of this.dirty) {
      const file = path.join(this.dir, `${encodeURIComponent(e.executionArn)}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(e));
      renameSync(`${file}.tmp`, file);
    }
    this.dirty.clear();
  }
}
