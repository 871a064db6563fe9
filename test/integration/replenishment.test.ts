import { ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../functions/adapters/channels/signature.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { admin, cloud, deliver, dynamo, eventually, operatorGet, orderWhen, postOrder, quiesce, sfn, shipIt, shipmentsIn } from "./helpers.js";

// This file's own SKU, location and supplier: the planner plans only SKUs a supplier sells, so no other file's stock is touched.
const SKU = "RP-A";
const LOC = "RP-WH";
const SUPPLIER = "RP-SUP";
const SECRET = "rp-supplier-webhook-secret";
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let server: Server;

const operator = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${cloud.apiUrl}${path}`, { method, headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}`, ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
const line = (quantity: number) => ({ sku: SKU, quantity, unitPrice: { amount: 1000, currency: "EUR" } });
const stockHere = async () => ((await operatorGet(`/inventory/${SKU}`)).json.locations as Record<string, unknown>[]).find((l) => l.locationId === LOC)!;
const planningRuns = async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: cloud.planningStateMachineArn }))).executions ?? [];
const purchaseOrders = async () => (await operatorGet(`/purchase-orders?supplier=${SUPPLIER}`)).json.items as { poId: string; status: string; lines: { sku: string; quantity: number }[]; total: number }[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: LOC, name: "Replenished warehouse", kind: "warehouse", country: "DE", lat: 52.5, lon: 13.4, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 100, currency: "EUR" }, priority: 1, active: true, groups: ["rp-test"] });
  await catalog.putSku({ sku: SKU, name: "Replenished item", unitWeightGrams: 300, active: true });
  await catalog.putStock({ sku: SKU, locationId: LOC, onHand: 40, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  const put = await operator("PUT", `/suppliers/${SUPPLIER}`, {
    name: "Replenishment Supplies GmbH",
    contact: { email: "orders@supplier.example", webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/po`, webhookSecret: SECRET },
    currency: "EUR",
    leadTime: { meanDays: 5, sdDays: 1 },
    skus: [{ sku: SKU, supplierSku: "SUP-A-1", price: 250, moq: 50, pack: 12, locations: [LOC] }],
  });
  expect(put.status).toBe(200);
  expect(put.json.contact).toEqual({ email: "orders@supplier.example", webhookUrl: expect.stringMatching(/\/po$/) as unknown, webhookSigned: true });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("replenishment end to end on the local cloud's clock", () => {
  it("refuses a bad supplier naming the field, and writes nothing", async () => {
    const bad = await operator("PUT", "/suppliers/RP-BAD", { name: "x", contact: {}, currency: "EUR", leadTime: { meanDays: -1 }, skus: [{ sku: SKU, price: 1.5 }] });
    expect(bad.status).toBe(400);
    const paths = ((bad.json.error as { details: { issues: { path: string }[] } }).details.issues).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["contact", "leadTime.meanDays", "skus.0.price"]));
    expect((await operatorGet("/suppliers/RP-BAD")).status).toBe(404);
  });

  it("orders deplete the SKU, the nightly plan sets safety stock and reorder point and drafts a PO; approval, sending, backorder and receipts follow", async () => {
    await operator("PUT", "/routing/rules/generic", { shortagePolicy: "backorder" });
    let backorderId = "";
    try {
      // Six orders of 5 ship 30 of the 40; one of 15 cannot be served and waits.
      for (let i = 0; i < 6; i++) {
        const res = await postOrder(genericOrderBody({ lines: [line(5)], discountTotal: undefined }));
        const orderId = String(res.json.orderId);
        const [s] = await shipmentsIn(orderId, "RELEASED");
        await deliver(await shipIt(orderId, s!.shipmentId));
      }
      const res = await postOrder(genericOrderBody({ lines: [line(15)], discountTotal: undefined }));
      backorderId = String(res.json.orderId);
      await orderWhen(backorderId, (o) => o.status === "BACKORDERED");
    } finally {
      await operator("PUT", "/routing/rules/generic", { shortagePolicy: "ship-available" });
    }
    await quiesce();
    expect(await stockHere()).toMatchObject({ onHand: 10, reserved: 0 });
    const runsBefore = (await planningRuns()).length;

    // The next day (past 02:00 in Berlin): the nightly schedule fires once and the run plans.
    const now = Date.parse(String((await admin("AdvanceClock", { milliseconds: 0 })).now));
    const nextNoon = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1, 12);
    await admin("AdvanceClock", { milliseconds: nextNoon - now });
    const runs = await eventually(planningRuns, (e) => e.length > runsBefore && e.every((x) => x.status !== "RUNNING"), 120_000);
    expect(runs.filter((x) => x.status === "SUCCEEDED").length).toBeGreaterThan(runsBefore);
    await quiesce();

    // Yesterday: 30 served here and 15 unserved (the SKU's home takes them) = 45 a day. SES on one
    // day: 45/day, σd 0; lead time 5 ± 1 days: σ_LT = 45 · 1; SS = ⌈1.645 · 45⌉ = 75; ROP = 225 + 75 = 300.
    const planned = await stockHere();
    expect(planned).toMatchObject({ safetyStock: 75, reorderPoint: 300, pinned: false });
    expect(planned.plan).toMatchObject({ method: "ses", demandClass: "smooth", forecastPerDay: 45, leadTimeDays: 5, leadTimeSdDays: 1, sigmaLeadTime: 45, service: { kind: "cycle-service-level", target: 0.95 }, supplierId: SUPPLIER, backordered: 15, position: -5, orderUpTo: 930 });
    // Position 10 on hand − 15 backordered = −5; up to 930 (+ 14 days of cover): 935 → MOQ 50, packs of 12 → 936.
    let pos = await purchaseOrders();
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ status: "DRAFT", lines: [{ sku: SKU, quantity: 936 }], total: 936 * 250 });
    const poId = pos[0]!.poId;

    // A rerun duplicates nothing: the same draft, the same line.
    const rerun = await sfn.send(new StartExecutionCommand({ stateMachineArn: cloud.planningStateMachineArn, name: `rerun-${Date.now()}`, input: "{}" }));
    await eventually(planningRuns, (e) => e.some((x) => x.executionArn === rerun.executionArn && x.status === "SUCCEEDED"), 120_000);
    pos = await purchaseOrders();
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ poId, status: "DRAFT", lines: [{ sku: SKU, quantity: 936 }] });

    // Approved: incoming stock at the location, with its expected date.
    expect((await operator("POST", `/purchase-orders/${poId}/approve`)).json.status).toBe("APPROVED");
    const incoming = await stockHere();
    expect(incoming.incoming).toEqual([{ reference: poId, source: "purchase-order", quantity: 936, expectedAt: expect.any(String) as unknown }]);

    // Sent: the supplier's webhook gets it, signed, with the PDF.
    expect((await operator("POST", `/purchase-orders/${poId}/send`)).json.status).toBe("SENT");
    const [delivery] = await eventually(() => Promise.resolve(received), (r) => r.length > 0);
    // Function code sees the real time (the local clock moves timers only): the signature is of now.
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(() => verifyWebhookSignature(String(delivery!.headers["x-oms-signature"]), delivery!.body, SECRET, nowSeconds)).not.toThrow();
    const sent = JSON.parse(delivery!.body) as { purchaseOrder: { poId: string; lines: { supplierSku: string; quantity: number }[] }; document: { base64: string } };
    expect(sent.purchaseOrder).toMatchObject({ poId, lines: [{ supplierSku: "SUP-A-1", quantity: 936 }] });
    expect(Buffer.from(sent.document.base64, "base64").subarray(0, 5).toString()).toBe("%PDF-");

    // The backordered order waits for stock.
    expect((await operatorGet(`/orders/${backorderId}`)).json.status).toBe("BACKORDERED");

    // A receipt over the tolerance is refused, naming the line, and changes nothing.
    const over = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: 1000 }] }, { "idempotency-key": "rp-over" });
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.json)).toContain("lines.0.quantity");
    expect((await stockHere()).onHand).toBe(10);

    // Part of it (4 damaged): on hand up 400, still expected 532, the backorder released.
    const part = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: 400, damaged: 4 }] }, { "idempotency-key": "rp-r1" });
    expect(part.status).toBe(201);
    expect((part.json.purchaseOrder as { status: string }).status).toBe("PARTIALLY_RECEIVED");
    expect(await stockHere()).toMatchObject({ onHand: 410, incoming: [{ reference: poId, quantity: 532 }] });
    await orderWhen(backorderId, (o) => o.status === "ALLOCATED", 30_000);
    // The same receipt again is the same receipt.
    const again = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: 400, damaged: 4 }] }, { "idempotency-key": "rp-r1" });
    expect(again.status).toBe(200);
    expect((await stockHere()).onHand).toBe(410);

    // The rest: RECEIVED, incoming settled.
    const rest = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: 532 }] }, { "idempotency-key": "rp-r2" });
    expect(rest.status).toBe(201);
    expect((rest.json.purchaseOrder as { status: string }).status).toBe("RECEIVED");
    expect(await stockHere()).toMatchObject({ onHand: 942, incoming: [] });
    const po = (await operatorGet(`/purchase-orders/${poId}`)).json;
    expect(po).toMatchObject({ status: "RECEIVED", lines: [{ sku: SKU, quantity: 936, received: 932, damaged: 4 }] });
    expect(po.receipts).toHaveLength(2);
    expect(po.deliveries).toMatchObject([{ channel: "webhook", status: "DONE" }]);
  });
});
