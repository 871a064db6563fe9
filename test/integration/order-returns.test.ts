import { DescribeExecutionCommand, GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { checkInventoryDrift } from "../../functions/adapters/dynamodb/inventory-drift.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { waitFor } from "../support/wait.js";
import { archivedEvents, cloud, deliver, dynamo, eventually, notificationsOf, operatorGet, orderWhen, postOrder, releasedToLocations, sfn, shipIt, trackingUpdate } from "./helpers.js";

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
const stockAt = async (sku: string, locationId = WH) => ((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; onHand: number; unsellable?: number }[]).find((l) => l.locationId === locationId)!;
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
