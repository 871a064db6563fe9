import { acceptedUnits } from "../domain/return.js";
import type { OrderRepository, ReturnStore, StoredReturn } from "./ports.js";

/** How far one report reads: beyond this many orders or returns it says it is truncated. */
const MAX_ITEMS = 5000;

export interface ReturnsReport {
  from: string;
  to: string;
  channel?: string;
  returns: number;
  /** Per SKU: units sold (orders placed in the window), units returned (requested), the return rate, and units accepted. */
  skus: { sku: string; sold: number; returned: number; accepted: number; returnRate: number }[];
  reasons: Record<string, number>;
  /** Refunded and store-credited totals, per currency, in minor units. */
  refunds: Record<string, { refunded: number; storeCredit: number; returns: number }>;
  /** The SKUs with the highest return rate (at least one return), highest first. */
  topReturned: { sku: string; returnRate: number; returned: number }[];
  truncated: boolean;
}

/** The numbers of a report from the returns and the orders of a window (pure, so it is tested on its own). */
export function summarizeReturns(window: { from: string; to: string; channel?: string }, returns: StoredReturn[], sold: Map<string, number>, truncated: boolean): ReturnsReport {
  const returned = new Map<string, { returned: number; accepted: number }>();
  const reasons: Record<string, number> = {};
  const refunds: ReturnsReport["refunds"] = {};
  for (const r of returns) {
    for (const l of r.lines) {
      const s = returned.get(l.sku) ?? { returned: 0, accepted: 0 };
      returned.set(l.sku, { returned: s.returned + l.quantity, accepted: s.accepted + acceptedUnits(l) });
      reasons[l.reason] = (reasons[l.reason] ?? 0) + l.quantity;
    }
    if (r.status === "CLOSED" && r.settlement) {
      const c = (refunds[r.currency] ??= { refunded: 0, storeCredit: 0, returns: 0 });
      c.refunded += r.settlement.breakdown.total;
      c.storeCredit += r.settlement.storeCredit ?? 0;
      c.returns += 1;
    }
  }
  const skus = [...new Set([...sold.keys(), ...returned.keys()])].sort().map((sku) => {
    const s = returned.get(sku) ?? { returned: 0, accepted: 0 };
    const soldUnits = sold.get(sku) ?? 0;
    return { sku, sold: soldUnits, returned: s.returned, accepted: s.accepted, returnRate: soldUnits > 0 ? Math.round((s.returned / soldUnits) * 10_000) / 10_000 : 0 };
  });
  const topReturned = skus.filter((s) => s.returned > 0).sort((a, b) => b.returnRate - a.returnRate || b.returned - a.returned || a.sku.localeCompare(b.sku)).slice(0, 10).map(({ sku, returnRate, returned: n }) => ({ sku, returnRate, returned: n }));
  return { ...window, returns: returns.length, skus, reasons, refunds, topReturned, truncated };
}

/** GET /reports/returns: returns requested in [from, to] (optionally of one channel) against the units of orders placed then. */
export async function returnsReport(deps: { returns: Pick<ReturnStore, "list">; orders: Pick<OrderRepository, "list" | "get"> }, window: { from: string; to: string; channel?: string }): Promise<ReturnsReport> {
  const returns: StoredReturn[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.returns.list({ ...(window.channel ? { channel: window.channel } : {}), from: window.from, to: window.to, limit: 100, ...(cursor ? { cursor } : {}) });
    returns.push(...page.items);
    cursor = page.cursor;
  } while (cursor && returns.length < MAX_ITEMS);
  const sold = new Map<string, number>();
  let orders = 0;
  let more = false;
  cursor = undefined;
  outer: do {
    const page = await deps.orders.list({ ...(window.channel ? { channel: window.channel } : {}), limit: 100, ...(cursor ? { cursor } : {}) });
    const inWindow = page.items.filter((o) => o.createdAt >= window.from && o.createdAt <= `${window.to}~`);
    for (const o of await Promise.all(inWindow.map((i) => deps.orders.get(i.orderId)))) {
      for (const l of o?.lines ?? []) sold.set(l.sku, (sold.get(l.sku) ?? 0) + l.quantity);
      if (++orders >= MAX_ITEMS) {
        more = true;
        break outer;
      }
    }
    // Newest first: once a page reaches before the window, nothing older can be in it.
    if (page.items.some((o) => o.createdAt < window.from)) break;
    cursor = page.cursor;
  } while (cursor);
  return summarizeReturns(window, returns, sold, more || returns.length >= MAX_ITEMS);
}
