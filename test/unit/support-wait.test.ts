import { describe, expect, it } from "vitest";
import { waitFor, WaitTimeout } from "../support/wait.js";

describe("waitFor (the suite's one polling helper)", () => {
  it("returns the first value that satisfies the predicate", async () => {
    let n = 0;
    await expect(waitFor("n to reach 3", () => Promise.resolve(++n), (v) => v >= 3, { intervalMs: 1 })).resolves.toBe(3);
  });

  it("throws on timeout with what it waited for and the last value it saw, never returns it", async () => {
    let n = 0;
    const failed = await waitFor("n to reach 1000", () => Promise.resolve(++n), (v) => v >= 1000, { timeoutMs: 30, intervalMs: 5 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WaitTimeout);
    expect((failed as WaitTimeout).message).toMatch(/waiting for n to reach 1000; last saw: \d+/);
    expect((failed as WaitTimeout).last).toBe(n);
  });

  it("keeps reading through errors and reports the last one", async () => {
    const failed = await waitFor("a read that always fails", () => Promise.reject(new Error("boom")), () => true, { timeoutMs: 20, intervalMs: 5 }).catch((e: unknown) => e);
    expect((failed as WaitTimeout).message).toContain("last saw: Error: boom");
  });
});
