import { CronExpressionParser } from "cron-parser";

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/**
 * The next fire time (ms) strictly after `after` for an EventBridge/Scheduler schedule expression:
 * `rate(5 minutes)`, `cron(0 12 ? * MON-FRI *)` (AWS's six fields, day-of-week 1 = Sunday) in a
 * time zone, or Scheduler's one-time `at(2026-12-24T18:00:00)`. Undefined when it never fires again.
 */
export function nextFire(expression: string, after: number, timeZone = "UTC", anchor = after): number | undefined {
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const every = Number(rate[1]) * (UNIT_MS[rate[2] ?? ""] ?? NaN);
    if (!(every > 0)) throw new Error(`Invalid rate expression ${expression}`);
    return anchor + Math.floor((after - anchor) / every + 1) * every;
  }
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression.trim());
  if (at) {
    const when = zonedToUtc(at[1] ?? "", timeZone);
    return when > after ? when : undefined;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`Unsupported schedule expression ${expression}`);
  const fields = (cron[1] ?? "").trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`AWS cron expressions have six fields: ${expression}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // AWS numbers days of the week 1-7 from Sunday; cron-parser 0-6 from Sunday.
  const dowStd = dow === "?" ? "*" : dow.replace(/(^|[,-])(\d)(?=$|[,-]|#|L)/g, (_m, sep: string, d: string) => `${sep}${Number(d) - 1}`);
  const expr = CronExpressionParser.parse(`${min} ${hour} ${dom === "?" ? "*" : dom} ${month} ${dowStd}`, { currentDate: new Date(after), tz: timeZone });
  for (let i = 0; i < 1000; i++) {
    let next: number;
    try {
      next = expr.next().toDate().getTime();
    } catch {
      return undefined;
    }
    if (year === "*" || matchesYear(year, new Date(next).getUTCFullYear())) return next;
  }
  return undefined;
}

function matchesYear(field: string, y: number): boolean {
  return field.split(",").some((part) => {
    const [a, b] = part.split("-").map(Number);
    return b === undefined ? y === a : y >= (a ?? 0) && y <= b;
  });
}

/** A wall-clock time in a zone → epoch ms. */
function zonedToUtc(local: string, timeZone: string): number {
  const guess = Date.parse(`${local}Z`);
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(guess));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asZone = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return guess - (asZone - guess);
}
