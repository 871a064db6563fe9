// The inventory report of a location: sales, stock turns and days of cover, slow movers, excess
// stock, stockouts and fill rate, and the forecast error of each planning method.
import type { DemandHistory, VersionedStock } from "./ports.js";

export interface InventoryReportDeps {
  stock: { stockOfLocationRange(locationId: string, from: string, to?: string): Promise<VersionedStock[]> };
  demand: DemandHistory;
}

export interface InventoryReportQuery {
  locationId: string;
  from: string;
  to: string;
  /** No sales for this many days (up to `to`): a slow mover. */
  slowDays: number;
  /** On hand above the order-up-to level by more than this share: excess, a candidate to sell off. */
  excessMargin: number;
}

export interface InventoryReportRow {
  sku: string;
  onHand: number;
  reserved: number;
  sold: number;
  unserved: number;
  returned: number;
  averageDaily: number;
  /** Annualised sales over today's on hand (no inventory history is kept: today's stands in for the average). */
  stockTurns: number | null;
  daysOfCover: number | null;
  daysSinceLastSale: number | null;
  fillRate: number | null;
  stockoutDays: number;
  orderUpTo: number | null;
  slowMover: boolean;
  excess: number;
  method: string | null;
  forecastPerDay: number | null;
  maePerDay: number | null;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Every SKU the location keeps, with its figures over [from, to], and the totals and per-method forecast error. */
export async function inventoryReport(deps: InventoryReportDeps, q: InventoryReportQuery) {
  // "!" sorts before every id (they start with a letter or digit): the whole location.
  const stocks = await deps.stock.stockOfLocationRange(q.locationId, "!");
  const rows: InventoryReportRow[] = [];
  for (const s of stocks) {
    const [here, network] = await Promise.all([deps.demand.series(s.sku, s.locationId, q.from, q.to), deps.demand.series(s.sku, "*", q.from, q.to)]);
    const days = here.demand.length;
    const sold = here.demand.reduce((a, b) => a + b, 0);
    const networkDemand = network.demand.reduce((a, b) => a + b, 0);
    const unserved = network.unserved.reduce((a, b) => a + b, 0);
    const lastSale = here.demand.findLastIndex((d) => d > 0);
    const averageDaily = days ? sold / days : 0;
    const free = s.onHand - s.reserved;
    const plan = s.plan as { orderUpTo?: number; method?: string; forecastPerDay?: number; maePerDay?: number } | undefined;
    const orderUpTo = typeof plan?.orderUpTo === "number" && plan.orderUpTo > 0 ? plan.orderUpTo : null;
    const daysSinceLastSale = lastSale < 0 ? null : days - 1 - lastSale;
    rows.push({
      sku: s.sku,
      onHand: s.onHand,
      reserved: s.reserved,
      sold,
      unserved,
      returned: here.returned.reduce((a, b) => a + b, 0),
      averageDaily: round(averageDaily),
      stockTurns: s.onHand > 0 && days ? round((sold * 365) / days / s.onHand) : null,
      daysOfCover: averageDaily > 0 ? round(free / averageDaily, 1) : null,
      daysSinceLastSale,
      fillRate: networkDemand > 0 ? round((networkDemand - unserved) / networkDemand, 4) : null,
      stockoutDays: network.unserved.filter((u) => u > 0).length,
      orderUpTo,
      slowMover: s.onHand > 0 && (daysSinceLastSale === null ? days >= q.slowDays : daysSinceLastSale >= q.slowDays),
      excess: orderUpTo !== null && s.onHand > orderUpTo * (1 + q.excessMargin) ? s.onHand - orderUpTo : 0,
      method: plan?.method ?? null,
      forecastPerDay: plan?.forecastPerDay ?? null,
      maePerDay: plan?.maePerDay ?? null,
    });
  }
  const methods = new Map<string, { skus: number; mae: number; forecast: number }>();
  for (const r of rows) {
    if (!r.method || r.method === "none") continue;
    const m = methods.get(r.method) ?? { skus: 0, mae: 0, forecast: 0 };
    m.skus++;
    m.mae += r.maePerDay ?? 0;
    m.forecast += r.forecastPerDay ?? 0;
    methods.set(r.method, m);
  }
  const totalDemand = rows.reduce((a, r) => a + r.sold + 0, 0);
  return {
    locationId: q.locationId,
    from: q.from,
    to: q.to,
    totals: { skus: rows.length, onHand: rows.reduce((a, r) => a + r.onHand, 0), sold: totalDemand, slowMovers: rows.filter((r) => r.slowMover).length, excessUnits: rows.reduce((a, r) => a + r.excess, 0), stockoutSkus: rows.filter((r) => r.unserved > 0).length },
    /** Mean absolute one-step error per method, and relative to its mean forecast (WAPE-like). */
    forecastAccuracy: Object.fromEntries([...methods].map(([m, v]) => [m, { skus: v.skus, maePerDay: round(v.mae / v.skus), relativeError: v.forecast > 0 ? round(v.mae / v.forecast, 3) : null }])),
    rows,
  };
}
