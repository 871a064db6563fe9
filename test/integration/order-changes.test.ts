import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { DynamoAllocationStore } from "../../functions/adapters/dynamodb/allocation-store.js";
import { DynamoOrderRepository } from "../../functions/adapters/dynamodb/order-repository.js";
import { DynamoShipmentStore } from "../../functions/adapters/dynamodb/shipment-store.js";
import { cancelLines as prepareCancel } from "../../functions/domain/order-change.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, deliver, dynamo, eventually, finishedExecution, notificationsOf, operatorGet, orderWhen, postOrder, shipIt, shipmentsIn, quiesce } from "./helpers.js";

const EUR = (amount: number) => ({ amount, currency: "EUR" });

// This file's own SKUs and locations: no other test's stock is touched, and none touches ours.
beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  const wh = { kind: "warehouse" as const, country: "DE", capabilities: ["ship" as const], dailyCapacity: 1000, priority: 1, active: true, groups: ["chg-test"], handlingCost: EUR(100) };
  await catalog.putLocation({ ...wh, locationId: "CHG-BER", name: "Change test Berlin", lat: 52.5, lon: 13.4 });
  await catalog.putLocation({ ...wh, locationId: "CHG-HAM", name: "Change test Hamburg", lat: 53.55, lon: 10.0 });
  for (const sku of ["CHG-A", "CHG-B", "CHG-X", "CHG-Y", "CHG-Z", "CHG-E", "CHG-N"]) await catalog.putSku({ sku, name: `Change test item ${sku}`, unitWeightGrams: 500, active: true });
  const stock = (sku: string, locationId: string, onHand: number) => catalog.putStock({ sku, locationId, onHand, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  await stock("CHG-A", "CHG-BER", 100);
  await stock("CHG-B", "CHG-BER", 100);
  await stock("CHG-X", "CHG-BER", 10); // X only in Berlin, Y only in Hamburg: an order of both splits
  await stock("CHG-Y", "CHG-HAM", 10);
  await stock("CHG-Z", "CHG-BER", 0); // Z is out of stock: an order of it waits
  await stock("CHG-E", "CHG-BER", 1); // one E in each city: three are short, one goes from the nearest
  await stock("CHG-E", "CHG-HAM", 1);
  await stock("CHG-N", "CHG-HAM", 10);
});
// The notifications and other event-driven writes this file set off land before the next file's snapshots.
afterAll(() => quiesce(), 30_000);

const stockOf = async (sku: string, locationId: string) => ((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; onHand: number; reserved: number }[]).find((l) => l.locationId === locationId)!;

async function send(method: "POST" | "PATCH", path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${cloud.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${cloud.operatorToken}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } } };
}
const cancelLines = (orderId: string, body: unknown, key: string) => send("POST", `/orders/${orderId}/cancel`, body, { "idempotency-key": key });
const edit = (orderId: string, body: unknown, key: string | null, headers: Record<string, string> = {}) => send("PATCH", `/orders/${orderId}`, body, { ...(key ? { "idempotency-key": key } : {}), ...headers });

async function order(externalOrderId: string, lines: { sku: string; quantity: number; amount: number }[], extra: Record<string, unknown> = {}) {
  const res = await postOrder(genericOrderBody({ externalOrderId, lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: EUR(l.amount) })), payment: { method: "card", token: "tok_visa" }, ...extra }));
  expect(res.status).toBe(202);
  return String(res.json.orderId);
}

async function putRules(body: unknown) {
  const res = await fetch(`${cloud.apiUrl}/routing/rules/generic`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}` }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const eventsOf = (detailType: string, orderId: string, count: number) => eventually(() => archivedEvents({ detailType, where: (d) => d.orderId === orderId }), (e) => e.length >= count);

describe("cancelling some lines of an order", () => {
  it("a line cancelled while its shipment is at the location: the shipment is cut, its stock goes back, the authorization is lowered; the rest ships and is captured at the new total", async () => {
    const [aBefore, bBefore] = [await stockOf("CHG-A", "CHG-BER"), await stockOf("CHG-B", "CHG-BER")];
    // Subtotal 6000, shipping 495, tax 1083, discount 500: 7078 in all.
    const orderId = await order("CHG-cut-1", [{ sku: "CHG-A", quantity: 2, amount: 2500 }, { sku: "CHG-B", quantity: 1, amount: 1000 }]);
    const [released] = await shipmentsIn(orderId, "RELEASED");
    await orderWhen(orderId, (o) => (o.payment as { status?: string } | undefined)?.status === "AUTHORIZED");
    expect(released!.lines.map((l) => l.sku)).toEqual(["CHG-A", "CHG-B"]);
    expect((await stockOf("CHG-B", "CHG-BER")).reserved).toBe(bBefore.reserved + 1);

    const res = await cancelLines(orderId, { reason: "customer changed their mind", lines: [{ lineId: "002" }] }, `cut-${orderId}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    // Tax and discount follow the subtotal (5000 of 6000): 903 and 417; shipping stays.
    expect(res.json).toMatchObject({ orderId, status: "ALLOCATED", revision: 2, totals: { subtotal: EUR(5000), tax: EUR(903), discount: EUR(417), shipping: EUR(495), grandTotal: EUR(5981) }, payment: "AUTHORIZED" });
    expect(res.json.change).toMatchObject({ kind: "cancel-lines", lines: [{ lineId: "002", sku: "CHG-B", from: 1, to: 0 }], shipments: [{ shipmentId: released!.shipmentId, removed: [{ lineId: "002", sku: "CHG-B", quantity: 1 }] }] });
    expect(await stockOf("CHG-B", "CHG-BER")).toMatchObject({ onHand: bBefore.onHand, reserved: bBefore.reserved });
    expect((await stockOf("CHG-A", "CHG-BER")).reserved).toBe(aBefore.reserved + 2);

    // The same request again (a retry) changes nothing and answers the same; the key with another request is refused.
    const again = await cancelLines(orderId, { reason: "customer changed their mind", lines: [{ lineId: "002" }] }, `cut-${orderId}`);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(res.json);
    expect((await cancelLines(orderId, { lines: [{ lineId: "001", quantity: 1 }] }, `cut-${orderId}`)).status).toBe(422);
    expect((await stockOf("CHG-A", "CHG-BER")).reserved).toBe(aBefore.reserved + 2);

    const view = await operatorGet(`/orders/${orderId}`);
    const payment = view.json.payment as { amount: { amount: number }; reductions: unknown[] };
    expect(payment).toMatchObject({ status: "AUTHORIZED", amount: EUR(5981), reductions: [{ revision: 2, from: EUR(7078), to: EUR(5981) }] });
    expect((view.json.lines as { lineId: string; quantity: number; cancelledQuantity?: number }[]).map((l) => [l.lineId, l.quantity, l.cancelledQuantity ?? 0])).toEqual([["001", 2, 0], ["002", 0, 1]]);

    const shipped = await shipIt(orderId, released!.shipmentId);
    expect(shipped.lines).toEqual([{ lineId: "001", sku: "CHG-A", quantity: 2 }]);
    expect(shipped.capture!.amount.amount).toBe(5981);
    expect(await stockOf("CHG-A", "CHG-BER")).toMatchObject({ onHand: aBefore.onHand - 2, reserved: aBefore.reserved });
    await deliver(shipped);
    const done = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect(done.payment).toMatchObject({ status: "CAPTURED", captured: EUR(5981) });
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");

    const [changed, amended, reduced] = await Promise.all([eventsOf("OrderChanged", orderId, 1), eventsOf("ShipmentAmended", orderId, 1), eventsOf("PaymentAuthorizationReduced", orderId, 1)]);
    expect([changed.length, amended.length, reduced.length]).toEqual([1, 1, 1]);
    expect(changed[0]!.detail.data).toMatchObject({ kind: "cancel-lines", revision: 2, grandTotal: EUR(5981) });
    expect(changed[0]!.detail.data).not.toHaveProperty("idempotencyKey");
    expect(amended[0]!.detail.data).toMatchObject({ shipmentId: released!.shipmentId, lines: [{ lineId: "001", quantity: 2 }], removed: [{ lineId: "002", quantity: 1 }] });
    const notes = await notificationsOf(orderId, 4);
    expect(notes.find((n) => n.template === "order-changed")?.text).toContain("59.81");
  });

  it("split order, one part shipped: cancelling the other part's lines cancels that shipment, ends its branch, and settles the payment at the new total; shipped units cannot be cancelled", async () => {
    const yBefore = await stockOf("CHG-Y", "CHG-HAM");
    // Subtotal 5000 (X 3000 + Y 2000): 6078 in all.
    const orderId = await order("CHG-split-1", [{ sku: "CHG-X", quantity: 1, amount: 3000 }, { sku: "CHG-Y", quantity: 2, amount: 1000 }]);
    const released = await shipmentsIn(orderId, "RELEASED", 2);
    const ber = released.find((s) => s.locationId === "CHG-BER")!;
    const ham = released.find((s) => s.locationId === "CHG-HAM")!;
    const first = await shipIt(orderId, ber.shipmentId);
    expect(first.capture!.amount.amount).toBe(3646); // floor(6078 × 3000 / 5000)

    const refused = await cancelLines(orderId, { lines: [{ lineId: "001" }] }, `x-${orderId}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error?.details).toMatchObject({ lines: [{ lineId: "001", requested: 0, cancellable: 0 }], returns: `/orders/${orderId}/returns` });

    const res = await cancelLines(orderId, { reason: "no longer needed", lines: [{ lineId: "002" }] }, `y-${orderId}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    // Subtotal 3000: tax 650, discount 300, shipping 495 → 3845; 3646 was captured, the 199 left is captured now.
    expect(res.json).toMatchObject({ status: "SHIPPED", revision: 2, totals: { grandTotal: EUR(3845) }, payment: "CAPTURED" });
    const view = await orderWhen(orderId, (o) => o.shipments.some((s) => s.shipmentId === ham.shipmentId && s.status === "CANCELLED"));
    expect(view.payment).toMatchObject({ status: "CAPTURED", captured: EUR(3845), amount: EUR(3845) });
    expect(await stockOf("CHG-Y", "CHG-HAM")).toMatchObject({ onHand: yBefore.onHand, reserved: yBefore.reserved });
    // The cancelled shipment's callbacks are refused: the location must not ship it.
    expect((await send("POST", `/fulfillments/${ham.shipmentId}/events`, { type: "accepted" })).status).toBe(409);

    await deliver(first);
    const done = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect((done.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(["RECEIVED", "CONFIRMED", "ALLOCATED", "PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED"]);
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    const cancelled = await eventsOf("ShipmentCancelled", orderId, 1);
    expect(cancelled).toHaveLength(1);
    const captured = await eventsOf("PaymentCaptured", orderId, 2);
    expect(captured.map((e) => (e.detail.data.amount as { amount: number }).amount).sort()).toEqual([199, 3646]);
  });

  it("a waiting backorder: cancelling the missing line lets the rest go on; the customer is authorized only for what is left", async () => {
    await putRules({ shortagePolicy: "backorder" });
    try {
      const aBefore = await stockOf("CHG-A", "CHG-BER");
      const orderId = await order("CHG-bo-1", [{ sku: "CHG-A", quantity: 1, amount: 2000 }, { sku: "CHG-Z", quantity: 5, amount: 1000 }], { discountTotal: undefined, taxTotal: undefined, shippingPrice: undefined });
      await orderWhen(orderId, (o) => o.status === "BACKORDERED");
      expect((await stockOf("CHG-A", "CHG-BER")).reserved).toBe(aBefore.reserved);

      const res = await cancelLines(orderId, { reason: "out of stock, customer agreed", lines: [{ lineId: "002" }] }, `bo-${orderId}`);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(res.json).toMatchObject({ revision: 2, totals: { grandTotal: EUR(2000) } });
      const [s] = await shipmentsIn(orderId, "RELEASED");
      expect(s!.lines).toEqual([{ lineId: "001", sku: "CHG-A", quantity: 1 }]);
      const authorized = await orderWhen(orderId, (o) => (o.payment as { status?: string } | undefined)?.status === "AUTHORIZED");
      expect(authorized.payment).toMatchObject({ amount: EUR(2000) });
      await deliver(await shipIt(orderId, s!.shipmentId));
      expect((await orderWhen(orderId, (o) => o.status === "DELIVERED")).payment).toMatchObject({ status: "CAPTURED", captured: EUR(2000) });
      expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    } finally {
      await putRules({ shortagePolicy: "ship-available" });
    }
  });

  it("a change committed by a call that then died (nothing after the commit ran) is still carried out, from its OrderChanged event", async () => {
    const bBefore = await stockOf("CHG-B", "CHG-BER");
    const orderId = await order("CHG-crash-1", [{ sku: "CHG-A", quantity: 1, amount: 2000 }, { sku: "CHG-B", quantity: 3, amount: 1000 }], { discountTotal: undefined, taxTotal: undefined, shippingPrice: undefined });
    const [released] = await shipmentsIn(orderId, "RELEASED");
    await orderWhen(orderId, (o) => (o.payment as { status?: string } | undefined)?.status === "AUTHORIZED");
    expect((await stockOf("CHG-B", "CHG-BER")).reserved).toBe(bBefore.reserved + 3);
    // What the API does up to its commit, and not one step more.
    const db = documentClient(dynamo);
    const orders = new DynamoOrderRepository(db, cloud.tableName);
    const [current, shipments, latest] = await Promise.all([orders.get(orderId), new DynamoShipmentStore(db, cloud.tableName).ofOrder(orderId), new DynamoAllocationStore(db, cloud.tableName).get(orderId)]);
    const prepared = prepareCancel(current!, shipments, { lines: [{ lineId: "002", quantity: 2 }] }, { at: new Date().toISOString(), actor: "test", reason: "crashed call", idempotencyKey: `crash-${orderId}` });
    expect(await orders.commitChange(prepared, current!.version, { round: latest!.round, planId: latest!.planId })).toBe(true);

    const settled = await eventually(async () => ({ stock: await stockOf("CHG-B", "CHG-BER"), view: await operatorGet(`/orders/${orderId}`) }), (r) => r.stock.reserved === bBefore.reserved + 1 && (r.view.json.payment as { amount: { amount: number } }).amount.amount === 3000);
    expect(settled.stock.reserved).toBe(bBefore.reserved + 1);
    expect(settled.view.json.payment).toMatchObject({ status: "AUTHORIZED", amount: EUR(3000) });
    const shipped = await shipIt(orderId, released!.shipmentId);
    expect(shipped.lines).toEqual([{ lineId: "001", sku: "CHG-A", quantity: 1 }, { lineId: "002", sku: "CHG-B", quantity: 1 }]);
    await deliver(shipped);
    expect((await orderWhen(orderId, (o) => o.status === "DELIVERED")).payment).toMatchObject({ status: "CAPTURED", captured: EUR(3000) });
    expect(await stockOf("CHG-B", "CHG-BER")).toMatchObject({ onHand: bBefore.onHand - 1, reserved: bBefore.reserved });
  });

  it("bad requests write nothing: no Idempotency-Key, an unknown line, more units than the line has; cancelling every line left cancels the order", async () => {
    const orderId = await order("CHG-bad-1", [{ sku: "CHG-A", quantity: 1, amount: 1000 }, { sku: "CHG-B", quantity: 2, amount: 1000 }]);
    await shipmentsIn(orderId, "RELEASED");
    // Released, then the step parks its token on the shipment (a new version): the baseline is the settled order.
    await quiesce();
    const before = await operatorGet(`/orders/${orderId}`);
    const noKey = await send("POST", `/orders/${orderId}/cancel`, { lines: [{ lineId: "001" }] });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error?.details).toMatchObject({ issues: [{ path: "headers.idempotency-key" }] });
    const unknown = await cancelLines(orderId, { lines: [{ lineId: "009" }] }, `bad-1-${orderId}`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error?.details).toMatchObject({ issues: [{ path: "lines.0.lineId" }] });
    const tooMany = await cancelLines(orderId, { lines: [{ lineId: "002", quantity: 3 }] }, `bad-2-${orderId}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error?.details).toMatchObject({ issues: [{ path: "lines.0.quantity" }] });
    expect((await cancelLines(orderId, { lines: [{ lineId: "002", quantity: 0 }] }, `bad-3-${orderId}`)).status).toBe(400);
    const after = await operatorGet(`/orders/${orderId}`);
    expect(after.json).toEqual(before.json);

    const all = await cancelLines(orderId, { reason: "all of it", lines: [{ lineId: "001" }, { lineId: "002" }] }, `all-${orderId}`);
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ status: "CANCELLED", payment: "VOIDED" });
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    expect((await orderWhen(orderId, (o) => o.status === "CANCELLED")).shipments.map((s) => s.status)).toEqual(["CANCELLED"]);
  });
});

describe("editing an order before release", () => {
  it("a backordered order's quantity and address edited: routed again at once, to the location nearest the new address, authorized at the new total; once released, edits are refused", async () => {
    await putRules({ shortagePolicy: "backorder" });
    try {
      const orderId = await order("CHG-edit-1", [{ sku: "CHG-E", quantity: 3, amount: 1500 }], { discountTotal: undefined, taxTotal: undefined });
      await orderWhen(orderId, (o) => o.status === "BACKORDERED");

      expect((await edit(orderId, { lines: [{ lineId: "001", quantity: 1 }] }, null)).status).toBe(400);
      expect((await edit(orderId, { lines: [{ lineId: "007", quantity: 1 }] }, `e0-${orderId}`)).status).toBe(400);
      expect((await edit(orderId, { addLines: [{ sku: "CHG-NOPE", quantity: 1, unitPrice: EUR(100) }] }, `e1-${orderId}`)).status).toBe(400);
      expect((await edit(orderId, { lines: [{ lineId: "001", quantity: 1 }] }, `e2-${orderId}`, { "if-match": "7" })).status).toBe(409);
      expect((await operatorGet(`/orders/${orderId}`)).json).not.toHaveProperty("revision");

      const hamburg = { name: "Grace Hopper", line1: "Hafenstr. 1", city: "Hamburg", postalCode: "20457", country: "DE", lat: 53.54, lon: 9.98 };
      const res = await edit(orderId, { reason: "customer moved", shippingAddress: hamburg, lines: [{ lineId: "001", quantity: 1 }], addLines: [{ sku: "CHG-N", quantity: 2, unitPrice: EUR(500) }] }, `e3-${orderId}`, { "if-match": "1" });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      // 1 × 1500 + 2 × 500 + shipping 495.
      expect(res.json).toMatchObject({ revision: 2, totals: { subtotal: EUR(2500), grandTotal: EUR(2995) } });
      expect(res.json.change).toMatchObject({ kind: "edit", address: { to: hamburg }, lines: [{ lineId: "001", from: 3, to: 1 }, { lineId: "002", sku: "CHG-N", from: 0, to: 2 }] });

      const [s] = await shipmentsIn(orderId, "RELEASED");
      expect(s).toMatchObject({ locationId: "CHG-HAM" });
      expect(s!.lines).toEqual([{ lineId: "001", sku: "CHG-E", quantity: 1 }, { lineId: "002", sku: "CHG-N", quantity: 2 }]);
      const authorized = await orderWhen(orderId, (o) => (o.payment as { status?: string } | undefined)?.status === "AUTHORIZED");
      expect(authorized.payment).toMatchObject({ amount: EUR(2995) });
      expect(authorized.shippingAddress).toEqual(hamburg);

      const late = await edit(orderId, { lines: [{ lineId: "001", quantity: 2 }] }, `e4-${orderId}`);
      expect(late.status).toBe(409);
      expect(late.json.error?.message).toContain("cancel lines instead");
      const shipped = await shipIt(orderId, s!.shipmentId);
      await deliver(shipped);
      expect((await orderWhen(orderId, (o) => o.status === "DELIVERED")).payment).toMatchObject({ status: "CAPTURED", captured: EUR(2995) });
      expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
      const changed = await eventsOf("OrderChanged", orderId, 1);
      expect(changed[0]!.detail.data).toMatchObject({ kind: "edit", revision: 2 });
    } finally {
      await putRules({ shortagePolicy: "ship-available" });
    }
  });
});
