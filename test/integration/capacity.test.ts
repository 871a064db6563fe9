import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { cloud, dynamo, postOrder, shipmentsIn, quiesce } from "./helpers.js";

const EUR = (amount: number) => ({ amount, currency: "EUR" });

// Near Berlin takes one shipment a day; Far (Munich) takes a hundred. Both hold the SKU.
beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  const wh = { kind: "warehouse" as const, country: "DE", capabilities: ["ship" as const], priority: 1, active: true, groups: ["cap-test"], handlingCost: EUR(100) };
  await catalog.putLocation({ ...wh, locationId: "CAP-NEAR", name: "Capacity test Berlin", lat: 52.5, lon: 13.4, dailyCapacity: 1 });
  await catalog.putLocation({ ...wh, locationId: "CAP-FAR", name: "Capacity test Munich", lat: 48.14, lon: 11.58, dailyCapacity: 100 });
  await catalog.putSku({ sku: "CAP-A", name: "Capacity test item", unitWeightGrams: 500, active: true });
  for (const locationId of ["CAP-NEAR", "CAP-FAR"]) await catalog.putStock({ sku: "CAP-A", locationId, onHand: 10, reserved: 0, safetyStock: 0, reorderPoint: 0 });
});
// The notifications and other event-driven writes this file set off land before the next file's snapshots.
afterAll(() => quiesce(), 30_000);

async function quote() {
  const res = await fetch(`${cloud.apiUrl}/routing/quote`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}` },
    body: JSON.stringify({ channel: "generic", lines: [{ sku: "CAP-A", quantity: 1 }], delivery: { kind: "ship", lat: 52.53, lon: 13.38 } }),
  });
  return (await res.json()) as { shipments: { locationId: string }[]; explanation: { rejected: { locationId: string; code: string }[] } };
}

describe("daily capacity", () => {
  it("shipments released today use up a location's daily capacity: the next order goes to the location that has some left", async () => {
    expect((await quote()).shipments.map((s) => s.locationId)).toEqual(["CAP-NEAR"]);
    const first = await postOrder(genericOrderBody({ externalOrderId: "CAP-1", lines: [{ sku: "CAP-A", quantity: 1, unitPrice: EUR(1000) }] }));
    expect((await shipmentsIn(String(first.json.orderId), "RELEASED")).map((s) => s.locationId)).toEqual(["CAP-NEAR"]);

    const after = await quote();
    expect(after.shipments.map((s) => s.locationId)).toEqual(["CAP-FAR"]);
    expect(after.explanation.rejected.find((r) => r.locationId === "CAP-NEAR")).toMatchObject({ code: "no-capacity" });
    const second = await postOrder(genericOrderBody({ externalOrderId: "CAP-2", lines: [{ sku: "CAP-A", quantity: 1, unitPrice: EUR(1000) }] }));
    expect((await shipmentsIn(String(second.json.orderId), "RELEASED")).map((s) => s.locationId)).toEqual(["CAP-FAR"]);
  });
});
