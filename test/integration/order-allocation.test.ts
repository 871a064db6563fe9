import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import type { Location } from "../../functions/domain/catalog.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, deliver, dynamo, eventually, finishedExecution, operatorGet, orderWhen, postOrder, shipIt, shipmentsIn } from "./helpers.js";

// This file's own SKUs and locations, so no other test's stock is touched and none touches ours.
const site = (locationId: string, lat: number, lon: number): Location => ({ locationId, name: locationId, kind: "warehouse", country: "DE", lat, lon, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 120, currency: "EUR" }, priority: 1, active: true, groups: ["alloc-test"] });
beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  for (const l of [site("AL-NORTH", 53.55, 10.0), site("AL-SOUTH", 48.14, 11.58)]) await catalog.putLocation(l);
  for (const sku of ["ALLOC-A", "ALLOC-B", "ALLOC-C", "ALLOC-D"]) await catalog.putSku({ sku, name: sku, unitWeightGrams: 500, active: true });
  const stock: [string, string, number][] = [["ALLOC-A", "AL-NORTH", 30], ["ALLOC-A", "AL-SOUTH", 20], ["ALLOC-B", "AL-NORTH", 5], ["ALLOC-C", "AL-NORTH", 10], ["ALLOC-D", "AL-SOUTH", 10]];
  for (const [sku, locationId, onHand] of stock) await catalog.putStock({ sku, locationId, onHand, reserved: 0, safetyStock: 0, reorderPoint: 0 });
});
const line = (sku: string, quantity: number) => ({ sku, quantity, unitPrice: { amount: 1000, currency: "EUR" } });

interface AllocationView {
  outcome: string;
  shipments: { shipmentId: string; locationId: string; lines: { lineId: string; sku: string; quantity: number }[] }[];
  backordered: { lineId: string; sku: string; quantity: number }[];
}

async function placed(overrides: Record<string, unknown>) {
  const res = await postOrder(genericOrderBody(overrides));
  expect(res.status).toBe(202);
  const orderId = String(res.json.orderId);
  // Allocated: the workflow waits on the locations; backordered: on the stock.
  const order = await orderWhen(orderId, (o) => (o.status === "ALLOCATED" && o.shipments.length > 0) || (o.status === "BACKORDERED" && o.allocation !== undefined));
  return { orderId, status: order.status, allocation: order.allocation as AllocationView };
}

async function putRules(channel: string, body: unknown) {
  const res = await fetch(`${cloud.apiUrl}/routing/rules/${channel}`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const reservedAt = async (sku: string) =>
  Object.fromEntries(((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; reserved: number }[]).map((l) => [l.locationId, l.reserved]));

describe("reserve and route in the order workflow", () => {
  it("short stock under ship-available: reserves everything that can ship now and records the rest as backordered", async () => {
    const before = await reservedAt("ALLOC-A");
    const { orderId, status, allocation } = await placed({ lines: [line("ALLOC-A", 80)], discountTotal: undefined });
    expect(status).toBe("ALLOCATED");
    const shipped = allocation.shipments.flatMap((s) => s.lines).reduce((t, l) => t + l.quantity, 0);
    // All 50 units there are go now (an unshipped unit costs more than any shipment); 30 wait.
    expect(shipped).toBe(50);
    expect(allocation.backordered).toEqual([{ lineId: "001", sku: "ALLOC-A", quantity: 30 }]);
    // Exactly the allocation is reserved, location by location.
    const after = await reservedAt("ALLOC-A");
    for (const s of allocation.shipments) expect((after[s.locationId] ?? 0) - (before[s.locationId] ?? 0)).toBe(s.lines.reduce((t, l) => t + l.quantity, 0));
    const events = await eventually(() => archivedEvents({ detailType: "OrderAllocated", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
    expect(events[0]?.detail.data).toMatchObject({ orderId, status: "ALLOCATED", reason: "30 unit(s) backordered" });
  });

  it("under the backorder policy, a short order reserves nothing and waits; a receipt brings it back: allocated, shipped, delivered", async () => {
    await putRules("generic", { shortagePolicy: "backorder" });
    try {
      const before = await reservedAt("ALLOC-B");
      const { orderId, status, allocation } = await placed({ lines: [line("ALLOC-B", 10)], discountTotal: undefined, payment: { method: "card", token: "tok_visa" } });
      expect(status).toBe("BACKORDERED");
      expect(allocation).toMatchObject({ outcome: "BACKORDERED", shipments: [], backordered: [{ lineId: "001", quantity: 10 }] });
      expect(await reservedAt("ALLOC-B")).toEqual(before);
      const events = await eventually(() => archivedEvents({ detailType: "OrderBackordered", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
      expect(events).toHaveLength(1);
      // Nothing is authorized while the order waits for stock.
      expect((await operatorGet(`/orders/${orderId}`)).json.payment).toEqual({ method: "card" });

      // Stock arrives: 10 more at the north site (5 + 10 ≥ 10).
      const res = await fetch(`${cloud.apiUrl}/inventory/adjustments`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}`, "idempotency-key": `receipt-${orderId}` },
        body: JSON.stringify({ adjustments: [{ sku: "ALLOC-B", locationId: "AL-NORTH", delta: 10, reason: "receipt" }] }),
      });
      expect(res.status).toBe(200);
      const [s] = await shipmentsIn(orderId, "RELEASED");
      expect(s).toMatchObject({ locationId: "AL-NORTH", lines: [{ lineId: "001", quantity: 10 }] });
      expect((await reservedAt("ALLOC-B"))["AL-NORTH"]).toBe((before["AL-NORTH"] ?? 0) + 10);
      await deliver(await shipIt(orderId, s!.shipmentId));
      const view = await orderWhen(orderId, (o) => o.status === "DELIVERED");
      expect((view.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(["RECEIVED", "CONFIRMED", "BACKORDERED", "ALLOCATED", "SHIPPED", "DELIVERED"]);
      expect(view.payment).toMatchObject({ status: "CAPTURED" });
      expect(await reservedAt("ALLOC-B")).toEqual(before);
      expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    } finally {
      await putRules("generic", { shortagePolicy: "ship-available" });
    }
  });

  it("an order whose lines no single location holds is split, and each part is reserved where it ships", async () => {
    const { status, allocation } = await placed({
      lines: [line("ALLOC-C", 4), line("ALLOC-D", 1)],
      discountTotal: undefined,
    });
    expect(status).toBe("ALLOCATED");
    // C is only in the north, D only in the south.
    expect(allocation.shipments.map((s) => s.locationId)).toEqual(["AL-NORTH", "AL-SOUTH"]);
    expect(allocation.backordered).toEqual([]);
    const perLine = new Map<string, number>();
    for (const s of allocation.shipments) for (const l of s.lines) perLine.set(l.lineId, (perLine.get(l.lineId) ?? 0) + l.quantity);
    expect(Object.fromEntries(perLine)).toEqual({ "001": 4, "002": 1 });
  });
});
