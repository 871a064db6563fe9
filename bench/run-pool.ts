/** Runs `count` tasks with at most `concurrency` in flight; returns each task's latency (ms). */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>, onDone?: () => void): Promise<number[]> {
  const latencies: number[] = new Array<number>(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t0 = performance.now();
      await task(i);
      latencies[i] = performance.now() - t0;
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return latencies;
}

/** The q-quantile (0..1) of the values, nearest-rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
