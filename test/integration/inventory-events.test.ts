import { describe, expect, it } from "vitest";
import { archivedEvents, eventually, operatorCall, operatorGet, snapshot } from "./helpers.js";

const call = operatorCall;

const location = (id: string) => ({ name: `Events ${id}`, kind: "warehouse", country: "DE", lat: 52.0, lon: 13.0, capabilities: ["ship"], dailyCapacity: 100, handlingCost: { amount: 100, currency: "EUR" }, priority: 5, active: true, groups: [] });
const typesAt = async (locationId: string) =>
  // The threshold and journal events (AvailabilityChanged, on every ATP change, is the channels' and asserted on its own).
  (await archivedEvents({ source: "oms.inventory", where: (d) => d.locationId === locationId })).filter((e) => e["detail-type"] !== "AvailabilityChanged").map((e) => `${e["detail-type"]}:${String(e.detail.data.atp ?? e.detail.data.reason)}`);

describe("stock planning", () => {
  it("PUT /inventory/{sku}/locations/{id} sets safety stock, reorder point and incoming; ATP and totals follow", async () => {
    expect((await call("PUT", "/locations/WH-PLAN", location("WH-PLAN"))).status).toBe(200);
    const incoming = [
      { reference: "PO-2", source: "purchase-order", quantity: 30, expectedAt: "2026-12-10T00:00:00Z" },
      { reference: "TR-1", source: "transfer", quantity: 5, expectedAt: "2026-12-01T00:00:00Z" },
    ];
    const res = await call("PUT", "/inventory/MUG-LOGO/locations/WH-PLAN", { safetyStock: 2, reorderPoint: 5, incoming });
    expect(res).toMatchObject({ status: 200, json: { sku: "MUG-LOGO", locationId: "WH-PLAN", onHand: 0, safetyStock: 2, reorderPoint: 5, atp: 0, incomingQuantity: 35 } });
    expect((res.json.incoming as { reference: string }[]).map((i) => i.reference)).toEqual(["TR-1", "PO-2"]);

    const receipt = await call("POST", "/inventory/adjustments", { adjustments: [{ sku: "MUG-LOGO", locationId: "WH-PLAN", delta: 12, reason: "receipt", reference: "PO-2" }] }, { "idempotency-key": "plan-receipt-1" });
    expect(receipt.status).toBe(200);
    expect(receipt.json.adjustments).toEqual([expect.objectContaining({ after: { onHand: 12, available: 10 }, settled: { reference: "PO-2", remaining: 18 } })]);
    const view = await operatorGet("/inventory/MUG-LOGO");
    const here = (view.json.locations as { locationId: string; atp: number; incoming: { reference: string; quantity: number }[] }[]).find((l) => l.locationId === "WH-PLAN");
    expect(here).toMatchObject({ atp: 10, incoming: [{ reference: "TR-1", quantity: 5 }, { reference: "PO-2", quantity: 18 }] });
    expect((view.json.totals as { incoming: number }).incoming).toBe(23);
  });

  it("refuses bad planning with the field, unknown SKU or location, and writes nothing", async () => {
    const before = await snapshot();
    const bad = await call("PUT", "/inventory/MUG-LOGO/locations/WH-PLAN", { safetyStock: -1, reorderPoint: 1.5, incoming: [{ reference: "X", source: "gift", quantity: 0, expectedAt: "soon" }] });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(["incoming.0.expectedAt", "incoming.0.quantity", "incoming.0.source", "reorderPoint", "safetyStock"]);
    expect((await call("PUT", "/inventory/NO-SUCH-SKU/locations/WH-PLAN", { safetyStock: 0, reorderPoint: 0 })).status).toBe(400);
    const wrongReason = await call("POST", "/inventory/adjustments", { adjustments: [{ sku: "MUG-LOGO", locationId: "WH-PLAN", delta: -1, reason: "damage", reference: "PO-2" }] }, { "idempotency-key": "plan-bad-ref" });
    expect(wrongReason.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});

describe("inventory events", () => {
  it("publishes InventoryAdjusted, BackInStock, InventoryLow, OutOfStock once per crossing, from the table's stream", async () => {
    const at = "WH-EVT";
    expect((await call("PUT", `/locations/${at}`, location(at))).status).toBe(200);
    // A first receipt: the record appears with 10 available.
    expect((await call("POST", "/inventory/adjustments", { adjustments: [{ sku: "MUG-LOGO", locationId: at, delta: 10, reason: "receipt" }] }, { "idempotency-key": "evt-1" })).status).toBe(200);
    expect((await call("PUT", `/inventory/MUG-LOGO/locations/${at}`, { safetyStock: 0, reorderPoint: 4 })).status).toBe(200);
    const reserve = (orderId: string, quantity: number) => call("POST", "/reservations", { orderId, lines: [{ lineId: "1", sku: "MUG-LOGO", locationId: at, quantity }] });
    expect((await reserve("evt-o1", 3)).status).toBe(201); // 7: above the reorder point, no event
    expect((await reserve("evt-o2", 3)).status).toBe(201); // 4: falls to the reorder point
    expect((await reserve("evt-o3", 1)).status).toBe(201); // 3: already low, nothing new
    expect((await reserve("evt-o4", 3)).status).toBe(201); // 0: out of stock
    expect((await call("POST", "/reservations/evt-o4/release", { lines: [{ lineId: "1", sku: "MUG-LOGO", locationId: at }] })).status).toBe(200); // 3: back

    const expected = ["InventoryAdjusted:receipt", "BackInStock:10", "InventoryLow:4", "OutOfStock:0", "BackInStock:3"];
    const seen = await eventually(() => typesAt(at), (t) => t.length >= expected.length);
    // Stream order is per item; the journal entry and the stock change of one adjustment are two items.
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(seen.filter((t) => t.startsWith("InventoryLow") || t.startsWith("OutOfStock") || t.startsWith("BackInStock"))).toEqual(expected.slice(1));

    const low = (await archivedEvents({ detailType: "InventoryLow", where: (d) => d.locationId === at }))[0];
    expect(low?.detail.data).toMatchObject({ sku: "MUG-LOGO", locationId: at, atp: 4, previousAtp: 7, reorderPoint: 4 });
    expect(low?.detail.metadata.eventId).toMatch(/^MUG-LOGO@WH-EVT\.v\d+\.InventoryLow$/);
    const adjusted = (await archivedEvents({ detailType: "InventoryAdjusted", where: (d) => d.locationId === at }))[0];
    expect(adjusted?.detail.data).toMatchObject({ sku: "MUG-LOGO", reason: "receipt", delta: 10, actor: "arn:aws:iam::000000000000:user/local-operator", before: { onHand: 0 }, after: { onHand: 10 } });
  });
});
