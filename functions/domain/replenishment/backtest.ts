// Backtesting the planner on a demand history: rolling-origin forecasts of every method (scaled
// by seasonal-naive, as M5 scores), and a simulated reorder policy, the production planner's
// against a naive one. Pure: series in, scores out.
import { fit, FORECAST_METHODS, forecast, naiveScale, scaledErrors, type ForecastMethod } from "./forecast.js";
import { planSkuLocation } from "./plan.js";
import { roundToSupplier } from "./policy.js";

export interface BacktestOptions {
  horizon: number;
  serviceLevel: number;
  leadTimeDays: number;
  /** Days of history before the first forecast origin. */
  warmUp: number;
  /** Days between forecast origins (and between the policy's replans). */
  step: number;
  coverDays: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = { horizon: 28, serviceLevel: 0.95, leadTimeDays: 7, warmUp: 112, step: 28, coverDays: 14 };

type Method = ForecastMethod | "auto" | "seasonal-naive";
export const BACKTEST_METHODS: readonly Method[] = ["auto", ...FORECAST_METHODS, "seasonal-naive"];

export interface MethodScore {
  method: Method;
  series: number;
  mase: number;
  rmsse: number;
}

export interface PolicyScore {
  policy: "planner" | "naive";
  fillRate: number;
  averageInventory: number;
  orders: number;
  stockoutDays: number;
}

export interface BacktestReport {
  skus: number;
  days: number;
  options: BacktestOptions;
  methods: MethodScore[];
  /** The auto method's scores per demand class (the class at each origin). */
  byClass: Record<string, { series: number; mase: number; rmsse: number }>;
  policies: PolicyScore[];
  targetFillRate: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Rolling-origin forecast errors of every method for one series. */
function forecastErrors(series: readonly number[], o: BacktestOptions, add: (m: Method, cls: string | undefined, e: { mase: number; rmsse: number }) => void): void {
  for (let origin = o.warmUp; origin + o.horizon <= series.length; origin += o.step) {
    const train = series.slice(0, origin);
    const actual = series.slice(origin, origin + o.horizon);
    if (naiveScale(train).mae === 0) continue;
    const first = train.findIndex((q) => q > 0);
    const history = first < 0 ? train : train.slice(first);
    const predictions = new Map<Method, number[]>();
    for (const m of FORECAST_METHODS) {
      const f = fit(history, m === "holt-winters" && history.length < 14 ? "ses" : m);
      predictions.set(m, actual.map((_a, h) => f.ahead(h + 1)));
    }
    const auto = forecast(history);
    predictions.set("auto", actual.map((_a, h) => auto.forecast.ahead(h + 1)));
    predictions.set("seasonal-naive", actual.map((_a, h) => train[train.length - 7 + (h % 7)] ?? 0));
    for (const [m, p] of predictions) {
      const e = scaledErrors(train, actual, p);
      if (e) add(m, m === "auto" ? auto.classification.class : undefined, e);
    }
  }
}

/**
 * A day-by-day simulation of one SKU from the first origin on: the policy replans every `step`
 * days from the history so far; when the position (on hand + on order) is at or below the reorder
 * point it orders up to the order-up-to level; orders arrive after the lead time; demand that
 * finds no stock is lost.
 */
function simulate(series: readonly number[], o: BacktestOptions, policy: PolicyScore["policy"]): { served: number; demand: number; inventory: number; days: number; orders: number; stockoutDays: number } {
  let reorderPoint = 0;
  let orderUpTo = 0;
  const pipeline: { at: number; quantity: number }[] = [];
  let onHand = -1;
  let served = 0;
  let demand = 0;
  let inventory = 0;
  let orders = 0;
  let stockoutDays = 0;
  for (let t = o.warmUp; t < series.length; t++) {
    if ((t - o.warmUp) % o.step === 0) {
      const history = series.slice(0, t);
      if (policy === "planner") {
        const p = planSkuLocation({ demand: history, stock: { onHand: 0, reserved: 0, incoming: 0, backordered: 0 }, supply: { supplierId: "backtest", leadTimeDays: o.leadTimeDays, leadTimeSdDays: 0, moq: 1, pack: 1 }, service: { kind: "cycle-service-level", target: o.serviceLevel }, coverDays: o.coverDays, holdingRate: 0.25, defaultLeadTimeDays: o.leadTimeDays });
        reorderPoint = p.reorderPoint;
        orderUpTo = p.orderUpTo;
      } else {
        const recent = mean(history.slice(-28));
        reorderPoint = Math.ceil(recent * o.leadTimeDays);
        orderUpTo = Math.ceil(reorderPoint + recent * o.coverDays);
      }
      if (onHand < 0) onHand = orderUpTo;
    }
    while (pipeline[0] && pipeline[0].at <= t) onHand += pipeline.shift()!.quantity;
    const d = series[t] ?? 0;
    const s = Math.min(onHand, d);
    served += s;
    demand += d;
    if (s < d) stockoutDays++;
    onHand -= s;
    inventory += onHand;
    const position = onHand + pipeline.reduce((a, x) => a + x.quantity, 0);
    if (position <= reorderPoint && orderUpTo > position) {
      pipeline.push({ at: t + o.leadTimeDays, quantity: roundToSupplier(orderUpTo - position, { moq: 1, pack: 1 }) });
      orders++;
    }
  }
  return { served, demand, inventory, days: Math.max(0, series.length - o.warmUp), orders, stockoutDays };
}

/** Backtests every series: forecast accuracy per method and class, and both policies' fill rate, inventory and orders. */
export function backtest(series: Map<string, number[]>, options: Partial<BacktestOptions> = {}): BacktestReport {
  const o = { ...DEFAULT_BACKTEST, ...options };
  const scores = new Map<Method, { mase: number[]; rmsse: number[] }>();
  const classes = new Map<string, { mase: number[]; rmsse: number[] }>();
  const totals = { planner: { served: 0, demand: 0, inventory: 0, days: 0, orders: 0, stockoutDays: 0 }, naive: { served: 0, demand: 0, inventory: 0, days: 0, orders: 0, stockoutDays: 0 } };
  let days = 0;
  for (const s of series.values()) {
    days = Math.max(days, s.length);
    forecastErrors(s, o, (m, cls, e) => {
      const bucket = scores.get(m) ?? { mase: [], rmsse: [] };
      bucket.mase.push(e.mase);
      bucket.rmsse.push(e.rmsse);
      scores.set(m, bucket);
      if (cls) {
        const c = classes.get(cls) ?? { mase: [], rmsse: [] };
        c.mase.push(e.mase);
        c.rmsse.push(e.rmsse);
        classes.set(cls, c);
      }
    });
    for (const policy of ["planner", "naive"] as const) {
      const r = simulate(s, o, policy);
      const t = totals[policy];
      t.served += r.served;
      t.demand += r.demand;
      t.inventory += r.inventory;
      t.days += r.days;
      t.orders += r.orders;
      t.stockoutDays += r.stockoutDays;
    }
  }
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    skus: series.size,
    days,
    options: o,
    methods: BACKTEST_METHODS.flatMap((m) => {
      const b = scores.get(m);
      return b ? [{ method: m, series: b.mase.length, mase: round(mean(b.mase)), rmsse: round(mean(b.rmsse)) }] : [];
    }),
    byClass: Object.fromEntries([...classes].map(([c, b]) => [c, { series: b.mase.length, mase: round(mean(b.mase)), rmsse: round(mean(b.rmsse)) }])),
    policies: (["planner", "naive"] as const).map((p) => ({
      policy: p,
      fillRate: round(totals[p].demand ? totals[p].served / totals[p].demand : 1),
      averageInventory: round(totals[p].days ? totals[p].inventory / totals[p].days : 0),
      orders: totals[p].orders,
      stockoutDays: totals[p].stockoutDays,
    })),
    targetFillRate: o.serviceLevel,
  };
}

/**
 * Demand series from CSV text: wide (`sku,<date>,<date>,...`, one row per SKU) or long
 * (`sku,date,quantity`); long rows are summed per SKU and day and the days between filled with 0.
 */
export function parseDemandRows(rows: string[][]): Map<string, number[]> {
  const [header, ...body] = rows;
  if (!header || header[0]?.trim().toLowerCase() !== "sku") throw new Error("The demand file's header must start with sku");
  const out = new Map<string, number[]>();
  const num = (v: string | undefined, where: string) => {
    const n = Number(v ?? "");
    if (!Number.isFinite(n) || n < 0) throw new Error(`${where}: ${JSON.stringify(v)} is not a quantity`);
    return n;
  };
  if (header.length === 3 && header[1]?.trim().toLowerCase() === "date" && header[2]?.trim().toLowerCase() === "quantity") {
    const byDay = new Map<string, Map<number, number>>();
    let min = Infinity;
    let max = -Infinity;
    body.forEach((r, i) => {
      const day = Date.parse(`${r[1]}T00:00:00Z`);
      if (Number.isNaN(day)) throw new Error(`row ${i + 2}: ${JSON.stringify(r[1])} is not a date`);
      const m = byDay.get(r[0] ?? "") ?? new Map<number, number>();
      m.set(day, (m.get(day) ?? 0) + num(r[2], `row ${i + 2}`));
      byDay.set(r[0] ?? "", m);
      min = Math.min(min, day);
      max = Math.max(max, day);
    });
    const n = Math.round((max - min) / 86_400_000) + 1;
    for (const [sku, m] of byDay) out.set(sku, Array.from({ length: n }, (_x, i) => m.get(min + i * 86_400_000) ?? 0));
    return out;
  }
  body.forEach((r, i) => out.set(r[0] ?? "", r.slice(1).map((v, j) => num(v, `row ${i + 2}, column ${j + 2}`))));
  return out;
}
