import { describe, expect, it } from "vitest";
import { simulateRouting, type InventorySnapshot } from "../../../functions/app/simulate-routing.js";
import type { Location } from "../../../functions/domain/catalog.js";
import { routingRulesInputSchema } from "../../../functions/domain/routing-rules.js";

const loc = (id: string, lat: number, groups: string[]): Location => ({ locationId: id, name: id, kind: "warehouse", country: "DE", lat, lon: 10, capabilities: ["ship"], dailyCapacity: 2, handlingCost: { amount: 100, currency: "EUR" }, priority: 1, active: true, groups });
const snapshot: InventorySnapshot = {
  locations: [loc("NEAR", 50.1, ["de"]), loc("FAR", 52, ["far"])],
  skus: [{ sku: "X", name: "X", unitWeightGrams: 500, active: true }],
  stock: [
    { sku: "X", locationId: "NEAR", onHand: 3, reserved: 0, safetyStock: 1, reorderPoint: 0 },
    { sku: "X", locationId: "FAR", onHand: 10, reserved: 0, safetyStock: 0, reorderPoint: 0 },
  ],
};
const order = (quantity: number) => ({ lines: [{ sku: "X", quantity }], delivery: { kind: "ship" as const, lat: 50, lon: 10 } });

describe("simulateRouting", () => {
  it("depletes one inventory order after order: stock, then capacity, then the next location", () => {
    const rules = routingRulesInputSchema.parse({});
    const r = simulateRouting(snapshot, [order(2), order(1), order(1), { lines: [{ sku: "NOPE", quantity: 1 }], delivery: { kind: "ship", lat: 50, lon: 10 } }], rules);
    // NEAR may promise 2 (safety stock kept): the first order takes both, the next ones go FAR.
    expect(r).toMatchObject({ orders: 4, plannedOrders: 3, shipments: 3, splitOrders: 0, backorderedUnits: 0, byLocation: { NEAR: { shipments: 1, units: 2 }, FAR: { shipments: 2, units: 2 } } });
    expect(r.invalidOrders).toEqual([{ index: 3, reason: "unknown SKU NOPE" }]);
  });

  it("compares rule sets: a channel limited to one group backorders what that group cannot serve", () => {
    const open = simulateRouting(snapshot, [order(4)], routingRulesInputSchema.parse({}));
    const deOnly = simulateRouting(snapshot, [order(4)], routingRulesInputSchema.parse({ filters: { locationGroups: ["de"], keepSafetyStock: false } }));
    expect(open).toMatchObject({ backorderedUnits: 0, shipments: 1, byLocation: { FAR: { units: 4 } } });
    expect(deOnly).toMatchObject({ backorderedUnits: 1, ordersWithBackorder: 1, byLocation: { NEAR: { units: 3 } } });
    expect(deOnly.totalCost).toBeGreaterThan(open.totalCost);
  });
});
