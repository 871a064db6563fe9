import { describe, expect, it } from "vitest";
import { LocalClock, parseDuration } from "../../../local/clock.js";
import { parseFaults } from "../../../local/lambda-runtime.js";
import { nextFire } from "../../../local/schedule-expression.js";

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe("schedule expressions", () => {
  it("rate() fires on a fixed grid from its anchor", () => {
    const anchor = t("2026-11-22T10:00:00Z");
    expect(iso(nextFire("rate(5 minutes)", anchor, "UTC", anchor))).toBe("2026-11-22T10:05:00.000Z");
    expect(iso(nextFire("rate(1 hour)", t("2026-11-22T12:30:00Z"), "UTC", anchor))).toBe("2026-11-22T13:00:00.000Z");
    expect(iso(nextFire("rate(1 day)", t("2026-11-22T10:00:00Z"), "UTC", anchor))).toBe("2026-11-23T10:00:00.000Z");
  });

  it("cron() uses AWS's six fields, 1 = Sunday, and the schedule's time zone", () => {
    // Saturday 2026-11-21: the next weekday noon in Berlin (UTC+1 in winter) is Monday 11:00 UTC.
    expect(iso(nextFire("cron(0 12 ? * MON-FRI *)", t("2026-11-21T00:00:00Z"), "Europe/Berlin"))).toBe("2026-11-23T11:00:00.000Z");
    expect(iso(nextFire("cron(0 12 ? * 2-6 *)", t("2026-11-21T00:00:00Z"), "Europe/Berlin"))).toBe("2026-11-23T11:00:00.000Z");
    expect(iso(nextFire("cron(30 6 ? * 1 *)", t("2026-11-22T07:00:00Z"), "UTC"))).toBe("2026-11-29T06:30:00.000Z");
    // Summer time: noon in Berlin is 10:00 UTC.
    expect(iso(nextFire("cron(0 12 1 7 ? *)", t("2026-01-01T00:00:00Z"), "Europe/Berlin"))).toBe("2026-07-01T10:00:00.000Z");
    expect(iso(nextFire("cron(0 0 1 1 ? 2028)", t("2026-01-01T00:00:00Z"), "UTC"))).toBe("2028-01-01T00:00:00.000Z");
  });

  it("at() fires once in its zone, then never", () => {
    expect(iso(nextFire("at(2026-12-24T18:00:00)", t("2026-11-22T00:00:00Z"), "Europe/Berlin"))).toBe("2026-12-24T17:00:00.000Z");
    expect(nextFire("at(2026-12-24T18:00:00)", t("2026-12-25T00:00:00Z"), "Europe/Berlin")).toBeUndefined();
  });

  it("refuses expressions it cannot read", () => {
    expect(() => nextFire("every tuesday", 0)).toThrow(/Unsupported/);
    expect(() => nextFire("cron(0 12 * * ?)", 0)).toThrow(/six fields/);
  });
});

describe("local clock", () => {
  it("fires waits when advanced, exactly, including waits longer than setTimeout's 24.8-day limit", async () => {
    const clock = new LocalClock();
    const fired: string[] = [];
    void clock.until(clock.now() + 30 * 86_400_000).then(() => fired.push("30d"));
    void clock.until(clock.now() + 86_400_000).then(() => fired.push("1d"));
    clock.advance(86_400_000);
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toEqual(["1d"]);
    clock.advance(29 * 86_400_000 - 1000);
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toEqual(["1d"]);
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toEqual(["1d", "30d"]);
    expect(() => clock.advance(-1)).toThrow(/forward/);
    clock.stop();
  });

  it("cancels a wait through its abort signal", async () => {
    const clock = new LocalClock();
    const ac = new AbortController();
    const wait = clock.until(clock.now() + 1000, ac.signal);
    ac.abort(new Error("stopped"));
    await expect(wait).rejects.toThrow("stopped");
    clock.stop();
  });

  it("reads durations", () => {
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("1500")).toBe(1500);
    expect(() => parseDuration("soon")).toThrow(/Not a duration/);
  });
});

describe("OMS_LOCAL_FAULTS", () => {
  it("reads error and crash rates and delays per function", () => {
    expect(parseFaults("Intake:error=0.1,delay=2000;Notifications:error=1;Pay:crash=0.5")).toEqual([
      { target: "Intake", error: 0.1, crash: 0, delayMs: 2000 },
      { target: "Notifications", error: 1, crash: 0, delayMs: 0 },
      { target: "Pay", error: 0, crash: 0.5, delayMs: 0 },
    ]);
    expect(() => parseFaults("X:crash=1.5")).toThrow(/crash=<0..1>/);
    expect(parseFaults(undefined)).toEqual([]);
    expect(() => parseFaults("X:error=2")).toThrow(/error=<0..1>/);
    expect(() => parseFaults("X:jitter=5")).toThrow(/cannot read/);
  });
});
