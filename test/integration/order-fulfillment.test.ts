import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { archivedEvents, cloud, deliver, dynamo, eventually, executionArn, finishedExecution, fulfillmentEvent, notificationsOf, operatorGet, outbox, operatorPost, orderWhen, postOrder, sfn, shipIt, shipmentsIn, quiesce } from "./helpers.js";

const EUR = (amount: number) => ({ amount, currency: "EUR" });

beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  const wh = { kind: "warehouse" as const, country: "DE", capabilities: ["ship" as const], dailyCapacity: 1000, priority: 1, active: true, groups: ["ful-test"] };
  await catalog.putLocation({ ...wh, locationId: "FUL-BER", name: "Fulfillment test Berlin", lat: 52.5, lon: 13.4, handlingCost: EUR(100) });
  await catalog.putLocation({ ...wh, locationId: "FUL-HAM", name: "Fulfillment test Hamburg", lat: 53.55, lon: 10.0, handlingCost: EUR(100) });
  await catalog.putLocation({ ...wh, kind: "store", capabilities: ["pickup"], locationId: "FUL-STORE", name: "Fulfillment test store", lat: 48.1, lon: 11.6, handlingCost: EUR(300) });
  await catalog.putLocation({ ...wh, locationId: "FUL-MUC", name: "Fulfillment test Munich", lat: 48.14, lon: 11.58, handlingCost: EUR(100) });
  for (const sku of ["FUL-A", "FUL-X", "FUL-Y", "FUL-R", "FUL-C", "FUL-P", "FUL-M1", "FUL-M2", "FUL-S", "FUL-T"]) await catalog.putSku({ sku, name: `Fulfillment test item ${sku}`, unitWeightGrams: 500, active: true });
  const stock = (sku: string, locationId: string, onHand: number) => catalog.putStock({ sku, locationId, onHand, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  await stock("FUL-A", "FUL-BER", 100);
  await stock("FUL-X", "FUL-BER", 10); // X only in Berlin, Y only in Hamburg: an order of both splits
  await stock("FUL-Y", "FUL-HAM", 10);
  await stock("FUL-R", "FUL-BER", 10); // R in both: Berlin is nearer; Hamburg takes over when Berlin rejects
  await stock("FUL-R", "FUL-HAM", 10);
  await stock("FUL-C", "FUL-BER", 10);
  await stock("FUL-P", "FUL-BER", 100); // P in the warehouse too: a pickup order still goes to its store
  await stock("FUL-P", "FUL-STORE", 5);
  await stock("FUL-M1", "FUL-BER", 10); // M1 only in Berlin; M2 in Hamburg (nearer) and Munich
  await stock("FUL-M2", "FUL-HAM", 10);
  await stock("FUL-M2", "FUL-MUC", 10);
  await stock("FUL-S", "FUL-BER", 1); // S: one in Berlin, none yet in Hamburg: an order of three ships one now
  await stock("FUL-S", "FUL-HAM", 0);
  await stock("FUL-T", "FUL-HAM", 2); // T: two in Hamburg, an order of four waits for two
});
// The notifications and other event-driven writes this file set off land before the next file's snapshots.
afterAll(() => quiesce(), 30_000);

const stockOf = async (sku: string, locationId: string) => ((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; onHand: number; reserved: number }[]).find((l) => l.locationId === locationId)!;

describe("the order's life to delivery", () => {
  it("happy path, one shipment: released, picked, packed, shipped (label, stock consumed, payment captured), delivered", async () => {
    const before = await stockOf("FUL-A", "FUL-BER");
    const res = await postOrder(genericOrderBody({ externalOrderId: "FUL-happy-1", lines: [{ sku: "FUL-A", quantity: 2, unitPrice: EUR(2500) }], payment: { method: "card", token: "tok_visa" } }));
    const orderId = String(res.json.orderId);
    const [released] = await shipmentsIn(orderId, "RELEASED");
    expect(released).toMatchObject({ shipmentId: `${orderId}-S1`, locationId: "FUL-BER", round: 1 });
    expect((await stockOf("FUL-A", "FUL-BER")).reserved).toBe(before.reserved + 2);

    const shipped = await shipIt(orderId, released!.shipmentId);
    expect(shipped.carrierShipment).toMatchObject({ carrier: "oms-post" });
    const after = await stockOf("FUL-A", "FUL-BER");
    expect(after).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    const label = await fetch(`${cloud.apiUrl}/shipments/${released!.shipmentId}/label`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } });
    expect(label.status).toBe(200);
    expect(label.headers.get("content-type")).toBe("application/pdf");
    const pdf = Buffer.from(await label.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getPage(0).getSize()).toEqual({ width: 288, height: 432 });
    expect(doc.getTitle()).toBe(`Shipping label ${shipped.carrierShipment!.trackingNumber}`);

    await deliver(shipped);
    const done = await finishedExecution(orderId);
    expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({ status: "SUCCEEDED", error: undefined, cause: undefined });
    const view = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect((view.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(["RECEIVED", "CONFIRMED", "ALLOCATED", "SHIPPED", "DELIVERED"]);
    expect(view.shipments.map((s) => s.status)).toEqual(["DELIVERED"]);
    // The design target: at most 10 billed state transitions for a single-shipment order.
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(orderId), maxResults: 1000 }));
    expect(history.events?.filter((e) => e.type?.endsWith("StateEntered")).length).toBe(10);
    expect(view.payment).toMatchObject({ status: "CAPTURED", captured: view.totals && (view.totals as { grandTotal: unknown }).grandTotal });

    const events = await eventually(
      () => Promise.all(["ShipmentReleased", "ShipmentShipped", "ShipmentDelivered", "PaymentCaptured", "OrderShipped", "OrderDelivered"].map((detailType) => archivedEvents({ detailType, where: (d) => d.orderId === orderId }))),
      (all) => all.every((e) => e.length === 1),
    );
    expect(events.map((e) => e.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(events[1]![0]!.detail.data).toMatchObject({ trackingNumber: shipped.carrierShipment!.trackingNumber, carrier: "oms-post" });
    // Email and SMS land in any order: wait for the three emails the customer must get, not for a count.
    const wanted = ["order-confirmed", "shipment-shipped", "order-delivered"];
    const notes = await eventually(() => outbox.forOrder(orderId), (entries) => wanted.every((t) => entries.some((n) => n.template === t)));
    expect(notes.map((n) => n.template)).toEqual(expect.arrayContaining(wanted));
  });
});

/** A cancelled order's end: the workflow succeeded, its shipment is CANCELLED, the authorization voided, the stock as before. */
async function endedCancelled(orderId: string, sku: string, locationId: string, before: { onHand: number; reserved: number }) {
  expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
  const view = await orderWhen(orderId, (o) => o.status === "CANCELLED");
  expect(view.shipments.map((s) => s.status)).toEqual(["CANCELLED"]);
  expect(view.payment).toMatchObject({ status: "VOIDED" });
  expect(await stockOf(sku, locationId)).toMatchObject({ onHand: before.onHand, reserved: before.reserved });
  return view;
}

const order = async (externalOrderId: string, lines: { sku: string; quantity: number; amount: number }[], extra: Record<string, unknown> = {}) => {
  const res = await postOrder(genericOrderBody({ externalOrderId, lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: EUR(l.amount) })), payment: { method: "card", token: "tok_visa" }, ...extra }));
  expect(res.status).toBe(202);
  return String(res.json.orderId);
};

describe("split, rejection, cancellation", () => {
  it("split shipment: each location ships its part, each capture takes its share, the captures add up to the total", async () => {
    const orderId = await order("FUL-split-1", [{ sku: "FUL-X", quantity: 1, amount: 3000 }, { sku: "FUL-Y", quantity: 2, amount: 1000 }]);
    const released = await shipmentsIn(orderId, "RELEASED", 2);
    expect(released.map((s) => s.locationId).sort()).toEqual(["FUL-BER", "FUL-HAM"]);
    const first = await shipIt(orderId, released.find((s) => s.locationId === "FUL-BER")!.shipmentId);
    const partial = await orderWhen(orderId, (o) => o.status === "PARTIALLY_SHIPPED");
    expect(partial.payment).toMatchObject({ status: "PARTIALLY_CAPTURED" });
    const second = await shipIt(orderId, released.find((s) => s.locationId === "FUL-HAM")!.shipmentId);
    await deliver(first);
    expect((await orderWhen(orderId, (o) => o.status === "SHIPPED")).status).toBe("SHIPPED");
    await deliver(second);
    const view = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    const total = (view.totals as { grandTotal: { amount: number } }).grandTotal.amount;
    const captures = view.shipments.map((s) => s.capture!.amount.amount);
    expect(captures.reduce((a, b) => a + b, 0)).toBe(total);
    expect(view.payment).toMatchObject({ status: "CAPTURED", captured: { amount: total } });
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    const captured = await eventually(() => archivedEvents({ detailType: "PaymentCaptured", where: (d) => d.orderId === orderId }), (e) => e.length === 2);
    expect(captured).toHaveLength(2);
  });

  it("a location rejects: its stock goes back, the lines are routed to another location, which ships them", async () => {
    const [berBefore, hamBefore] = [await stockOf("FUL-R", "FUL-BER"), await stockOf("FUL-R", "FUL-HAM")];
    const orderId = await order("FUL-reject-1", [{ sku: "FUL-R", quantity: 2, amount: 2000 }]);
    const [first] = await shipmentsIn(orderId, "RELEASED");
    expect(first!.locationId).toBe("FUL-BER");
    expect((await fulfillmentEvent(first!.shipmentId, { type: "accepted" })).status).toBe(200);
    expect((await fulfillmentEvent(first!.shipmentId, { type: "rejected", reason: "damaged in the bin" })).json).toMatchObject({ status: "REJECTED" });
    const view = await orderWhen(orderId, (o) => o.shipments.some((s) => s.status === "RELEASED" && s.round === 2));
    const second = view.shipments.find((s) => s.round === 2)!;
    expect(second).toMatchObject({ shipmentId: `${orderId}-S2`, locationId: "FUL-HAM" });
    expect(await stockOf("FUL-R", "FUL-BER")).toMatchObject({ onHand: berBefore.onHand, reserved: berBefore.reserved });
    // A late callback for the rejected shipment is refused.
    expect((await fulfillmentEvent(first!.shipmentId, { type: "packed" })).status).toBe(409);
    await deliver(await shipIt(orderId, second.shipmentId));
    const done = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect(done.shipments.map((s) => [s.shipmentId, s.status])).toEqual([[first!.shipmentId, "REJECTED"], [second.shipmentId, "DELIVERED"]]);
    expect(done.allocation).toMatchObject({ round: 2, excludedLocations: ["FUL-BER"] });
    expect(await stockOf("FUL-R", "FUL-HAM")).toMatchObject({ onHand: hamBefore.onHand - 2, reserved: hamBefore.reserved });
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    const rejected = await eventually(() => archivedEvents({ detailType: "ShipmentRejected", where: (d) => d.orderId === orderId }), (e) => e.length === 1);
    expect(rejected[0]?.detail.data).toMatchObject({ shipmentId: first!.shipmentId, reason: "damaged in the bin" });
  });

  it("split, and one location rejects: its lines go to a third location at once, while the other part is still being picked", async () => {
    const orderId = await order("FUL-reroute-split", [{ sku: "FUL-M1", quantity: 1, amount: 2000 }, { sku: "FUL-M2", quantity: 3, amount: 1000 }]);
    const released = await shipmentsIn(orderId, "RELEASED", 2);
    expect(released.map((s) => s.locationId).sort()).toEqual(["FUL-BER", "FUL-HAM"]);
    const ber = released.find((s) => s.locationId === "FUL-BER")!;
    const ham = released.find((s) => s.locationId === "FUL-HAM")!;
    expect((await fulfillmentEvent(ham.shipmentId, { type: "rejected", reason: "shelf empty" })).status).toBe(200);
    // Rerouted in its own branch: Munich has it released while Berlin has not shipped yet.
    const view = await orderWhen(orderId, (o) => o.shipments.some((s) => s.locationId === "FUL-MUC" && s.status === "RELEASED"));
    expect(view.shipments.map((s) => [s.locationId, s.status, s.round])).toEqual([
      ["FUL-BER", "RELEASED", 1],
      ["FUL-HAM", "REJECTED", 1],
      ["FUL-MUC", "RELEASED", 2],
    ]);
    expect(await stockOf("FUL-M2", "FUL-HAM")).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await stockOf("FUL-M2", "FUL-MUC")).toMatchObject({ onHand: 10, reserved: 3 });
    const muc = view.shipments.find((s) => s.locationId === "FUL-MUC")!;
    await deliver(await shipIt(orderId, muc.shipmentId));
    await deliver(await shipIt(orderId, ber.shipmentId));
    const done = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    const total = (done.totals as { grandTotal: { amount: number } }).grandTotal.amount;
    expect(done.shipments.filter((s) => s.capture).map((s) => s.capture!.amount.amount).reduce((a, b) => a + b, 0)).toBe(total);
    expect(done.payment).toMatchObject({ status: "CAPTURED", captured: { amount: total } });
    expect(done.allocation).toMatchObject({ round: 2, rounds: 2, replaces: ham.shipmentId, excludedLocations: ["FUL-HAM"] });
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    expect(await stockOf("FUL-M2", "FUL-MUC")).toMatchObject({ onHand: 7, reserved: 0 });
  });

  it("cancel before shipment: the location's request ends, the stock goes back and the authorization is voided", async () => {
    const before = await stockOf("FUL-C", "FUL-BER");
    const orderId = await order("FUL-cancel-1", [{ sku: "FUL-C", quantity: 3, amount: 1500 }]);
    const [released] = await shipmentsIn(orderId, "RELEASED");
    expect((await fulfillmentEvent(released!.shipmentId, { type: "picked" })).status).toBe(200);
    expect((await operatorPost(`/orders/${orderId}/cancel`, { reason: "customer changed their mind" })).json).toMatchObject({ orderId, status: "CANCELLED", released: 1, payment: "VOIDED" });
    await endedCancelled(orderId, "FUL-C", "FUL-BER", before);
    expect((await fulfillmentEvent(released!.shipmentId, { type: "shipped", carrier: "oms-post", weightGrams: 900 })).status).toBe(409);
    const events = await eventually(() => Promise.all(["OrderCancelled", "ShipmentCancelled", "PaymentVoided"].map((detailType) => archivedEvents({ detailType, where: (d) => d.orderId === orderId }))), (all) => all.every((e) => e.length === 1));
    expect(events.map((e) => e.length)).toEqual([1, 1, 1]);
  });

  it("cancel after shipment is refused with 409 and points to returns; nothing changes", async () => {
    const orderId = await order("FUL-cancel-2", [{ sku: "FUL-C", quantity: 1, amount: 1500 }]);
    const [released] = await shipmentsIn(orderId, "RELEASED");
    await shipIt(orderId, released!.shipmentId);
    const refused = await operatorPost(`/orders/${orderId}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "CONFLICT", details: { shipmentId: released!.shipmentId, returns: `/orders/${orderId}/returns` } });
    const view = await orderWhen(orderId, (o) => o.status === "SHIPPED");
    expect(view.payment).toMatchObject({ status: "CAPTURED" });
  });
});

describe("buy online, pick up in store", () => {
  it("the store sets the order aside (the customer is told), the customer collects it: stock consumed, payment captured, delivered", async () => {
    const before = await stockOf("FUL-P", "FUL-STORE");
    // No shipping address: the customer comes to the store.
    const orderId = await order("FUL-pickup-1", [{ sku: "FUL-P", quantity: 2, amount: 1500 }], { pickup: { locationId: "FUL-STORE" }, shippingAddress: undefined });
    const [released] = await shipmentsIn(orderId, "RELEASED");
    expect(released).toMatchObject({ locationId: "FUL-STORE", round: 1 });
    // A pickup never meets a carrier.
    const shipped = await fulfillmentEvent(released!.shipmentId, { type: "shipped", carrier: "oms-post", weightGrams: 500 });
    expect(shipped.status).toBe(409);
    expect((shipped.json.error as { message: string }).message).toContain("is a pickup");
    for (const type of ["accepted", "picked", "ready_for_pickup"]) expect((await fulfillmentEvent(released!.shipmentId, { type })).status).toBe(200);
    const ready = await orderWhen(orderId, (o) => o.status === "READY_FOR_PICKUP");
    expect(ready.shipments[0]).toMatchObject({ status: "READY_FOR_PICKUP" });
    expect(ready.shippingAddress).toBeUndefined();
    expect((ready.shipments[0] as unknown as { pickupBy: string }).pickupBy).toMatch(/^\d{4}-/);
    // Set aside, not sold yet: still reserved, nothing captured.
    expect(await stockOf("FUL-P", "FUL-STORE")).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 2 });
    expect(ready.payment).toMatchObject({ status: "AUTHORIZED" });

    const collected = await fulfillmentEvent(released!.shipmentId, { type: "picked_up" });
    expect(collected).toMatchObject({ status: 200, json: { status: "PICKED_UP", handedOver: true } });
    const done = await finishedExecution(orderId);
    expect({ status: done.status, error: done.error }).toEqual({ status: "SUCCEEDED", error: undefined });
    const view = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect((view.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(["RECEIVED", "CONFIRMED", "ALLOCATED", "READY_FOR_PICKUP", "DELIVERED"]);
    expect(view.shipments.map((s) => s.status)).toEqual(["PICKED_UP"]);
    // The same three steps per branch as a parcel: 10 billed transitions.
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(orderId), maxResults: 1000 }));
    expect(history.events?.filter((e) => e.type?.endsWith("StateEntered")).length).toBe(10);
    expect(view.payment).toMatchObject({ status: "CAPTURED", captured: (view.totals as { grandTotal: unknown }).grandTotal });
    expect(view.shipments[0]?.capture?.amount).toEqual((view.totals as { grandTotal: unknown }).grandTotal);
    expect(await stockOf("FUL-P", "FUL-STORE")).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    // The store's retry changes nothing.
    expect(await fulfillmentEvent(released!.shipmentId, { type: "picked_up" })).toMatchObject({ status: 200, json: { status: "PICKED_UP" } });
    expect(await stockOf("FUL-P", "FUL-STORE")).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });

    const events = await eventually(
      () => Promise.all(["ShipmentReadyForPickup", "ShipmentPickedUp", "OrderReadyForPickup", "OrderDelivered", "PaymentCaptured", "ShipmentShipped"].map((detailType) => archivedEvents({ detailType, where: (d) => d.orderId === orderId }))),
      (all) => all.slice(0, 5).every((e) => e.length === 1),
    );
    expect(events.map((e) => e.length)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(events[0]![0]!.detail.data).toMatchObject({ locationId: "FUL-STORE", pickupBy: (ready.shipments[0] as unknown as { pickupBy: string }).pickupBy });
    const notes = await notificationsOf(orderId, 3);
    expect(notes.map((n) => n.template)).toEqual(expect.arrayContaining(["order-confirmed", "ready-for-pickup", "order-delivered"]));
  });

  it("cancelled while it waits at the store: the set-aside stock goes back, the authorization is voided, the workflow ends cancelled", async () => {
    const before = await stockOf("FUL-P", "FUL-STORE");
    const orderId = await order("FUL-pickup-cancel", [{ sku: "FUL-P", quantity: 1, amount: 1500 }], { pickup: { locationId: "FUL-STORE" } });
    const [released] = await shipmentsIn(orderId, "RELEASED");
    expect((await fulfillmentEvent(released!.shipmentId, { type: "ready_for_pickup" })).status).toBe(200);
    await orderWhen(orderId, (o) => o.status === "READY_FOR_PICKUP");
    expect((await operatorPost(`/orders/${orderId}/cancel`, { reason: "customer changed their mind" })).status).toBe(200);
    await endedCancelled(orderId, "FUL-P", "FUL-STORE", before);
    expect((await fulfillmentEvent(released!.shipmentId, { type: "picked_up" })).status).toBe(409);
  });

  it("a pickup at a location that does not offer pickup is rejected by validation, with nothing reserved", async () => {
    const orderId = await order("FUL-pickup-bad", [{ sku: "FUL-P", quantity: 1, amount: 1500 }], { pickup: { locationId: "FUL-BER" } });
    const view = await orderWhen(orderId, (o) => o.status === "REJECTED");
    expect(view.problems).toEqual([{ path: "pickup.locationId", message: "FUL-BER does not offer pickup" }]);
    expect(view.shipments).toEqual([]);
  });
});

describe("ship what is available, the rest when stock comes in", () => {
  it("the rest of a short order waits beside the shipped part and is released where stock comes in, before the first part is delivered", async () => {
    const orderId = await order("FUL-rest-1", [{ sku: "FUL-S", quantity: 3, amount: 1000 }]);
    const view = await orderWhen(orderId, (o) => o.shipments.length === 2 && o.shipments.some((s) => s.status === "AWAITING_STOCK"));
    const first = view.shipments.find((s) => s.status === "RELEASED")!;
    const rest = view.shipments.find((s) => s.status === "AWAITING_STOCK")!;
    expect(first).toMatchObject({ locationId: "FUL-BER", lines: [{ lineId: "001", quantity: 1 }] });
    expect(rest).toMatchObject({ shipmentId: `${orderId}-S2`, locationId: "", lines: [{ lineId: "001", quantity: 2 }] });
    const shipped = await shipIt(orderId, first.shipmentId);

    // Stock comes in at Hamburg while the first parcel is still on its way.
    const res = await fetch(`${cloud.apiUrl}/inventory/adjustments`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}`, "idempotency-key": `receipt-${orderId}` },
      body: JSON.stringify({ adjustments: [{ sku: "FUL-S", locationId: "FUL-HAM", delta: 5, reason: "receipt" }] }),
    });
    expect(res.status).toBe(200);
    const released = await orderWhen(orderId, (o) => o.shipments.some((s) => s.shipmentId === rest.shipmentId && s.status === "RELEASED"));
    expect(released.shipments.find((s) => s.shipmentId === rest.shipmentId)).toMatchObject({ locationId: "FUL-HAM", lines: [{ lineId: "001", quantity: 2 }] });
    expect(released.shipments.find((s) => s.shipmentId === first.shipmentId)?.status).toBe("SHIPPED");
    expect((await stockOf("FUL-S", "FUL-HAM")).reserved).toBe(2);

    const second = await shipIt(orderId, rest.shipmentId);
    await deliver(second);
    await deliver(shipped);
    const done = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    const total = (done.totals as { grandTotal: { amount: number } }).grandTotal.amount;
    expect(done.payment).toMatchObject({ status: "CAPTURED", captured: { amount: total } });
    expect(await stockOf("FUL-S", "FUL-HAM")).toMatchObject({ onHand: 3, reserved: 0 });
    const execution = await finishedExecution(orderId);
    expect(execution.status).toBe("SUCCEEDED");
    const events = await eventually(() => Promise.all(["ShipmentAwaitingStock", "ShipmentReleased"].map((detailType) => archivedEvents({ detailType, where: (d) => d.shipmentId === rest.shipmentId }))), (all) => all.every((e) => e.length === 1));
    expect(events.map((e) => e.length)).toEqual([1, 1]);
  });

  it("cancelling the waiting rest ends its wait; the part that can go ships and is charged alone", async () => {
    const orderId = await order("FUL-rest-2", [{ sku: "FUL-T", quantity: 4, amount: 1000 }], { discountTotal: undefined, taxTotal: undefined, shippingPrice: undefined });
    const view = await orderWhen(orderId, (o) => o.shipments.length === 2 && o.shipments.some((s) => s.status === "AWAITING_STOCK") && o.shipments.some((s) => s.status === "RELEASED"));
    const rest = view.shipments.find((s) => s.status === "AWAITING_STOCK")!;
    const res = await fetch(`${cloud.apiUrl}/orders/${orderId}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}`, "idempotency-key": `rest-${orderId}` },
      body: JSON.stringify({ reason: "the customer will not wait", lines: [{ lineId: "001", quantity: 2 }] }),
    });
    expect(res.status).toBe(200);
    const cut = await orderWhen(orderId, (o) => o.shipments.some((s) => s.shipmentId === rest.shipmentId && s.status === "CANCELLED"));
    const first = cut.shipments.find((s) => s.status === "RELEASED")!;
    await deliver(await shipIt(orderId, first.shipmentId));
    const done = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect(done.payment).toMatchObject({ status: "CAPTURED", captured: { amount: 2000 }, amount: { amount: 2000 } });
    expect(await stockOf("FUL-T", "FUL-HAM")).toMatchObject({ onHand: 0, reserved: 0 });
    const execution = await finishedExecution(orderId);
    expect(execution.status).toBe("SUCCEEDED");
  });
});
