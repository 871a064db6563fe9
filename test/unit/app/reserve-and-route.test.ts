import { describe, expect, it } from "vitest";
import { reserveAndRoute, rerouteShipment } from "../../../functions/app/reserve-and-route.js";
import type { AllocationRecord } from "../../../functions/domain/allocation.js";
import type { Location, Stock } from "../../../functions/domain/catalog.js";
import { OrderCancelledError } from "../../../functions/domain/workflow-errors.js";
import { InsufficientStockError, type Allocation } from "../../../functions/domain/inventory.js";
import { createOrder, transition } from "../../../functions/domain/order.js";
import { defaultRoutingRules, routingRulesInputSchema } from "../../../functions/domain/routing-rules.js";
import { FakeOrders, fixedClock, sequentialIds } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";
import type { AllocationStore, RoutingData } from "../../../functions/app/ports.js";

/** Allocation rounds per order, like the DynamoDB store: the latest round is the current one. */
class FakeAllocations implements AllocationStore {
  readonly rounds = new Map<string, AllocationRecord[]>();
  get records() {
    return new Map([...this.rounds].flatMap(([id, rs]) => (rs.length ? [[id, rs.at(-1)!] as const] : [])));
  }
  get(orderId: string) {
    return Promise.resolve(this.rounds.get(orderId)?.at(-1));
  }
  all(orderId: string) {
    return Promise.resolve([...(this.rounds.get(orderId) ?? [])]);
  }
  create(r: AllocationRecord) {
    const rs = this.rounds.get(r.orderId) ?? [];
    if (rs.some((x) => x.round === r.round)) return Promise.resolve(false);
    this.rounds.set(r.orderId, [...rs, r].sort((a, b) => a.round - b.round));
    return Promise.resolve(true);
  }
  replace(r: AllocationRecord, previousPlanId: string) {
    const rs = this.rounds.get(r.orderId) ?? [];
    const i = rs.findIndex((x) => x.round === r.round && x.planId === previousPlanId);
    if (i < 0) return Promise.resolve(false);
    this.rounds.set(r.orderId, rs.map((x, j) => (j === i ? r : x)));
    return Promise.resolve(true);
  }
  discard(orderId: string, planId: string, round = 1) {
    this.rounds.set(orderId, (this.rounds.get(orderId) ?? []).filter((r) => !(r.round === round && r.planId === planId)));
    return Promise.resolve();
  }
}

/** Reservations keyed like the real ones: a second identical allocation is a replay, never a second hold. */
class FakeInventory {
  readonly held = new Map<string, number>();
  calls = 0;
  /** Stock that disappears (another order took it) just before the next reserve. */
  stealOnce?: { sku: string; locationId: string };
  constructor(readonly stock: Stock[]) {}
  reserve(a: Allocation) {
    this.calls++;
    if (this.stealOnce) {
      const s = this.stock.find((x) => x.sku === this.stealOnce!.sku && x.locationId === this.stealOnce!.locationId)!;
      s.reserved = s.onHand;
      this.stealOnce = undefined;
    }
    const fresh = a.lines.filter((l) => !this.held.has(`${a.orderId}|${l.lineId}|${l.locationId}|${l.sku}`));
    for (const l of fresh) {
      const s = this.stock.find((x) => x.sku === l.sku && x.locationId === l.locationId)!;
      if (s.onHand - s.reserved < l.quantity) return Promise.reject(new InsufficientStockError([{ lineId: l.lineId, sku: l.sku, locationId: l.locationId, requested: l.quantity, available: s.onHand - s.reserved }]));
    }
    for (const l of fresh) {
      this.held.set(`${a.orderId}|${l.lineId}|${l.locationId}|${l.sku}`, l.quantity);
      this.stock.find((x) => x.sku === l.sku && x.locationId === l.locationId)!.reserved += l.quantity;
    }
    return Promise.resolve({ replayed: fresh.length === 0 });
  }
  close(orderId: string, lines: Allocation["lines"]) {
    let n = 0;
    for (const l of lines) {
      const k = `${orderId}|${l.lineId}|${l.locationId}|${l.sku}`;
      const q = this.held.get(k);
      if (q === undefined) continue;
      this.stock.find((x) => x.locationId === l.locationId && x.sku === l.sku)!.reserved -= q;
      this.held.delete(k);
      n++;
    }
    return Promise.resolve(n);
  }
  releaseOrder(orderId: string) {
    let n = 0;
    for (const [k, q] of [...this.held]) {
      const [o, , locationId, sku] = k.split("|");
      if (o !== orderId) continue;
      this.stock.find((x) => x.locationId === locationId && x.sku === sku)!.reserved -= q;
      this.held.delete(k);
      n++;
    }
    return Promise.resolve(n);
  }
}

const wh = (id: string, lat: number): Location => ({ locationId: id, name: id, kind: "warehouse", country: "DE", lat, lon: 13.4, capabilities: ["ship"], dailyCapacity: 100, handlingCost: { amount: 100, currency: "EUR" }, priority: 1, active: true, groups: [] });

function setup(stock: Stock[], rules = defaultRoutingRules("generic"), address?: Partial<NonNullable<ReturnType<typeof channelOrder>["shippingAddress"]>>) {
  const orders = new FakeOrders();
  const input = channelOrder();
  const order = transition(createOrder({ ...input, shippingAddress: { ...input.shippingAddress!, ...address } }, "01JORDER00000000000000000A", "2026-11-22T09:00:00.000Z"), "CONFIRMED", "2026-11-22T09:00:01.000Z");
  orders.orders.set(order.orderId, order);
  const inventory = new FakeInventory(stock);
  const routing: RoutingData = {
    getSkus: (skus) => Promise.resolve(skus.map((sku) => ({ sku, name: sku, unitWeightGrams: 300, active: true }))),
    listLocations: () => Promise.resolve([wh("NEAR", 52.5), wh("FAR", 48.1)]),
    stockOf: (sku) => Promise.resolve(inventory.stock.filter((s) => s.sku === sku).map((s) => ({ ...s }))),
    rulesFor: () => Promise.resolve(rules),
  };
  const allocations = new FakeAllocations();
  return { deps: { orders, allocations, routing, inventory, clock: fixedClock(), ids: sequentialIds("PLAN") }, order, inventory, allocations, orders };
}

const stock = (sku: string, locationId: string, onHand: number): Stock => ({ sku, locationId, onHand, reserved: 0, safetyStock: 0, reorderPoint: 0 });
const full = () => [stock("TSHIRT-BLK-M", "NEAR", 5), stock("MUG-LOGO", "NEAR", 5), stock("TSHIRT-BLK-M", "FAR", 5), stock("MUG-LOGO", "FAR", 5)];

describe("reserveAndRoute", () => {
  it("plans, reserves the plan and marks the order ALLOCATED; a retry reserves nothing twice", async () => {
    const { deps, order, inventory, orders } = setup(full());
    const first = await reserveAndRoute(deps, order.orderId);
    expect(first).toMatchObject({ outcome: "ALLOCATED", backordered: [], shipments: [{ shipmentId: `${order.orderId}-S1`, locationId: "NEAR" }] });
    expect((await orders.get(order.orderId))?.status).toBe("ALLOCATED");
    const again = await reserveAndRoute(deps, order.orderId);
    expect(again).toEqual(first);
    expect(inventory.calls).toBe(2);
    expect([...inventory.held.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("a plan that lost its stock to another order is discarded and made again", async () => {
    const { deps, order, inventory, allocations } = setup(full());
    inventory.stealOnce = { sku: "TSHIRT-BLK-M", locationId: "NEAR" };
    const record = await reserveAndRoute(deps, order.orderId);
    // NEAR lost its T-shirts: one shipment from FAR beats splitting the order.
    expect(record.shipments.flatMap((s) => s.lines.map((l) => `${s.locationId}:${l.sku}`)).sort()).toEqual(["FAR:MUG-LOGO", "FAR:TSHIRT-BLK-M"]);
    expect(record.planId).toBe(allocations.records.get(order.orderId)?.planId);
    expect(record.planId).not.toBe("PLAN0000000000000000000001");
  });

  it("an order cancelled while it was being routed gets its stock back and stops the workflow", async () => {
    const { deps, order, inventory, orders } = setup(full());
    const reserve = inventory.reserve.bind(inventory);
    inventory.reserve = async (a) => {
      const out = await reserve(a);
      const o = (await orders.get(order.orderId))!;
      await orders.saveHeader(transition(o, "CANCELLED", "t-cancel", "customer"), o.version);
      return out;
    };
    await expect(reserveAndRoute(deps, order.orderId)).rejects.toThrow(OrderCancelledError);
    expect(inventory.held.size).toBe(0);
    expect(inventory.stock.every((s) => s.reserved === 0)).toBe(true);
    await expect(reserveAndRoute(deps, order.orderId)).rejects.toThrow(OrderCancelledError);
  });

  it("short stock: ship-available reserves what it can; backorder reserves nothing", async () => {
    const short = () => [stock("TSHIRT-BLK-M", "NEAR", 1), stock("MUG-LOGO", "NEAR", 5)];
    const a = setup(short());
    expect(await reserveAndRoute(a.deps, a.order.orderId)).toMatchObject({ outcome: "ALLOCATED", backordered: [{ lineId: "001", sku: "TSHIRT-BLK-M", quantity: 1 }] });
    const backorder = { ...defaultRoutingRules("generic"), ...routingRulesInputSchema.parse({ shortagePolicy: "backorder" }) };
    const b = setup(short(), backorder);
    expect(await reserveAndRoute(b.deps, b.order.orderId)).toMatchObject({ outcome: "BACKORDERED", shipments: [] });
    expect(b.inventory.calls).toBe(0);
    expect((await b.orders.get(b.order.orderId))?.statusHistory.at(-1)).toMatchObject({ status: "BACKORDERED", reason: "3 unit(s) backordered" });
  });

  it("an address without coordinates ships to its country's centre; an unknown country waits as BACKORDERED", async () => {
    const a = setup(full(), undefined, { lat: undefined, lon: undefined });
    expect(await reserveAndRoute(a.deps, a.order.orderId)).toMatchObject({ outcome: "ALLOCATED", approximateDestination: true });
    const b = setup(full(), undefined, { lat: undefined, lon: undefined, country: "ZZ" });
    expect(await reserveAndRoute(b.deps, b.order.orderId)).toMatchObject({ outcome: "BACKORDERED", approximateDestination: false });
  });

  it("a backorder planned again (stock came in) replaces its record in place; then reserves", async () => {
    const backorder = { ...defaultRoutingRules("generic"), ...routingRulesInputSchema.parse({ shortagePolicy: "backorder" }) };
    const b = setup([stock("TSHIRT-BLK-M", "NEAR", 1), stock("MUG-LOGO", "NEAR", 5)], backorder);
    const waiting = await reserveAndRoute(b.deps, b.order.orderId);
    expect(waiting.outcome).toBe("BACKORDERED");
    // Without new stock, planning again changes nothing but the plan id: still one record for round 1.
    const still = await reserveAndRoute(b.deps, b.order.orderId, { replan: true });
    expect(still).toMatchObject({ outcome: "BACKORDERED", round: 1 });
    expect(still.planId).not.toBe(waiting.planId);
    expect(await b.allocations.all(b.order.orderId)).toHaveLength(1);
    b.inventory.stock[0]!.onHand = 10;
    expect(await reserveAndRoute(b.deps, b.order.orderId, { replan: true })).toMatchObject({ outcome: "ALLOCATED", round: 1, backordered: [] });
    expect((await b.orders.get(b.order.orderId))?.status).toBe("ALLOCATED");
  });

  it("after a location rejects, the next round plans only the rejected lines, elsewhere, with new shipment and reservation ids", async () => {
    const { deps, order, inventory } = setup(full());
    const first = await reserveAndRoute(deps, order.orderId);
    expect(first.shipments.map((s) => s.locationId)).toEqual(["NEAR"]);
    const shipments = [{ shipmentId: first.shipments[0]!.shipmentId, locationId: "NEAR", status: "REJECTED" as const, lines: first.shipments[0]!.lines }];
    const second = await reserveAndRoute({ ...deps, shipments: { ofOrder: () => Promise.resolve(shipments) } }, order.orderId);
    expect(second).toMatchObject({ round: 2, outcome: "ALLOCATED", excludedLocations: ["NEAR"], shipments: [{ shipmentId: `${order.orderId}-S2`, locationId: "FAR", round: 2 }] });
    expect([...inventory.held.keys()].filter((k) => k.includes("~2"))).toHaveLength(2);
  });
});

describe("rerouteShipment", () => {
  async function rejectedFirst(stockAt: Stock[]) {
    const t = setup(stockAt);
    const first = (await reserveAndRoute(t.deps, t.order.orderId)).shipments[0]!;
    expect(first.locationId).toBe("NEAR");
    await t.inventory.releaseOrder(t.order.orderId); // the withdrawal gave its stock back
    const deps = { ...t.deps, shipments: { ofOrder: () => Promise.resolve([{ ...first, status: "REJECTED" as const }]) } };
    return { ...t, deps, first };
  }

  it("plans the withdrawn lines at once, as a round of their own away from the rejecting location; a retry returns the same shipment and reserves nothing twice", async () => {
    const { deps, order, first, inventory, allocations } = await rejectedFirst(full());
    const next = await rerouteShipment(deps, order.orderId, first);
    expect(next).toMatchObject({ shipmentId: `${order.orderId}-S2`, locationId: "FAR", round: 2 });
    expect(next!.lines.map((l) => [l.lineId, l.quantity])).toEqual(first.lines.map((l) => [l.lineId, l.quantity]));
    expect(allocations.rounds.get(order.orderId)?.at(-1)).toMatchObject({ round: 2, replaces: first.shipmentId, excludedLocations: ["NEAR"] });
    const reserved = inventory.stock.filter((s) => s.locationId === "FAR").map((s) => s.reserved);
    expect(reserved.reduce((a, b) => a + b, 0)).toBe(first.lines.reduce((n, l) => n + l.quantity, 0));
    expect(await rerouteShipment(deps, order.orderId, first)).toEqual(next);
    expect(inventory.stock.filter((s) => s.locationId === "FAR").map((s) => s.reserved)).toEqual(reserved);
    expect(allocations.rounds.get(order.orderId)).toHaveLength(2);
  });

  it("takes nothing when no single other location holds every withdrawn unit: the lines wait for the next round", async () => {
    const { deps, order, first, allocations, inventory } = await rejectedFirst([stock("TSHIRT-BLK-M", "NEAR", 5), stock("MUG-LOGO", "NEAR", 5), stock("TSHIRT-BLK-M", "FAR", 5)]);
    expect(await rerouteShipment(deps, order.orderId, first)).toBeUndefined();
    expect(allocations.rounds.get(order.orderId)).toHaveLength(1);
    expect(inventory.stock.map((s) => s.reserved)).toEqual([0, 0, 0]);
  });
});
