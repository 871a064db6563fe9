import { DescribeExecutionCommand, GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { checkInventoryDrift } from "../../functions/adapters/dynamodb/inventory-drift.js";
import { DynamoReturnStock } from "../../functions/adapters/dynamodb/return-stock.js";
import type { StockEffect } from "../../functions/domain/return.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { waitFor } from "../support/wait.js";
import { admin, archivedEvents, cloud, deliver, dynamo, eventually, executionArn, notificationsOf, operatorGet, orderWhen, postOrder, releasedToLocations, sfn, shipIt, snapshot, trackingUpdate } from "./helpers.js";

// Returns end to end through HTTP: this file's own SKUs and receiving location (at the customer's
// door, so ship-back returns come here), and the generic channel's return policy set per test.
const EUR = (amount: number) => ({ amount, currency: "EUR" });
const WH = "RET-WH";
beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: WH, name: "Returns test warehouse", kind: "warehouse", country: "DE", lat: 52.53, lon: 13.38, capabilities: ["ship", "receive-returns"], dailyCapacity: 10_000, handlingCost: EUR(100), priority: 1, active: true, groups: ["ret-test"] });
  await catalog.putLocation({ locationId: "RET-ST", name: "Returns test store", kind: "store", country: "DE", lat: 52.0, lon: 13.0, capabilities: ["pickup", "receive-returns"], dailyCapacity: 100, handlingCost: EUR(300), priority: 5, active: true, groups: ["ret-test"] });
  for (const sku of ["RET-A", "RET-B", "RET-C"]) {
    await catalog.putSku({ sku, name: `Returns test ${sku}`, unitWeightGrams: 300, active: true });
    await catalog.putStock({ sku, locationId: WH, onHand: 500, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  }
});

const BASE_POLICY = { windowDays: 30, shipWithinDays: 14, receiveWithinDays: 21, restockingFeePercent: 0, returnShippingFee: 0 };
async function policy(body: Record<string, unknown> = {}) {
  const res = await operatorRequest("PUT", "/returns/policies/generic", { ...BASE_POLICY, ...body });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}

async function operatorRequest(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${cloud.operatorToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...(key ? { "idempotency-key": key } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

let seq = 0;
/** An order paid by card, shipped in one parcel from the test warehouse and delivered. */
async function deliveredOrder(lines: { sku: string; quantity: number; amount: number }[], extra: Record<string, unknown> = {}): Promise<{ orderId: string; shipmentId: string }> {
  const res = await postOrder(genericOrderBody({ externalOrderId: `RET-${Date.now()}-${++seq}`, lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: EUR(l.amount) })), payment: { method: "card", token: "tok_visa" }, ...extra }));
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  const orderId = String(res.json.orderId);
  const released = await releasedToLocations(orderId, 60_000);
  expect(released.shipments).toHaveLength(1);
  const shipped = await shipIt(orderId, released.shipments[0]!.shipmentId);
  await deliver(shipped);
  await orderWhen(orderId, (o) => o.status === "DELIVERED" && (o.payment as { status?: string } | undefined)?.status === "CAPTURED");
  return { orderId, shipmentId: shipped.shipmentId };
}

type ReturnView = Record<string, unknown> & { returnId: string; status: string; label?: { carrier: string; trackingNumber: string; url: string }; refund: { status: string; breakdown?: Record<string, number>; estimate?: Record<string, number>; refundId?: string }; lines: { lineId: string; unitNet: number[]; accepted: number }[] };
const requestReturn = async (orderId: string, body: Record<string, unknown>, key = `rk-${Date.now()}-${++seq}`) => operatorRequest("POST", `/orders/${orderId}/returns`, body, key);
const getReturn = async (returnId: string) => (await operatorGet(`/returns/${returnId}`)).json as ReturnView;
const returnWhen = (returnId: string, predicate: (r: ReturnView) => boolean, timeoutMs = 30_000) => waitFor(`return ${returnId} to reach the expected state`, () => getReturn(returnId), predicate, { timeoutMs });
const returnEvent = (returnId: string, body: Record<string, unknown>, key = `ev-${Date.now()}-${++seq}`) => operatorRequest("POST", `/returns/${returnId}/events`, body, key);
const returnArn = (returnId: string) => `${cloud.returnStateMachineArn.replace(":stateMachine:", ":execution:")}:${returnId}`;
const finished = (returnId: string) => waitFor(`return execution ${returnId} to finish`, () => sfn.send(new DescribeExecutionCommand({ executionArn: returnArn(returnId) })), (e) => e.status !== "RUNNING", { timeoutMs: 30_000 });
const transitions = async (returnId: string) => ((await sfn.send(new GetExecutionHistoryCommand({ executionArn: returnArn(returnId), maxResults: 1000 }))).events ?? []).filter((e) => e.type?.endsWith("StateEntered")).map((e) => e.stateEnteredEventDetails?.name);
const paymentOf = async (orderId: string) => (await operatorGet(`/orders/${orderId}`)).json.payment as { captured?: { amount: number }; refunded?: { amount: number }; refunds?: Record<string, { amount: { amount: number }; against?: Record<string, number>; refundId?: string; manual?: unknown }> };
const stockAt = async (sku: string, locationId = WH) => ((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; onHand: number; unsellable?: number }[]).find((l) => l.locationId === locationId) ?? { locationId, onHand: 0, unsellable: 0 };
/** Waits until the return's workflow waits for the goods (the label is booked by then for ship-back returns). */
const awaitingGoods = (returnId: string) => returnWhen(returnId, (r) => r.status === "AWAITING_GOODS" && (r.method !== "ship-back" || r.label !== undefined));
/** Receives and inspects every unit of the return as restockable. */
async function receiveAll(r: ReturnView, disposition = "restock") {
  const lines = r.lines.map((l) => ({ lineId: l.lineId, quantity: l.unitNet.length }));
  expect((await returnEvent(r.returnId, { type: "received", lines: lines.map((l) => ({ ...l, wrongItem: 0 })) })).status).toBe(200);
  const inspected = await returnEvent(r.returnId, { type: "inspected", lines: lines.map((l) => ({ lineId: l.lineId, dispositions: { [disposition]: l.quantity } })) });
  expect(inspected.status, JSON.stringify(inspected.json)).toBe(200);
}

describe("returns: ship-back, refunded in full", () => {
  it("books a label, moves with the carrier, restocks once on inspection, refunds every cent of the line and closes in ≤ 8 transitions", async () => {
    await policy();
    const { orderId, shipmentId } = await deliveredOrder([{ sku: "RET-A", quantity: 2, amount: 2000 }], { shippingPrice: EUR(500), taxTotal: EUR(760), discountTotal: EUR(200) });
    const before = await stockAt("RET-A");
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 2, reason: "unwanted" }] });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const returnId = String(res.json.returnId);
    expect(returnId).toBe(`${orderId}-R1`);
    const waiting = await awaitingGoods(returnId);
    expect(waiting).toMatchObject({ locationId: WH, label: { carrier: "local-post", url: `/returns/${returnId}/label` } });
    const label = await fetch(`${cloud.apiUrl}/returns/${returnId}/label`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } });
    expect(label.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await label.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");
    expect((await trackingUpdate("local-post", { trackingNumber: waiting.label!.trackingNumber, status: "in_transit" })).status).toBe(200);
    await returnWhen(returnId, (r) => r.status === "IN_TRANSIT");
    await receiveAll(waiting);
    const closed = await returnWhen(returnId, (r) => r.status === "CLOSED");
    // 2 × 2000 − 200 discount + 760 tax = 4560; the shipping (500) too: every unit of the order came back.
    expect(closed.refund).toMatchObject({ status: "REFUNDED", breakdown: { merchandise: 4560, restockingFee: 0, returnShippingFee: 0, shipping: 500, total: 5060 }, refundId: expect.stringMatching(/^re_/) as unknown });
    const payment = await paymentOf(orderId);
    expect(payment.refunded?.amount).toBe(5060);
    expect(payment.refunds?.[`return:${returnId}`]).toMatchObject({ amount: EUR(5060), against: { [shipmentId]: 5060 } });
    expect((await stockAt("RET-A")).onHand).toBe(before.onHand + 2);
    expect((await finished(returnId)).status).toBe("SUCCEEDED");
    const states = await transitions(returnId);
    expect(states).toEqual(["Open return", "Where next?", "Wait for the goods", "Where next?", "Settle return", "Return closed"]);
    expect(states.length).toBeLessThanOrEqual(8);
    const events = await eventually(() => archivedEvents({ source: "oms.returns", where: (d) => d.returnId === returnId }), (e) => e.some((x) => x["detail-type"] === "ReturnClosed"));
    expect(events.map((e) => e["detail-type"])).toEqual(expect.arrayContaining(["ReturnRequested", "ReturnLabelCreated", "ReturnInTransit", "ReturnReceived", "ReturnInspected", "ReturnRestocked", "RefundIssued", "ReturnClosed"]));
    const mail = await notificationsOf(orderId, 1);
    await eventually(() => notificationsOf(orderId, 1), (n) => n.some((m) => m.template === "refund-issued"));
    expect(mail.length).toBeGreaterThan(0);
    const order = (await operatorGet(`/orders/${orderId}`)).json;
    expect(order.returns).toMatchObject({ count: 1, refunded: EUR(5060) });
  });
});

const inStore = (lines: { lineId: string; quantity: number; reason?: string; resolution?: string }[]) => ({ method: "in-store", locationId: "RET-ST", lines: lines.map((l) => ({ reason: "unwanted", ...l })) });

describe("returns: the money, to the cent", () => {
  it("several partial returns of a multi-line order with an order discount and tax: each refund from the stored unit amounts, the last takes the exact remainder", async () => {
    await policy();
    // 3 × 1333 + 2 × 999 = 5997; discount 700 and tax 1001 spread by value; shipping 495.
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 3, amount: 1333 }, { sku: "RET-B", quantity: 2, amount: 999 }], { shippingPrice: EUR(495), taxTotal: EUR(1001), discountTotal: EUR(700) });
    const order = (await operatorGet(`/orders/${orderId}`)).json as { totals: { grandTotal: { amount: number } }; payment: { captured: { amount: number } } };
    const grand = order.totals.grandTotal.amount;
    expect(order.payment.captured.amount).toBe(grand);
    const parts = [[{ lineId: "001", quantity: 1 }], [{ lineId: "001", quantity: 1 }, { lineId: "002", quantity: 1 }], [{ lineId: "001", quantity: 1 }, { lineId: "002", quantity: 1 }]];
    let refunded = 0;
    for (const lines of parts) {
      const res = await requestReturn(orderId, inStore(lines));
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      const r = await awaitingGoods(String(res.json.returnId));
      await receiveAll(r);
      const closed = await returnWhen(r.returnId, (x) => x.status === "CLOSED");
      const units = closed.lines.flatMap((l) => l.unitNet);
      expect(closed.refund.breakdown!.merchandise).toBe(units.reduce((a, b) => a + b, 0));
      refunded += closed.refund.breakdown?.total ?? 0;
    }
    // Every unit came back: the units' amounts and the shipping (refunded once, with the last) add up to the grand total exactly.
    expect(refunded).toBe(grand);
    expect((await paymentOf(orderId)).refunded?.amount).toBe(grand);
    const more = await requestReturn(orderId, inStore([{ lineId: "001", quantity: 1 }]));
    expect(more.status).toBe(409);
  });

  it("a restocking fee for a change of mind, waived for a defective unit; the return shipping fee once, only when the customer is at fault", async () => {
    await policy({ restockingFeePercent: 10, returnShippingFee: 450 });
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 3000 }, { sku: "RET-B", quantity: 1, amount: 2000 }], { shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const unwanted = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "size-too-small" }] });
    const r1 = await awaitingGoods(String(unwanted.json.returnId));
    await receiveAll(r1);
    const c1 = await returnWhen(r1.returnId, (x) => x.status === "CLOSED");
    expect(c1.refund.breakdown).toMatchObject({ merchandise: 3000, restockingFee: 300, returnShippingFee: 450, shipping: 0, total: 2250 });
    const defective = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "002", quantity: 1, reason: "defective" }] });
    const r2 = await awaitingGoods(String(defective.json.returnId));
    await receiveAll(r2, "damaged");
    const c2 = await returnWhen(r2.returnId, (x) => x.status === "CLOSED");
    expect(c2.refund.breakdown).toMatchObject({ merchandise: 2000, restockingFee: 0, returnShippingFee: 0, total: 2000 });
  });
});

describe("returns: stock", () => {
  it("damaged units go to unsellable, never on hand; a redelivered inspection report restocks nothing twice; no drift", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-C", quantity: 3, amount: 1500 }]);
    const before = await stockAt("RET-C");
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 3, reason: "damaged-in-transit" }] });
    const r = await awaitingGoods(String(res.json.returnId));
    expect((await returnEvent(r.returnId, { type: "received", lines: [{ lineId: "001", quantity: 3 }] })).status).toBe(200);
    const inspection = { type: "inspected", lines: [{ lineId: "001", dispositions: { restock: 1, damaged: 2 } }] };
    const first = await returnEvent(r.returnId, inspection, "inspect-once");
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect((await returnEvent(r.returnId, inspection, "inspect-once")).status).toBe(200);
    await returnWhen(r.returnId, (x) => x.status === "CLOSED");
    const after = await stockAt("RET-C");
    expect(after.onHand).toBe(before.onHand + 1);
    expect((after.unsellable ?? 0) - (before.unsellable ?? 0)).toBe(2);
    // The stock effect itself applies once: replayed (a crash-and-resume of the settle step), it finds its journal entries and changes nothing.
    const effect = ((await getReturn(r.returnId)) as unknown as { effects: StockEffect[] }).effects[0]!;
    expect(await new DynamoReturnStock(documentClient(dynamo), cloud.tableName).apply(effect, "test", new Date().toISOString())).toBe("already");
    expect((await stockAt("RET-C")).onHand).toBe(after.onHand);
    expect((await checkInventoryDrift(documentClient(dynamo), cloud.tableName)).drift).toEqual([]);
  });
});

describe("returns: methods", () => {
  it("in store (BORIS): no label, received and inspected at the counter, refunded at once", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 2500 }]);
    const before = (await stockAt("RET-A", "RET-ST")).onHand;
    const res = await requestReturn(orderId, inStore([{ lineId: "001", quantity: 1 }]));
    const r = await awaitingGoods(String(res.json.returnId));
    expect(r.label).toBeUndefined();
    expect(r.locationId).toBe("RET-ST");
    await receiveAll(r);
    await returnWhen(r.returnId, (x) => x.status === "CLOSED" && x.refund.status === "REFUNDED");
    expect((await stockAt("RET-A", "RET-ST")).onHand).toBe(before + 1);
  });

  it("returnless below the policy's limit: refunded without the goods; above it: 409", async () => {
    await policy({ returnlessBelow: 1000 });
    const { orderId } = await deliveredOrder([{ sku: "RET-B", quantity: 2, amount: 800 }], { shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const tooMuch = await requestReturn(orderId, { method: "returnless", lines: [{ lineId: "001", quantity: 2, reason: "unwanted" }] });
    expect(tooMuch.status).toBe(409);
    expect(JSON.stringify(tooMuch.json)).toContain("returnless refunds are allowed up to 1000");
    const res = await requestReturn(orderId, { method: "returnless", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] });
    expect(res.status).toBe(201);
    const closed = await returnWhen(String(res.json.returnId), (x) => x.status === "CLOSED");
    expect(closed.refund.breakdown).toMatchObject({ merchandise: 800, total: 800 });
    expect(await transitions(closed.returnId)).toEqual(["Open return", "Where next?", "Settle return", "Return closed"]);
  });

  it("store credit instead of money: credited, nothing refunded", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 1800 }], { shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const res = await requestReturn(orderId, inStore([{ lineId: "001", quantity: 1, resolution: "store-credit" }]));
    const r = await awaitingGoods(String(res.json.returnId));
    await receiveAll(r);
    const closed = await returnWhen(r.returnId, (x) => x.status === "CLOSED");
    expect(closed).toMatchObject({ refund: { storeCredit: 1800 } });
    expect((await paymentOf(orderId)).refunded).toBeUndefined();
  });
});

describe("returns: approval, cancellation, failures", () => {
  it("waits for approval above the policy's amount; a decline ends it and frees the units", async () => {
    await policy({ approval: { above: 1000 } });
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 2, amount: 1500 }]);
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 2, reason: "unwanted" }] });
    const returnId = String(res.json.returnId);
    await returnWhen(returnId, (x) => x.status === "PENDING_APPROVAL");
    expect((await operatorRequest("POST", `/returns/${returnId}/decline`, { reason: "worn" })).status).toBe(200);
    expect((await finished(returnId)).status).toBe("SUCCEEDED");
    expect((await getReturn(returnId)).status).toBe("DECLINED");
    // Declined: the units are free again, and an approved return takes them.
    const again = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 2, reason: "unwanted" }] });
    expect(again.status).toBe(201);
    await returnWhen(String(again.json.returnId), (x) => x.status === "PENDING_APPROVAL");
    expect((await operatorRequest("POST", `/returns/${String(again.json.returnId)}/approve`, {})).status).toBe(200);
    await awaitingGoods(String(again.json.returnId));
  });

  it("cancelled before receipt: the label is voided, the workflow ends, the units are free", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-B", quantity: 1, amount: 1200 }]);
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] });
    const r = await awaitingGoods(String(res.json.returnId));
    const cancelled = await operatorRequest("POST", `/returns/${r.returnId}/cancel`, { reason: "customer kept it" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ status: "CANCELLED", label: { voidedAt: expect.any(String) as unknown } });
    expect((await finished(r.returnId)).status).toBe("SUCCEEDED");
    expect((await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] })).status).toBe(201);
  });

  it("a provider that keeps failing the refund: MANUAL_REFUND_REQUIRED, then an operator records a manual refund and it closes", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 2200 }], { payment: { method: "card", token: "tok_refundFail" }, shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const res = await requestReturn(orderId, inStore([{ lineId: "001", quantity: 1 }]));
    const r = await awaitingGoods(String(res.json.returnId));
    await receiveAll(r);
    await returnWhen(r.returnId, (x) => x.status === "MANUAL_REFUND_REQUIRED", 60_000);
    expect((await paymentOf(orderId)).refunds?.[`return:${r.returnId}`]).toMatchObject({ amount: EUR(2200) });
    expect((await paymentOf(orderId)).refunded).toBeUndefined();
    expect((await operatorRequest("POST", `/returns/${r.returnId}/refund/retry`, { manual: { reference: "bank transfer 42" } })).status).toBe(202);
    const closed = await returnWhen(r.returnId, (x) => x.status === "CLOSED");
    expect(closed.refund.status).toBe("MANUAL");
    expect((await paymentOf(orderId)).refunded?.amount).toBe(2200);
  });
});

describe("returns: refusals and concurrency", () => {
  it("too many units, or the window passed: 409 naming the line, and nothing written", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 1000 }]);
    await admin("WaitForIdle", { timeoutMs: 20_000 });
    const before = await snapshot();
    const tooMany = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 2, reason: "unwanted" }] });
    expect(tooMany.status).toBe(409);
    expect(tooMany.json.error).toMatchObject({ code: "RETURN_NOT_ALLOWED", details: { issues: [{ path: "lines.0.quantity" }] } });
    expect((await snapshot()).records).toEqual(before.records);
    await policy({ windowDays: 0 });
    const policyWritten = await snapshot();
    const late = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.json)).toContain("return window closed");
    expect((await snapshot()).records).toEqual(policyWritten.records);
  });

  it("three identical requests at once make one return", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-B", quantity: 1, amount: 900 }]);
    const body = { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] };
    const answers = await Promise.all([1, 2, 3].map(() => requestReturn(orderId, body, `same-${orderId}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.json.returnId)).size).toBe(1);
    expect(((await operatorGet(`/orders/${orderId}/returns`)).json.items as unknown[]).length).toBe(1);
    const other = await requestReturn(orderId, { ...body, note: "different" }, `same-${orderId}`);
    expect(other.status).toBe(422);
  });

  it("nothing handed over within the policy's days: EXPIRED on the cloud's clock, label voided", async () => {
    await policy({ shipWithinDays: 1 });
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 1000 }]);
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] });
    const r = await awaitingGoods(String(res.json.returnId));
    await admin("AdvanceClock", { milliseconds: 86_400_000 + 60_000 });
    const expired = await returnWhen(r.returnId, (x) => x.status === "EXPIRED");
    expect(expired.label).toMatchObject({ voidedAt: expect.any(String) as unknown });
    expect((await finished(r.returnId)).status).toBe("SUCCEEDED");
    await policy();
  });
});

describe("returns: claims and lost parcels", () => {
  it("a not-received claim on a parcel the carrier flagged: refunded without goods, shipping included (merchant fault)", async () => {
    await policy();
    const res = await postOrder(genericOrderBody({ externalOrderId: `RET-claim-${Date.now()}`, lines: [{ sku: "RET-B", quantity: 1, unitPrice: EUR(1500) }], shippingPrice: EUR(400), taxTotal: EUR(0), discountTotal: EUR(0), payment: { method: "card", token: "tok_visa" } }));
    const orderId = String(res.json.orderId);
    const released = await releasedToLocations(orderId, 60_000);
    const shipped = await shipIt(orderId, released.shipments[0]!.shipmentId);
    await orderWhen(orderId, (o) => o.status === "SHIPPED");
    const early = await requestReturn(orderId, { method: "returnless", lines: [{ lineId: "001", quantity: 1, reason: "not-received" }] });
    expect(early.status).toBe(409);
    expect((await trackingUpdate(shipped.carrierShipment!.carrier, { trackingNumber: shipped.carrierShipment!.trackingNumber, status: "exception" })).status).toBe(200);
    const claim = await requestReturn(orderId, { method: "returnless", lines: [{ lineId: "001", quantity: 1, reason: "not-received" }] });
    expect(claim.status, JSON.stringify(claim.json)).toBe(201);
    const closed = await returnWhen(String(claim.json.returnId), (x) => x.status === "CLOSED");
    expect(closed.refund.breakdown).toMatchObject({ merchandise: 1500, shipping: 400, total: 1900 });
  });

  it("a parcel lost in transit: an operator marks it lost, the units are refunded unseen and nothing is restocked", async () => {
    await policy();
    const { orderId } = await deliveredOrder([{ sku: "RET-C", quantity: 1, amount: 2100 }], { shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] });
    const r = await awaitingGoods(String(res.json.returnId));
    const before = await stockAt("RET-C");
    expect((await returnEvent(r.returnId, { type: "lost" })).status).toBe(409);
    expect((await trackingUpdate("local-post", { trackingNumber: r.label!.trackingNumber, status: "in_transit" })).status).toBe(200);
    await returnWhen(r.returnId, (x) => x.status === "IN_TRANSIT");
    expect((await returnEvent(r.returnId, { type: "lost", note: "carrier lost it" })).status).toBe(200);
    const closed = await returnWhen(r.returnId, (x) => x.status === "CLOSED");
    expect(closed.refund.breakdown).toMatchObject({ merchandise: 2100, total: 2100 });
    expect((await stockAt("RET-C")).onHand).toBe(before.onHand);
  });

  it("an approval nobody gives within the policy's days: declined on the cloud's clock", async () => {
    await policy({ approval: { reasons: ["other"] }, approvalTimeoutDays: 1 });
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 1000 }]);
    const res = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "other", note: "just because" }] });
    const returnId = String(res.json.returnId);
    await returnWhen(returnId, (x) => x.status === "PENDING_APPROVAL");
    await admin("AdvanceClock", { milliseconds: 86_400_000 + 60_000 });
    const declined = await returnWhen(returnId, (x) => x.status === "DECLINED");
    expect((declined.history as { status: string; reason?: string }[]).at(-1)?.reason).toContain("not approved");
    expect((await finished(returnId)).status).toBe("SUCCEEDED");
    await policy();
  });
});

describe("returns: exchanges", () => {
  beforeAll(async () => {
    // The store hands replacements over at its counter: it needs their stock.
    const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
    await catalog.putStock({ sku: "RET-B", locationId: "RET-ST", onHand: 50, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  });
  type OrderView = Awaited<ReturnType<typeof orderWhen>> & { exchangeOf?: Record<string, unknown>; totals: { grandTotal: { amount: number } } };
  type Exchange = { orderId?: string; mode: string; value: number; expected: number; credit: number; status: string; charged?: { amount: number; captureId?: string } };
  const exchangeOf = async (returnId: string) => (await returnWhen(returnId, (r) => typeof (r.exchange as Exchange | undefined)?.orderId === "string")).exchange as Exchange & { orderId: string };
  const orderView = async (orderId: string) => (await operatorGet(`/orders/${orderId}`)).json as OrderView;
  const reservedAt = async (sku: string, locationId = WH) => ((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; reserved: number }[]).find((l) => l.locationId === locationId)?.reserved ?? 0;
  const exchangeLine = (sku: string, extra: Record<string, unknown> = {}) => ({ lineId: "001", quantity: 1, reason: "size-too-small", resolution: "exchange", replacement: { sku, ...extra } });
  type PaymentView = { status?: string; amount: { amount: number }; captured?: { amount: number }; captures?: Record<string, { amount: { amount: number }; captureId?: string; at?: string }> };
  /** The replacement's payment record (undefined while nothing was authorized or charged: the view then only names the method). */
  const replacementPayment = async (orderId: string) => {
    const payment = (await orderView(orderId)).payment as PaymentView | undefined;
    return payment?.status ? payment : undefined;
  };

  it("at the same price (another size, regular): a real order linked to the return, reserved but not released until the goods are back; nothing charged, nothing refunded", async () => {
    await policy();
    // 2500 + 475 tax: the replacement at the same unit price costs exactly what the returned unit was paid.
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 2500 }], { shippingPrice: EUR(0), taxTotal: EUR(475), discountTotal: EUR(0) });
    const missing = await requestReturn(orderId, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "size-too-small", resolution: "exchange" }] });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json)).toContain("lines.0.replacement");
    const unknown = await requestReturn(orderId, { method: "ship-back", lines: [exchangeLine("RET-NOPE")] });
    expect(unknown.status).toBe(409);
    expect(JSON.stringify(unknown.json)).toContain("lines.0.replacement.sku");
    expect((await operatorGet(`/orders/${orderId}/returns`)).json).toMatchObject({ items: [] });
    const reservedBefore = await reservedAt("RET-B");
    const res = await requestReturn(orderId, { method: "ship-back", lines: [exchangeLine("RET-B")] });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const returnId = String(res.json.returnId);
    const exchange = await exchangeOf(returnId);
    expect(exchange).toMatchObject({ mode: "regular", value: 2975, expected: 2975, credit: 2975, status: "PLACED" });
    const waiting = await orderWhen(exchange.orderId, (o) => o.status === "ALLOCATED");
    expect(waiting).toMatchObject({ channel: "generic", exchangeOf: { orderId, returnId, mode: "regular", awaitingReturn: true, credit: EUR(2975) }, totals: { grandTotal: EUR(2975) }, lines: [{ sku: "RET-B", quantity: 1 }] });
    expect(await reservedAt("RET-B")).toBe(reservedBefore + 1);
    // Reserved, waiting for the goods: nothing released, nothing charged.
    const r = await awaitingGoods(returnId);
    expect((await orderView(exchange.orderId)).shipments).toHaveLength(0);
    expect(await replacementPayment(exchange.orderId)).toBeUndefined();
    await receiveAll(r);
    const closed = await returnWhen(returnId, (x) => x.status === "CLOSED");
    expect(closed.refund).toMatchObject({ exchange: { accepted: 2975, credit: 2975, refund: 0, charge: 0 } });
    expect((await paymentOf(orderId)).refunded).toBeUndefined();
    const released = await releasedToLocations(exchange.orderId);
    expect(released.payment).toMatchObject({ status: "CAPTURED", amount: EUR(0) });
    const shipped = await shipIt(exchange.orderId, released.shipments[0]!.shipmentId);
    expect(shipped.capture).toBeUndefined();
    await deliver(shipped);
    await orderWhen(exchange.orderId, (o) => o.status === "DELIVERED");
    // The exchange costs the return workflow nothing more; the replacement's is the ordinary order workflow (its wait is the Reserve and route task it was in).
    expect(await transitions(returnId)).toEqual(["Open return", "Where next?", "Wait for the goods", "Where next?", "Settle return", "Return closed"]);
    const orderStates = await eventually(async () => ((await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(exchange.orderId), maxResults: 1000 }))).events ?? []).filter((e) => e.type?.endsWith("StateEntered")).map((e) => e.stateEnteredEventDetails?.name), (names) => names.includes("Order delivered"));
    expect(orderStates.filter((n) => n === "Reserve and route")).toHaveLength(1);
    expect(orderStates.length).toBeLessThanOrEqual(10);
    const events = await eventually(() => archivedEvents({ source: "oms.returns", where: (d) => d.returnId === returnId }), (e) => e.some((x) => x["detail-type"] === "ReturnClosed"));
    expect(events.map((e) => e["detail-type"])).toEqual(expect.arrayContaining(["ExchangeCreated", "ExchangeReleased", "ReturnClosed"]));
    await eventually(() => notificationsOf(orderId, 1), (n) => n.some((m) => m.template === "exchange-created"));
  });

  it("at a higher price: the difference is authorized and captured on the original card before the replacement is released", async () => {
    await policy();
    // Returned: 2000 + 380 tax (19 %) = 2380. Replacement: 3000 + 570 tax at the same rate = 3570. Difference 1190.
    const { orderId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 2000 }], { shippingPrice: EUR(0), taxTotal: EUR(380), discountTotal: EUR(0) });
    const res = await requestReturn(orderId, { method: "ship-back", lines: [exchangeLine("RET-C", { unitPrice: EUR(3000) })] });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const returnId = String(res.json.returnId);
    const exchange = await exchangeOf(returnId);
    expect(exchange).toMatchObject({ value: 3570, expected: 2380, credit: 2380 });
    await orderWhen(exchange.orderId, (o) => o.status === "ALLOCATED");
    const r = await awaitingGoods(returnId);
    expect(await replacementPayment(exchange.orderId)).toBeUndefined();
    await receiveAll(r);
    await returnWhen(returnId, (x) => x.status === "CLOSED");
    const released = await releasedToLocations(exchange.orderId);
    const payment = await replacementPayment(exchange.orderId);
    expect(payment).toMatchObject({ status: "CAPTURED", amount: EUR(1190), captured: EUR(1190), captures: { difference: { amount: EUR(1190), captureId: expect.stringMatching(/^cap_/) as unknown } } });
    const releasedAt = ((released.shipments[0] as unknown as { history: { status: string; at: string }[] }).history.find((h) => h.status === "RELEASED"))!.at;
    expect(Date.parse(payment!.captures!.difference!.at!)).toBeLessThanOrEqual(Date.parse(releasedAt));
    const shipped = await shipIt(exchange.orderId, released.shipments[0]!.shipmentId);
    expect(shipped.capture).toBeUndefined();
    expect((await replacementPayment(exchange.orderId))?.captured).toEqual(EUR(1190));
    expect((await paymentOf(orderId)).refunded).toBeUndefined();
  });

  it("at a lower price, in store: the difference is refunded after receipt, and the replacement is handed over at the counter", async () => {
    await policy();
    // Returned: 3000 + 570 tax = 3570. Replacement: 2000 + 380 = 2380. Refund 1190.
    const { orderId, shipmentId } = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 3000 }], { shippingPrice: EUR(0), taxTotal: EUR(570), discountTotal: EUR(0) });
    const res = await requestReturn(orderId, { method: "in-store", locationId: "RET-ST", lines: [exchangeLine("RET-B", { unitPrice: EUR(2000) })] });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const returnId = String(res.json.returnId);
    const exchange = await exchangeOf(returnId);
    expect(exchange).toMatchObject({ value: 2380, expected: 3570, credit: 2380 });
    expect(await orderWhen(exchange.orderId, (o) => o.status === "ALLOCATED")).toMatchObject({ pickup: { locationId: "RET-ST" } });
    const r = await awaitingGoods(returnId);
    await receiveAll(r);
    const closed = await returnWhen(returnId, (x) => x.status === "CLOSED");
    expect(closed.refund).toMatchObject({ status: "REFUNDED", exchange: { accepted: 3570, credit: 2380, refund: 1190, charge: 0 } });
    expect(await paymentOf(orderId)).toMatchObject({ refunded: { amount: 1190 }, refunds: { [`return:${returnId}`]: { amount: EUR(1190), against: { [shipmentId]: 1190 } } } });
    const released = await releasedToLocations(exchange.orderId);
    expect(released.shipments[0]).toMatchObject({ locationId: "RET-ST" });
    expect(await replacementPayment(exchange.orderId)).toMatchObject({ status: "CAPTURED", amount: EUR(0) });
  });

  it("nothing handed over in time, on the cloud's clock: an advanced exchange (already shipped) is charged; a regular one is cancelled and its stock released", async () => {
    await policy({ shipWithinDays: 1 });
    const advanced = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 2000 }], { shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const regular = await deliveredOrder([{ sku: "RET-A", quantity: 1, amount: 2000 }], { shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) });
    const a = await requestReturn(advanced.orderId, { method: "ship-back", exchange: { mode: "advanced" }, lines: [exchangeLine("RET-B")] });
    expect(a.status, JSON.stringify(a.json)).toBe(201);
    const aId = String(a.json.returnId);
    const aExchange = await exchangeOf(aId);
    // Advanced: released at once, before any goods came; shipped and delivered.
    const released = await releasedToLocations(aExchange.orderId);
    await deliver(await shipIt(aExchange.orderId, released.shipments[0]!.shipmentId));
    await orderWhen(aExchange.orderId, (o) => o.status === "DELIVERED");
    const reservedBefore = await reservedAt("RET-C");
    const g = await requestReturn(regular.orderId, { method: "ship-back", lines: [exchangeLine("RET-C")] });
    const gId = String(g.json.returnId);
    const gExchange = await exchangeOf(gId);
    await orderWhen(gExchange.orderId, (o) => o.status === "ALLOCATED");
    expect(await reservedAt("RET-C")).toBe(reservedBefore + 1);
    await awaitingGoods(aId);
    await awaitingGoods(gId);
    await admin("AdvanceClock", { milliseconds: 86_400_000 + 60_000 });
    const expired = await returnWhen(aId, (x) => x.status === "EXPIRED" && (x.exchange as Exchange).charged !== undefined);
    expect(expired.exchange).toMatchObject({ status: "SETTLED", charged: { amount: 2000, captureId: expect.stringMatching(/^cap_/) as unknown } });
    expect(await replacementPayment(aExchange.orderId)).toMatchObject({ captured: EUR(2000), captures: { [`exchange:${aId}`]: { amount: EUR(2000), captureId: expect.stringMatching(/^cap_/) as unknown } } });
    const events = await eventually(() => archivedEvents({ source: "oms.returns", where: (d) => d.returnId === aId }), (e) => e.some((x) => x["detail-type"] === "ExchangeCharged"));
    expect(events.find((e) => e["detail-type"] === "ExchangeCharged")?.detail).toMatchObject({ data: { amount: EUR(2000) } });
    await eventually(() => notificationsOf(advanced.orderId, 1), (n) => n.some((m) => m.template === "exchange-charged" && String(m.text).includes("20.00")));
    await returnWhen(gId, (x) => x.status === "EXPIRED" && (x.exchange as Exchange).status === "CANCELLED");
    await orderWhen(gExchange.orderId, (o) => o.status === "CANCELLED");
    expect(await reservedAt("RET-C")).toBe(reservedBefore);
    expect(await replacementPayment(gExchange.orderId)).toBeUndefined();
    expect((await finished(gId)).status).toBe("SUCCEEDED");
    await policy();
  });
});
