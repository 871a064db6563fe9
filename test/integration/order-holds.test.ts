import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, dynamo, eventually, executionArn, finishedExecution, operatorGet, postOrder, releasedToLocations, sfn } from "./helpers.js";

beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: "HOLD-WH", name: "Holds test warehouse", kind: "warehouse", country: "DE", lat: 52.45, lon: 13.2, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 120, currency: "EUR" }, priority: 1, active: true, groups: ["hold-test"] });
  await catalog.putSku({ sku: "HOLD-A", name: "Holds test item", unitWeightGrams: 400, active: true });
  await catalog.putStock({ sku: "HOLD-A", locationId: "HOLD-WH", onHand: 100, reserved: 0, safetyStock: 0, reorderPoint: 0 });
});

async function decide(orderId: string, decision: "release" | "cancel") {
  const res = await fetch(`${cloud.apiUrl}/orders/${orderId}/hold/${decision}`, { method: "POST", headers: { authorization: `Bearer ${cloud.operatorToken}` } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const reserved = async () => ((await operatorGet("/inventory/HOLD-A")).json.locations as { locationId: string; reserved: number }[]).find((l) => l.locationId === "HOLD-WH")?.reserved ?? 0;
/** An order waiting on its hold: ON_HOLD, its execution still running. */
async function held(overrides: Record<string, unknown>) {
  const res = await postOrder(genericOrderBody({ lines: [{ sku: "HOLD-A", quantity: 2, unitPrice: { amount: 60_000, currency: "EUR" } }], discountTotal: undefined, ...overrides }));
  const orderId = String(res.json.orderId);
  await eventually(() => operatorGet(`/orders/${orderId}`), (o) => o.json.status === "ON_HOLD");
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }))).status).toBe("RUNNING");
  return orderId;
}

describe("holds", () => {
  it("an order over the channel's amount waits ON_HOLD with nothing reserved; released, it goes on to allocation", async () => {
    const before = await reserved();
    const orderId = await held({ externalOrderId: "HOLD-amount-1" });
    expect(await reserved()).toBe(before);
    const view = (await operatorGet(`/orders/${orderId}`)).json;
    expect((view.statusHistory as { status: string; reason?: string }[]).at(-1)?.reason).toMatch(/^grand total \d+ ≥ 100000 EUR minor units/);

    expect(await decide(orderId, "release")).toEqual({ status: 200, json: { orderId, status: "CONFIRMED" } });
    await releasedToLocations(orderId);
    const after = (await operatorGet(`/orders/${orderId}`)).json;
    expect(after.status).toBe("ALLOCATED");
    expect((after.statusHistory as { status: string }[]).map((s) => s.status)).toEqual(["RECEIVED", "ON_HOLD", "CONFIRMED", "ALLOCATED"]);
    expect(await reserved()).toBe(before + 2);
    // Deciding again is harmless.
    expect((await decide(orderId, "release")).status).toBe(200);
    const events = await eventually(() => archivedEvents({ detailType: "OrderOnHold", where: (d) => d.orderId === orderId }), (e) => e.length > 0);
    expect(events).toHaveLength(1);
  });

  it("a suspicious order (fraud score) cancelled on hold ends the workflow and reserves nothing", async () => {
    const before = await reserved();
    const orderId = await held({ externalOrderId: "HOLD-fraud-1", lines: [{ sku: "HOLD-A", quantity: 1, unitPrice: { amount: 1000, currency: "EUR" } }], customer: { email: "buyer@mailinator.com", name: "Buyer", phone: "+447700900123" } });
    expect(((await operatorGet(`/orders/${orderId}`)).json.statusHistory as { reason?: string }[]).at(-1)?.reason).toContain("fraud score 0.70");
    expect(await decide(orderId, "cancel")).toEqual({ status: 200, json: { orderId, status: "CANCELLED" } });
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    expect((await operatorGet(`/orders/${orderId}`)).json.status).toBe("CANCELLED");
    expect(await reserved()).toBe(before);
  });

  it("POST /orders/{id}/cancel on a held order also ends its waiting workflow", async () => {
    const orderId = await held({ externalOrderId: "HOLD-cancel-1" });
    const res = await fetch(`${cloud.apiUrl}/orders/${orderId}/cancel`, { method: "POST", headers: { authorization: `Bearer ${cloud.operatorToken}` } });
    expect(res.status).toBe(200);
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
  });

  it("refuses a decision on an order that is not on hold (409)", async () => {
    const res = await postOrder(genericOrderBody({ externalOrderId: "HOLD-none-1", lines: [{ sku: "HOLD-A", quantity: 1, unitPrice: { amount: 1000, currency: "EUR" } }], discountTotal: undefined }));
    const orderId = String(res.json.orderId);
    await releasedToLocations(orderId);
    const refused = await decide(orderId, "release");
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "CONFLICT", details: { status: "ALLOCATED" } });
  });
});
