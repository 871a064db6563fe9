import type { Location, Sku, Stock } from "../domain/catalog.js";
import { Router, type Delivery } from "../domain/routing.js";
import { promisableByLocation, type RoutingRulesInput } from "../domain/routing-rules.js";
import { stopwatch } from "./quote-route.js";

/** What a simulation starts from: locations, the SKUs' weights, and stock per (SKU, location). */
export interface InventorySnapshot {
  locations: Location[];
  skus: Sku[];
  stock: Stock[];
}

export interface SimulatedOrder {
  lines: { lineId?: string; sku: string; quantity: number }[];
  delivery: Delivery;
}

export interface SimulationResult {
  orders: number;
  plannedOrders: number;
  invalidOrders: { index: number; reason: string }[];
  currency: string;
  totalCost: number;
  shipments: number;
  shipmentsPerOrder: number;
  distanceKm: number;
  backorderedUnits: number;
  ordersWithBackorder: number;
  splitOrders: number;
  byLocation: Record<string, { shipments: number; units: number }>;
}

/**
 * Replays orders, in order, against one copy of the inventory under a rule set: each plan takes
 * its stock and a unit of its locations' daily capacity before the next order is planned, the
 * way production would see them. Pure: the caller loads the snapshot and the orders.
 */
export function simulateRouting(snapshot: InventorySnapshot, orders: SimulatedOrder[], rules: RoutingRulesInput, options: { algorithm?: "optimizer" | "greedy"; budgetMs?: number } = {}): SimulationResult {
  const weights = new Map(snapshot.skus.map((s) => [s.sku, s.unitWeightGrams / 1000]));
  const stock = promisableByLocation(rules.filters, snapshot.stock);
  const capacity = new Map(snapshot.locations.map((l) => [l.locationId, l.dailyCapacity]));
  const result: SimulationResult = { orders: orders.length, plannedOrders: 0, invalidOrders: [], currency: rules.costModel.currency, totalCost: 0, shipments: 0, shipmentsPerOrder: 0, distanceKm: 0, backorderedUnits: 0, ordersWithBackorder: 0, splitOrders: 0, byLocation: {} };
  orders.forEach((o, index) => {
    const unknown = o.lines.find((l) => !weights.has(l.sku));
    if (unknown) return result.invalidOrders.push({ index, reason: `unknown SKU ${unknown.sku}` });
    let router: Router;
    try {
      router = new Router({
        lines: o.lines.map((l, i) => ({ lineId: l.lineId ?? String(i + 1), sku: l.sku, quantity: l.quantity, unitWeightKg: weights.get(l.sku)! })),
        delivery: o.delivery,
        candidates: snapshot.locations.map((location) => ({ location, stock: stock.get(location.locationId) ?? {}, remainingCapacity: capacity.get(location.locationId) ?? 0 })),
        filters: rules.filters,
        objective: rules.objective,
        costModel: rules.costModel,
      });
    } catch (e) {
      return result.invalidOrders.push({ index, reason: (e as Error).message });
    }
    const plan = options.algorithm === "greedy" ? router.greedy({ stopwatch }) : router.optimize({ budgetMs: options.budgetMs, stopwatch });
    result.plannedOrders++;
    result.totalCost += plan.cost.total;
    result.shipments += plan.shipments.length;
    if (plan.shipments.length > 1) result.splitOrders++;
    const back = plan.backordered.reduce((t, b) => t + b.quantity, 0);
    result.backorderedUnits += back;
    if (back > 0) result.ordersWithBackorder++;
    for (const s of plan.shipments) {
      result.distanceKm += s.distanceKm;
      capacity.set(s.locationId, (capacity.get(s.locationId) ?? 0) - 1);
      const row = stock.get(s.locationId) ?? {};
      for (const l of s.lines) row[l.sku] = (row[l.sku] ?? 0) - l.quantity;
      const at = (result.byLocation[s.locationId] ??= { shipments: 0, units: 0 });
      at.shipments++;
      at.units += s.units;
    }
  });
  result.shipmentsPerOrder = result.plannedOrders ? result.shipments / result.plannedOrders : 0;
  result.distanceKm = Math.round(result.distanceKm);
  return result;
}
