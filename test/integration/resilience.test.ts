import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../functions/adapters/channels/signature.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { keys } from "../../functions/adapters/dynamodb/keys.js";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { checkInventoryDrift } from "../../functions/adapters/dynamodb/inventory-drift.js";
import { DynamoStockLedger } from "../../functions/adapters/dynamodb/stock-ledger.js";
import { DynamoPaymentStore } from "../../functions/adapters/dynamodb/payment-store.js";
import { startLocalCloud, type LocalCloud } from "../../local/cloud.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { machineArn } from "./global-setup.js";
import { cloud as shared } from "./helpers.js";
import { waitFor } from "../support/wait.js";

/** Errors before the function runs, crashes after it ran (the answer lost), in five task functions. */
const FAULTS = "ReserveAndRoute:error=0.1,crash=0.1;AuthorizePayment:crash=0.1;ReleaseShipment:error=0.1;ShipShipment:error=0.1,crash=0.1;AwaitDelivery:error=0.1";

/**
 * A cloud of its own with faults in the workflow's task functions: before they run (nothing
 * done) and after (the work done, the answer lost). Every order must still end in a terminal,
 * consistent state: no leaked reservation, no authorization left on a failed order, no drift.
 */
let work: string;
let cloud: LocalCloud;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "oms-faults-"));
  cloud = await startLocalCloud({ assemblyDir: shared.assemblyDir, dataDir: work, persist: false, seed: true });
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a hold nobody decides", () => {
  it("is cancelled when the 7-day wait runs out (on this cloud's own clock)", async () => {
    const body = JSON.stringify(genericOrderBody({ externalOrderId: "EXPIRE-1", lines: [{ sku: "MUG-LOGO", quantity: 1, unitPrice: { amount: 150_000, currency: "EUR" } }], discountTotal: undefined }));
    const res = await fetch(`${cloud.apiUrl}/webhooks/generic`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(cloud.channelSecrets.generic ?? "", body) }, body });
    const { orderId } = (await res.json()) as { orderId: string };
    const status = async () => ((await (await fetch(`${cloud.apiUrl}/orders/${orderId}`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } })).json()) as { status: string; statusHistory: { reason?: string }[] });
    await waitFor(`order ${orderId} to be held`, status, (v) => v.status === "ON_HOLD");
    // Let the workflow park its token (its timeout then runs from now) before the clock jumps.
    await cloud.idle();
    cloud.clock.advance(8 * 86_400_000);
    const after = await waitFor(`order ${orderId} to leave its hold`, status, (v) => v.status !== "ON_HOLD").catch(() => status());
    const sfnc = new SFNClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    const machine = machineArn(cloud.stateMachineArns, "order-fulfillment");
    const h = await sfnc.send(new GetExecutionHistoryCommand({ executionArn: `${machine.replace(":stateMachine:", ":execution:")}:${orderId}` }));
    expect(after.status, JSON.stringify(h.events?.map((e) => [e.type, e.stateEnteredEventDetails?.name, e.taskFailedEventDetails?.error ?? e.executionFailedEventDetails?.cause]))).toBe("CANCELLED");
    expect(after.statusHistory.at(-1)?.reason).toBe("the hold was not released within 7 days");
  });
});

const DAY = 86_400_000;
type View = { status: string; statusHistory: { status: string; reason?: string }[]; shipments: { shipmentId: string; status: string; locationId: string; round: number; lateAlerts?: number; carrierShipment?: { carrier: string; trackingNumber: string } }[]; totals: { grandTotal: { amount: number } } };
const api = async (p: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${cloud.apiUrl}${p}`, { method: init.method ?? "GET", headers: { authorization: `Bearer ${cloud.operatorToken}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) }, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const viewOf = async (orderId: string) => (await api(`/orders/${orderId}`)).json as unknown as View;
/** Waits until `ok` holds on the order's view; throws with the last view when the time is up. */
const until = (orderId: string, ok: (v: View) => boolean, timeoutMs = 20_000): Promise<View> => waitFor(`order ${orderId} to reach the expected state`, () => viewOf(orderId), ok, { timeoutMs });
/** The order's execution: its status and the states it entered, in order. */
async function executionOf(orderId: string): Promise<{ status?: string; states: (string | undefined)[] }> {
  const sfn = new SFNClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  const executionArn = `${(machineArn(cloud.stateMachineArns, "order-fulfillment")).replace(":stateMachine:", ":execution:")}:${orderId}`;
  const [execution, history] = await Promise.all([sfn.send(new DescribeExecutionCommand({ executionArn })), sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))]);
  return { status: execution.status, states: (history.events ?? []).filter((e) => e.type?.endsWith("StateEntered")).map((e) => e.stateEnteredEventDetails?.name) };
}

/** The execution's story, compact: the message a failed assertion prints. */
async function story(orderId: string): Promise<string> {
  const sfn = new SFNClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  const machine = machineArn(cloud.stateMachineArns, "order-fulfillment");
  const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: `${machine.replace(":stateMachine:", ":execution:")}:${orderId}`, maxResults: 1000 }));
  const events = (h.events ?? []).map((e) => [e.type, e.stateEnteredEventDetails?.name, e.taskFailedEventDetails?.error ?? e.taskTimedOutEventDetails?.error ?? e.executionFailedEventDetails?.error, e.taskFailedEventDetails?.cause?.slice(0, 200)].filter(Boolean).join(" "));
  return `clock +${Math.round((cloud.clock.now() - Date.now()) / 60_000)} min; ${JSON.stringify(events)}`;
}
async function place(externalOrderId: string, sku: string, quantity = 1, extra: Record<string, unknown> = {}) {
  const body = JSON.stringify(genericOrderBody({ externalOrderId, lines: [{ sku, quantity, unitPrice: { amount: 1250, currency: "EUR" } }], discountTotal: undefined, payment: { method: "card", token: "tok_visa" }, ...extra }));
  const res = await fetch(`${cloud.apiUrl}/webhooks/generic`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(cloud.channelSecrets.generic ?? "", body) }, body });
  expect(res.status).toBe(202);
  return ((await res.json()) as { orderId: string }).orderId;
}
const released = (v: View) => v.shipments.length > 0 && v.shipments.every((s) => s.status === "RELEASED");
const terminal = (v: View) => ["FAILED", "CANCELLED", "REJECTED", "DELIVERED"].includes(v.status);
async function track(carrier: string, trackingNumber: string, status: string) {
  const raw = JSON.stringify({ trackingNumber, status });
  return fetch(`${cloud.apiUrl}/carriers/${carrier}/tracking`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(cloud.carrierSecrets.default ?? "", raw) }, body: raw });
}

describe("faults in the task functions", () => {
  // Only while this test runs: the clock-driven tests below need their steps to go through.
  beforeAll(() => cloud.lambda.setFaults(FAULTS));
  afterAll(() => cloud.lambda.setFaults(undefined));
  it("every order still ends terminal and consistent: delivered and captured in full, or failed with no stock held and nothing captured", async () => {
    const db = documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }));
    const inventory = new DynamoStockLedger(db, cloud.tableName, { now: () => new Date().toISOString() }, { next: () => crypto.randomUUID() });
    await new DynamoCatalog(db, cloud.tableName).putStock({ sku: "MUG-LOGO", locationId: "WH-BER", onHand: 10_000, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await place(`FAULT-${i}`, "MUG-LOGO"));
    // The locations and the carrier do their part for every order that got released.
    for (const id of ids) {
      const v = await until(id, (x) => released(x) || terminal(x));
      for (const s of v.shipments.filter((x) => x.status === "RELEASED")) {
        for (const type of ["accepted", "packed"]) await api(`/fulfillments/${s.shipmentId}/events`, { method: "POST", body: { type } });
        await api(`/fulfillments/${s.shipmentId}/events`, { method: "POST", body: { type: "shipped", carrier: "oms-post", weightGrams: 800 } });
      }
    }
    for (const id of ids) {
      const v = await until(id, (x) => x.shipments.every((s) => s.status !== "RELEASED" && s.status !== "ACCEPTED" && s.status !== "PACKED") || terminal(x), 60_000);
      for (const s of v.shipments.filter((x) => x.status === "SHIPPED")) expect((await track("oms-post", s.carrierShipment!.trackingNumber, "delivered")).status).toBe(200);
    }
    await cloud.idle();
    const sfn = new SFNClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    const machine = machineArn(cloud.stateMachineArns, "order-fulfillment");
    const payments = new DynamoPaymentStore(db, cloud.tableName);
    const outcome: Record<string, number> = {};
    let consumed = 0;
    for (const id of ids) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: `${machine.replace(":stateMachine:", ":execution:")}:${id}` }));
      const order = await viewOf(id);
      // The workflow's end agrees with the order's: a delivered order's execution succeeded.
      expect(execution.status, `${order.status}: ${await story(id)}`).toBe(order.status === "DELIVERED" ? "SUCCEEDED" : "FAILED");
      outcome[order.status] = (outcome[order.status] ?? 0) + 1;
      const payment = await payments.get(id);
      if (order.status === "DELIVERED") {
        expect(payment).toMatchObject({ status: "CAPTURED", captured: { amount: order.totals.grandTotal.amount } });
        consumed++;
      } else {
        expect(order.status).toBe("FAILED");
        // Failed before anything shipped: the authorization is voided and nothing was captured.
        expect(payment?.status ?? "NONE").not.toMatch(/AUTHORIZED|CAPTURED/);
        expect(order.shipments.filter((s) => s.status === "SHIPPED" || s.status === "DELIVERED")).toEqual([]);
      }
    }
    // Both ends happened: the faults were felt, and orders still got through.
    expect(outcome.DELIVERED).toBeGreaterThan(0);
    expect(Object.keys(outcome).every((k) => k === "DELIVERED" || k === "FAILED")).toBe(true);
    const mugs = (await inventory.stockOf("MUG-LOGO")).find((s) => s.locationId === "WH-BER");
    expect(mugs).toMatchObject({ reserved: 0, onHand: 10_000 - consumed });
    expect((await checkInventoryDrift(db, cloud.tableName)).drift).toEqual([]);
    expect(Object.values(cloud.lambda.stats.injectedFaults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 240_000);
});

describe("time-outs on the cloud's own clock", () => {
  it("a location that misses its SLA loses the shipment: it is withdrawn and routed to another location", async () => {
    const db = documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }));
    const catalog = new DynamoCatalog(db, cloud.tableName);
    await catalog.putSku({ sku: "SLA-A", name: "SLA test item", unitWeightGrams: 300, active: true });
    await catalog.putStock({ sku: "SLA-A", locationId: "WH-BER", onHand: 5, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    await catalog.putStock({ sku: "SLA-A", locationId: "WH-RTM", onHand: 5, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    const orderId = await place("SLA-1", "SLA-A");
    const first = (await until(orderId, released)).shipments[0]!;
    expect(first.locationId).toBe("WH-BER");
    expect((await api(`/fulfillments/${first.shipmentId}/events`, { method: "POST", body: { type: "accepted" } })).status).toBe(200);
    await cloud.idle(); // the step waits on the location: its SLA runs from the last heartbeat
    cloud.clock.advance(5 * 3_600_000); // past the 4 h heartbeat SLA
    const v = await until(orderId, (x) => x.shipments.some((s) => s.round === 2 && s.status === "RELEASED"));
    expect(v.shipments.map((s) => [s.locationId, s.status, s.round]), await story(orderId)).toEqual([["WH-BER", "REJECTED", 1], ["WH-RTM", "RELEASED", 2]]);
    expect(v.statusHistory.at(-1)?.status).toBe("ALLOCATED");
    const stock = await new DynamoStockLedger(db, cloud.tableName, { now: () => new Date().toISOString() }, { next: () => crypto.randomUUID() }).stockOf("SLA-A");
    expect(Object.fromEntries(stock.map((s) => [s.locationId, s.reserved]))).toEqual({ "WH-BER": 0, "WH-RTM": 1 });
  });

  it("a pickup nobody collects within 7 days is not collected: the order is cancelled, the stock goes back, the authorization is voided", async () => {
    const db = documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }));
    const catalog = new DynamoCatalog(db, cloud.tableName);
    await catalog.putSku({ sku: "NOSHOW-A", name: "No-show test item", unitWeightGrams: 300, active: true });
    await catalog.putStock({ sku: "NOSHOW-A", locationId: "ST-HAM", onHand: 3, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    const orderId = await place("NOSHOW-1", "NOSHOW-A", 2, { pickup: { locationId: "ST-HAM" } });
    const [s] = (await until(orderId, released)).shipments;
    expect(s?.locationId).toBe("ST-HAM");
    expect((await api(`/fulfillments/${s!.shipmentId}/events`, { method: "POST", body: { type: "ready_for_pickup" } })).status).toBe(200);
    await until(orderId, (x) => x.status === "READY_FOR_PICKUP");
    await cloud.idle(); // the workflow waits for the customer: the collection window runs from now
    cloud.clock.advance(8 * DAY);
    const v = await until(orderId, (x) => x.status === "CANCELLED");
    expect(v.status, await story(orderId)).toBe("CANCELLED");
    expect(v.statusHistory.at(-1)?.reason).toBe("not collected within the pickup window");
    expect(v.shipments.map((x) => x.status)).toEqual(["NOT_COLLECTED"]);
    await cloud.idle(); // the order is CANCELLED first, then the workflow step gives everything back
    expect(await new DynamoPaymentStore(db, cloud.tableName).get(orderId)).toMatchObject({ status: "VOIDED" });
    const stock = await new DynamoStockLedger(db, cloud.tableName, { now: () => new Date().toISOString() }, { next: () => crypto.randomUUID() }).stockOf("NOSHOW-A");
    expect(stock.find((x) => x.locationId === "ST-HAM")).toMatchObject({ onHand: 3, reserved: 0 });
    const execution = await executionOf(orderId);
    expect(execution.status).toBe("SUCCEEDED");
    expect(execution.states.slice(-4)).toEqual(["Still worth waiting?", "Not collected", "Anything left to fulfill?", "Order cancelled"]);
    expect((await api(`/fulfillments/${s!.shipmentId}/events`, { method: "POST", body: { type: "picked_up" } })).status).toBe(409);
  });

  it("a backorder that expires after part of the order shipped closes the order short: delivered for what shipped, the rest of the authorization released", async () => {
    const db = documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }));
    const catalog = new DynamoCatalog(db, cloud.tableName);
    await catalog.putSku({ sku: "SHORT-A", name: "Short stock item", unitWeightGrams: 300, active: true });
    await catalog.putStock({ sku: "SHORT-A", locationId: "WH-BER", onHand: 1, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    const orderId = await place("SHORT-1", "SHORT-A", 3); // ship-available: 1 ships now, 2 wait
    // The part that can go is released; the rest is a shipment of its own that awaits stock.
    const s = (await until(orderId, (x) => x.shipments.some((y) => y.status === "RELEASED") && x.shipments.some((y) => y.status === "AWAITING_STOCK"))).shipments.find((y) => y.status === "RELEASED")!;
    expect((await api(`/fulfillments/${s.shipmentId}/events`, { method: "POST", body: { type: "shipped", carrier: "oms-post", weightGrams: 300 } })).status).toBe(200);
    const mine = (x: View) => x.shipments.find((y) => y.shipmentId === s.shipmentId);
    const shipped = mine(await until(orderId, (x) => mine(x)?.status === "SHIPPED"))!;
    expect((await track("oms-post", shipped.carrierShipment!.trackingNumber, "delivered")).status).toBe(200);
    await until(orderId, (x) => mine(x)?.status === "DELIVERED");
    await cloud.idle(); // the rest found no stock and waits for it ("Wait for stock"): the 14 days run from now
    const waiting = await viewOf(orderId);
    expect(waiting.status).toBe("PARTIALLY_SHIPPED");
    cloud.clock.advance(15 * DAY);
    const v = await until(orderId, (x) => x.status === "DELIVERED");
    expect(v.status, await story(orderId)).toBe("DELIVERED");
    const closed = v as unknown as { closedShort: unknown; lines: { quantity: number; cancelledQuantity?: number }[]; totals: Record<"subtotal" | "shipping" | "tax" | "discount" | "grandTotal", { amount: number }>; changes: { kind: string; revision: number; totalsBefore: { grandTotal: { amount: number } } }[] };
    expect(closed.closedShort).toMatchObject({ units: { "001": 2 }, reason: "backordered stock did not arrive within 14 days" });
    // Closed short is an order change: the 2 units are out of the line, and the totals are what the customer bought.
    expect(closed.lines[0]).toMatchObject({ quantity: 1, cancelledQuantity: 2 });
    expect(closed.changes).toMatchObject([{ kind: "close-short", revision: 2 }]);
    const t = closed.totals;
    expect(t.subtotal.amount).toBe(1250);
    expect(t.grandTotal.amount).toBe(t.subtotal.amount + t.shipping.amount + t.tax.amount - t.discount.amount);
    await cloud.idle();
    const payment = await new DynamoPaymentStore(db, cloud.tableName).get(orderId);
    // Captured in all: the shipped share at shipment, and the rest of the new total at the close; the authorization lowered to it.
    const before = closed.changes[0]!.totalsBefore.grandTotal.amount;
    const share = Math.floor((before * 1250) / 3750);
    expect(payment).toMatchObject({ status: "CAPTURED", captured: { amount: t.grandTotal.amount }, amount: { amount: t.grandTotal.amount } });
    expect(Object.values(payment!.captures ?? {}).map((c) => c.amount.amount).sort((a, b) => a - b)).toEqual([t.grandTotal.amount - share, share].sort((a, b) => a - b));
    const reduced = await db.send(new GetCommand({ TableName: cloud.tableName, Key: keys.providerRequest("reduce", `${orderId}.r2.reduce`), ConsistentRead: true }));
    expect(reduced.Item?.result).toMatchObject({ status: "REDUCED", amount: { amount: t.grandTotal.amount } });
    const stock = await new DynamoStockLedger(db, cloud.tableName, { now: () => new Date().toISOString() }, { next: () => crypto.randomUUID() }).stockOf("SHORT-A");
    expect(stock.find((x) => x.locationId === "WH-BER")).toMatchObject({ onHand: 0, reserved: 0 });
    const execution = await executionOf(orderId);
    expect(execution.status).toBe("SUCCEEDED");
    // The rest waited in its own branch of the Map ("Wait for stock"), beside the part that shipped.
    expect(execution.states).toContain("Wait for stock");
    expect(execution.states.slice(-3)).toEqual(["Close the rest short", "Anything left to fulfill?", "Order delivered"]);
  });

  it("lines a location rejected and nobody else has wait in a later round; when that backorder expires, they are closed short and the order is delivered for what shipped", async () => {
    const db = documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }));
    const catalog = new DynamoCatalog(db, cloud.tableName);
    for (const sku of ["RJ-A", "RJ-B"]) await catalog.putSku({ sku, name: `Reject test ${sku}`, unitWeightGrams: 300, active: true });
    await catalog.putStock({ sku: "RJ-A", locationId: "WH-BER", onHand: 1, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    await catalog.putStock({ sku: "RJ-B", locationId: "WH-RTM", onHand: 1, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    const line = (sku: string) => ({ sku, quantity: 1, unitPrice: { amount: 1250, currency: "EUR" } });
    const orderId = await place("RJ-1", "RJ-A", 1, { lines: [line("RJ-A"), line("RJ-B")] });
    const split = await until(orderId, (x) => x.shipments.length === 2 && x.shipments.every((s) => s.status === "RELEASED"));
    const ber = split.shipments.find((s) => s.locationId === "WH-BER")!;
    const rtm = split.shipments.find((s) => s.locationId === "WH-RTM")!;
    expect((await api(`/fulfillments/${rtm.shipmentId}/events`, { method: "POST", body: { type: "rejected", reason: "damaged in the warehouse" } })).status).toBe(200);
    await until(orderId, (x) => x.shipments.some((s) => s.shipmentId === rtm.shipmentId && s.status === "REJECTED"));
    await api(`/fulfillments/${ber.shipmentId}/events`, { method: "POST", body: { type: "shipped", carrier: "oms-post", weightGrams: 300 } });
    const shipped = (await until(orderId, (x) => x.shipments.some((s) => s.shipmentId === ber.shipmentId && s.status === "SHIPPED"))).shipments.find((s) => s.shipmentId === ber.shipmentId)!;
    expect((await track("oms-post", shipped.carrierShipment!.trackingNumber, "delivered")).status).toBe(200);
    await until(orderId, (x) => x.shipments.some((s) => s.shipmentId === ber.shipmentId && s.status === "DELIVERED"));
    await cloud.idle(); // the next round found RJ-B nowhere but at the location that rejected it: it waits, 14 days from now
    expect((await viewOf(orderId)).status).toBe("PARTIALLY_SHIPPED");
    cloud.clock.advance(15 * DAY);
    const v = await until(orderId, (x) => x.status === "DELIVERED");
    expect(v.status, await story(orderId)).toBe("DELIVERED");
    const closed = v as unknown as { closedShort: unknown; lines: { lineId: string; quantity: number; cancelledQuantity?: number }[]; totals: { grandTotal: { amount: number } }; changes: { kind: string }[] };
    expect(closed.closedShort).toMatchObject({ units: { "002": 1 } });
    expect(closed.lines.map((l) => [l.lineId, l.quantity, l.cancelledQuantity ?? 0])).toEqual([["001", 1, 0], ["002", 0, 1]]);
    expect(closed.changes.map((c) => c.kind)).toEqual(["close-short"]);
    await cloud.idle();
    expect(await new DynamoPaymentStore(db, cloud.tableName).get(orderId)).toMatchObject({ status: "CAPTURED", captured: { amount: closed.totals.grandTotal.amount } });
    const execution = await executionOf(orderId);
    expect(execution.status).toBe("SUCCEEDED");
    expect(execution.states.slice(-3)).toEqual(["Cancel the backorder", "Closed short?", "Order delivered"]);
  });

  it("a parcel past its promised delivery raises DeliveryLate, and is still delivered later", async () => {
    const orderId = await place("LATE-1", "MUG-LOGO");
    const [s] = (await until(orderId, released)).shipments;
    await api(`/fulfillments/${s!.shipmentId}/events`, { method: "POST", body: { type: "shipped", carrier: "oms-post", weightGrams: 500 } });
    const shipped = (await until(orderId, (x) => x.shipments[0]?.status === "SHIPPED")).shipments[0]!;
    await cloud.idle(); // "Await delivery" has parked its token: its window runs from now
    cloud.clock.advance(8 * DAY); // past the 7-day delivery window
    const late = await until(orderId, (x) => (x.shipments[0]?.lateAlerts ?? 0) > 0);
    expect(late.shipments[0]?.lateAlerts, await story(orderId)).toBe(1);
    expect((await track("oms-post", shipped.carrierShipment!.trackingNumber, "delivered")).status).toBe(200);
    expect((await until(orderId, (x) => x.status === "DELIVERED")).status).toBe("DELIVERED");
  });
});
