import { GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, dynamo, eventually, executionArn, finishedExecution, operatorGet, postOrder, releasedToLocations, sfn } from "./helpers.js";

// This file's own SKU and location, so no other test's stock is touched.
beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: "PAY-WH", name: "Payments test warehouse", kind: "warehouse", country: "DE", lat: 52.4, lon: 13.1, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 120, currency: "EUR" }, priority: 1, active: true, groups: ["pay-test"] });
  await catalog.putSku({ sku: "PAY-A", name: "Payments test item", unitWeightGrams: 400, active: true });
  await catalog.putStock({ sku: "PAY-A", locationId: "PAY-WH", onHand: 50, reserved: 0, safetyStock: 0, reorderPoint: 0 });
});

const reservedHere = async () => ((await operatorGet("/inventory/PAY-A")).json.locations as { locationId: string; reserved: number }[]).find((l) => l.locationId === "PAY-WH")?.reserved ?? 0;
const order = (token: string, externalOrderId: string) =>
  genericOrderBody({ externalOrderId, lines: [{ sku: "PAY-A", quantity: 2, unitPrice: { amount: 2500, currency: "EUR" } }], discountTotal: undefined, payment: { method: "card", token } });
const entered = async (orderId: string) =>
  ((await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(orderId) }))).events ?? []).filter((e) => e.type === "TaskFailed" || e.type?.endsWith("StateEntered")).map((e) => e.stateEnteredEventDetails?.name ?? `${e.type}:${e.taskFailedEventDetails?.error}`);

describe("payment authorization in the order workflow", () => {
  it("a declined card releases the reserved stock and cancels the order with the decline as the reason", async () => {
    const before = await reservedHere();
    const res = await postOrder(order("tok_chargeDeclinedInsufficientFunds", "PAY-declined-1"));
    const orderId = String(res.json.orderId);
    const done = await finishedExecution(orderId);
    expect(done.status, `${done.error}: ${done.cause}; ${(await entered(orderId)).join(" > ")}`).toBe("SUCCEEDED");
    const view = (await operatorGet(`/orders/${orderId}`)).json;
    expect(view).toMatchObject({ status: "CANCELLED", payment: { status: "DECLINED", declineCode: "insufficient_funds", method: "card", amount: { amount: 5000 + 495 + 1083, currency: "EUR" } } });
    expect((view.statusHistory as { status: string; reason?: string }[]).map((s) => [s.status, s.reason])).toEqual([
      ["RECEIVED", undefined],
      ["CONFIRMED", undefined],
      ["ALLOCATED", undefined],
      ["CANCELLED", "The payment was declined: insufficient_funds"],
    ]);
    expect(await reservedHere()).toBe(before);
    expect(await entered(orderId)).toEqual(["Validate order", "Is the order valid?", "Reserve and route", "Authorize payment", "TaskFailed:PaymentDeclinedError", "Read the decline", "Release reservations (payment declined)", "Mark order cancelled", "Order cancelled"]);
    const events = await eventually(() => archivedEvents({ source: "oms.orders", where: (d) => d.orderId === orderId }), (e) => e.length >= 5);
    expect(events.map((e) => e["detail-type"])).toEqual(expect.arrayContaining(["PaymentDeclined", "OrderCancelled"]));
    expect(JSON.stringify(view)).not.toContain("tok_");
  });

  it("a provider timeout is retried under the same idempotency key: one authorization, the order goes on", async () => {
    const before = await reservedHere();
    const res = await postOrder(order("tok_timeout", "PAY-timeout-1"));
    const orderId = String(res.json.orderId);
    await releasedToLocations(orderId, 60_000);
    const view = (await operatorGet(`/orders/${orderId}`)).json;
    expect(view).toMatchObject({ status: "ALLOCATED", payment: { status: "AUTHORIZED", authorizationId: expect.stringMatching(/^auth_/) as unknown } });
    expect(await reservedHere()).toBe(before + 2);
    expect(await entered(orderId)).toEqual(["Validate order", "Is the order valid?", "Reserve and route", "Authorize payment", "TaskFailed:PaymentProviderTimeoutError", "Fulfill shipments", "Release to location"]);
    const authorized = await eventually(() => archivedEvents({ detailType: "PaymentAuthorized", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
    expect(authorized).toHaveLength(1);
  });

  it("refuses a payment that is not a provider token, and writes nothing", async () => {
    const res = await postOrder({ ...order("tok_visa", "PAY-bad-1"), payment: { method: "card", token: "4242424242424242" } });
    expect(res.status).toBe(400);
    expect((res.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path)).toEqual(["payment.token"]);
  });
});

async function cancel(orderId: string, body?: unknown) {
  const res = await fetch(`${cloud.apiUrl}/orders/${orderId}/cancel`, {
    method: "POST",
    headers: { authorization: `Bearer ${cloud.operatorToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("POST /orders/{id}/cancel", () => {
  it("before shipment: cancels, gives the stock back and voids the authorization; again, the same answer", async () => {
    const before = await reservedHere();
    const res = await postOrder(order("tok_visa", "PAY-cancel-1"));
    const orderId = String(res.json.orderId);
    await releasedToLocations(orderId);
    expect(await reservedHere()).toBe(before + 2);

    const first = await cancel(orderId, { reason: "customer changed their mind" });
    expect(first).toEqual({ status: 200, json: { orderId, status: "CANCELLED", released: 1, payment: "VOIDED" } });
    expect(await reservedHere()).toBe(before);
    const view = (await operatorGet(`/orders/${orderId}`)).json;
    expect(view).toMatchObject({ status: "CANCELLED", payment: { status: "VOIDED" } });
    expect((view.statusHistory as { reason?: string }[]).at(-1)?.reason).toMatch(/^customer changed their mind \(/);
    expect(await cancel(orderId)).toEqual({ status: 200, json: { orderId, status: "CANCELLED", released: 0, payment: "VOIDED" } });
    const events = await eventually(() => archivedEvents({ detailType: "OrderCancelled", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
    expect(events).toHaveLength(1);
  });

  it("refuses what cannot be cancelled (409), unknown orders (404) and bad input (400)", async () => {
    const rejected = await postOrder(genericOrderBody({ externalOrderId: "PAY-cancel-rejected", lines: [{ sku: "NO-SUCH-SKU", quantity: 1, unitPrice: { amount: 100, currency: "EUR" } }], discountTotal: undefined }));
    const rejectedId = String(rejected.json.orderId);
    await finishedExecution(rejectedId);
    const refused = await cancel(rejectedId);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "CONFLICT", details: { status: "REJECTED" } });
    expect((await cancel("01JZZZZZZZZZZZZZZZZZZZZZZZ")).status).toBe(404);
    expect((await cancel("not-an-id")).status).toBe(400);
    expect((await cancel(rejectedId, { reason: "", extra: 1 })).status).toBe(400);
  });
});
