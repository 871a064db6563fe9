import { describe, expect, it } from "vitest";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, eventually, finishedExecution, operatorGet, postOrder } from "./helpers.js";

interface AllocationView {
  outcome: string;
  shipments: { shipmentId: string; locationId: string; lines: { lineId: string; sku: string; quantity: number }[] }[];
  backordered: { lineId: string; sku: string; quantity: number }[];
}

async function placed(overrides: Record<string, unknown>) {
  const res = await postOrder(genericOrderBody(overrides));
  expect(res.status).toBe(202);
  const orderId = String(res.json.orderId);
  expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
  const order = await operatorGet(`/orders/${orderId}`);
  return { orderId, status: order.json.status as string, allocation: order.json.allocation as AllocationView };
}

async function putRules(channel: string, body: unknown) {
  const res = await fetch(`${cloud.apiUrl}/routing/rules/${channel}`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const reservedAt = async (sku: string) =>
  Object.fromEntries(((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; reserved: number }[]).map((l) => [l.locationId, l.reserved]));

describe("reserve and route in the order workflow", () => {
  it("short stock under ship-available: reserves everything that can ship now and records the rest as backordered", async () => {
    const before = await reservedAt("SNEAKER-WHT-42");
    const { orderId, status, allocation } = await placed({ lines: [{ sku: "SNEAKER-WHT-42", quantity: 500, unitPrice: { amount: 8999, currency: "EUR" } }], discountTotal: undefined });
    expect(status).toBe("ALLOCATED");
    const shipped = allocation.shipments.flatMap((s) => s.lines).reduce((t, l) => t + l.quantity, 0);
    expect(shipped).toBeGreaterThan(0);
    expect(allocation.backordered).toEqual([{ lineId: "001", sku: "SNEAKER-WHT-42", quantity: 500 - shipped }]);
    // Exactly the allocation is reserved, location by location.
    const after = await reservedAt("SNEAKER-WHT-42");
    for (const s of allocation.shipments) expect((after[s.locationId] ?? 0) - (before[s.locationId] ?? 0)).toBe(s.lines.reduce((t, l) => t + l.quantity, 0));
    const events = await eventually(() => archivedEvents({ detailType: "OrderAllocated", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
    expect(events[0]?.detail.data).toMatchObject({ orderId, backordered: [{ quantity: 500 - shipped }] });
  });

  it("under the backorder policy, a short order reserves nothing and waits as BACKORDERED", async () => {
    await putRules("generic", { shortagePolicy: "backorder" });
    try {
      const before = await reservedAt("SNEAKER-WHT-42");
      const { orderId, status, allocation } = await placed({ lines: [{ sku: "SNEAKER-WHT-42", quantity: 400, unitPrice: { amount: 8999, currency: "EUR" } }], discountTotal: undefined });
      expect(status).toBe("BACKORDERED");
      expect(allocation).toMatchObject({ outcome: "BACKORDERED", shipments: [], backordered: [{ lineId: "001", quantity: 400 }] });
      expect(await reservedAt("SNEAKER-WHT-42")).toEqual(before);
      const events = await eventually(() => archivedEvents({ detailType: "OrderBackordered", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
      expect(events).toHaveLength(1);
    } finally {
      await putRules("generic", { shortagePolicy: "ship-available" });
    }
  });

  it("an order whose lines no single location holds is split, and each part is reserved where it ships", async () => {
    const { status, allocation } = await placed({
      lines: [
        { sku: "HOODIE-GRY-M", quantity: 4, unitPrice: { amount: 4999, currency: "EUR" } },
        { sku: "TSHIRT-BLK-L", quantity: 1, unitPrice: { amount: 1999, currency: "EUR" } },
      ],
      discountTotal: undefined,
    });
    expect(status).toBe("ALLOCATED");
    // No demo location holds four hoodies and the T-shirt (Munich has both, but only two hoodies).
    expect(allocation.shipments.length).toBeGreaterThanOrEqual(2);
    expect(allocation.backordered).toEqual([]);
    const perLine = new Map<string, number>();
    for (const s of allocation.shipments) for (const l of s.lines) perLine.set(l.lineId, (perLine.get(l.lineId) ?? 0) + l.quantity);
    expect(Object.fromEntries(perLine)).toEqual({ "001": 4, "002": 1 });
  });
});
