import { ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../functions/adapters/channels/signature.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { planSkuLocation } from "../../functions/domain/replenishment/plan.js";
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
    // Under the backorder policy until the end: a short order reserves nothing and waits whole.
    expect((await operator("PUT", "/routing/rules/generic", { shortagePolicy: "backorder" })).status).toBe(200);
    try {
      await depleteAndReplenish();
    } finally {
      await operator("PUT", "/routing/rules/generic", { shortagePolicy: "ship-available" });
    }
  });
});

async function depleteAndReplenish() {
    let backorderId = "";
    {
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

    // The history: 30 served here and 15 unserved (the SKU's home takes them) = 45 on the day the
    // orders came (function code runs on real time), then a zero for each day the local clock is
    // ahead of it up to yesterday. On the day after (a file run alone): SES on [45]: 45/day, σd 0;
    // lead time 5 ± 1 days: σ_LT = 45; SS = ⌈1.645 · 45⌉ = 75, ROP = 225 + 75 = 300, up to 930;
    // position 10 on hand − 15 backordered = −5; 935 → MOQ 50, packs of 12 → 936 (the unit test
    // "one day of history" checks those by hand). Later days are planned by the same code.
    const planned = await stockHere();
    const plannedAt = String((planned.plan as { plannedAt: string }).plannedAt);
    const quiet = Math.round((Date.parse(plannedAt.slice(0, 10)) - Date.parse(new Date().toISOString().slice(0, 10))) / 86_400_000) - 1;
    const expected = planSkuLocation({ demand: [45, ...Array.from({ length: quiet }, () => 0)], stock: { onHand: 10, reserved: 0, incoming: 0, backordered: 15 }, supply: { supplierId: SUPPLIER, leadTimeDays: 5, leadTimeSdDays: 1, moq: 50, pack: 12, unitPrice: 250 }, service: { kind: "cycle-service-level", target: 0.95 }, coverDays: 14, holdingRate: 0.25, defaultLeadTimeDays: 7 });
    if (quiet === 0) expect(expected).toMatchObject({ safetyStock: 75, reorderPoint: 300, orderUpTo: 930, orderQuantity: 936 });
    expect(planned).toMatchObject({ safetyStock: expected.safetyStock, reorderPoint: expected.reorderPoint, pinned: false });
    expect(planned.plan).toMatchObject({ method: expected.explanation.method, demandClass: expected.explanation.demandClass, forecastPerDay: expected.explanation.forecastPerDay, leadTimeDays: 5, leadTimeSdDays: 1, service: { kind: "cycle-service-level", target: 0.95 }, supplierId: SUPPLIER, backordered: 15, position: -5, orderUpTo: expected.orderUpTo });
    expect(expected.orderQuantity % 12).toBe(0);
    let pos = await purchaseOrders();
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ status: "DRAFT", lines: [{ sku: SKU, quantity: expected.orderQuantity }], total: expected.orderQuantity * 250 });
    const ordered = expected.orderQuantity;
    const poId = pos[0]!.poId;

    // A rerun duplicates nothing: the same draft, the same line.
    const rerun = await sfn.send(new StartExecutionCommand({ stateMachineArn: cloud.planningStateMachineArn, name: `rerun-${Date.now()}`, input: "{}" }));
    await eventually(planningRuns, (e) => e.some((x) => x.executionArn === rerun.executionArn && x.status === "SUCCEEDED"), 120_000);
    pos = await purchaseOrders();
    expect(pos).toHaveLength(1);
    expect(pos[0]).toMatchObject({ poId, status: "DRAFT", lines: [{ sku: SKU, quantity: ordered }] });

    // Approved: incoming stock at the location, with its expected date.
    expect((await operator("POST", `/purchase-orders/${poId}/approve`)).json.status).toBe("APPROVED");
    const incoming = await stockHere();
    expect(incoming.incoming).toEqual([{ reference: poId, source: "purchase-order", quantity: ordered, expectedAt: expect.any(String) as unknown }]);

    // Sent: the supplier's webhook gets it, signed, with the PDF.
    expect((await operator("POST", `/purchase-orders/${poId}/send`)).json.status).toBe("SENT");
    const [delivery] = await eventually(() => Promise.resolve(received), (r) => r.length > 0);
    // Function code sees the real time (the local clock moves timers only): the signature is of now.
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(() => verifyWebhookSignature(String(delivery!.headers["x-oms-signature"]), delivery!.body, SECRET, nowSeconds)).not.toThrow();
    const sent = JSON.parse(delivery!.body) as { purchaseOrder: { poId: string; lines: { supplierSku: string; quantity: number }[] }; document: { base64: string } };
    expect(sent.purchaseOrder).toMatchObject({ poId, lines: [{ supplierSku: "SUP-A-1", quantity: ordered }] });
    expect(Buffer.from(sent.document.base64, "base64").subarray(0, 5).toString()).toBe("%PDF-");

    // The backordered order waits for stock.
    expect((await operatorGet(`/orders/${backorderId}`)).json.status).toBe("BACKORDERED");

    // A receipt over the tolerance is refused, naming the line, and changes nothing.
    const over = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: ordered * 2 }] }, { "idempotency-key": "rp-over" });
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.json)).toContain("lines.0.quantity");
    expect((await stockHere()).onHand).toBe(10);

    // Part of it (4 damaged): on hand up 400, the rest still expected, the backorder released.
    const half = Math.floor(ordered / 2);
    const part = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: half, damaged: 4 }] }, { "idempotency-key": "rp-r1" });
    expect(part.status).toBe(201);
    expect((part.json.purchaseOrder as { status: string }).status).toBe("PARTIALLY_RECEIVED");
    expect(await stockHere()).toMatchObject({ onHand: 10 + half, incoming: [{ reference: poId, quantity: ordered - half - 4 }] });
    await orderWhen(backorderId, (o) => o.status === "ALLOCATED", 30_000);
    // The same receipt again is the same receipt.
    const again = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: half, damaged: 4 }] }, { "idempotency-key": "rp-r1" });
    expect(again.status).toBe(200);
    expect((await stockHere()).onHand).toBe(10 + half);

    // The rest: RECEIVED, incoming settled.
    const rest = await operator("POST", `/purchase-orders/${poId}/receipts`, { locationId: LOC, lines: [{ sku: SKU, quantity: ordered - half - 4 }] }, { "idempotency-key": "rp-r2" });
    expect(rest.status).toBe(201);
    expect((rest.json.purchaseOrder as { status: string }).status).toBe("RECEIVED");
    expect(await stockHere()).toMatchObject({ onHand: 10 + ordered - 4, incoming: [] });
    const po = (await operatorGet(`/purchase-orders/${poId}`)).json;
    expect(po).toMatchObject({ status: "RECEIVED", lines: [{ sku: SKU, quantity: ordered, received: ordered - 4, damaged: 4 }] });
    expect(po.receipts).toHaveLength(2);
    expect(po.deliveries).toMatchObject([{ channel: "webhook", status: "DONE" }]);

    // The inventory report: what sold, cover, fill rate, the planner's method; and the same as CSV.
    // From the orders' (real) day to the plan's.
    const day = plannedAt.slice(0, 10);
    const yesterday = new Date().toISOString().slice(0, 10);
    const report = (await operatorGet(`/reports/inventory?location=${LOC}&from=${yesterday}&to=${day}`)).json as { rows: Record<string, unknown>[]; forecastAccuracy: Record<string, unknown> };
    expect(report.rows.find((r) => r.sku === SKU)).toMatchObject({ sold: 30, unserved: 15, fillRate: 0.6667, onHand: 10 + ordered - 4, method: expected.explanation.method, slowMover: false });
    expect(report.forecastAccuracy[expected.explanation.method]).toMatchObject({ skus: 1 });
    const csv = await fetch(`${cloud.apiUrl}/reports/inventory?location=${LOC}&from=${yesterday}&to=${day}&format=csv`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const [header, row] = (await csv.text()).trim().split("\n");
    expect(header).toMatch(/^sku,onHand,reserved,sold,unserved,/);
    expect(row).toMatch(new RegExp(`^${SKU},${10 + ordered - 4},`));
    const bad = await operatorGet(`/reports/inventory?location=${LOC}&from=${day}&to=${yesterday}`);
    expect(bad.status).toBe(400);
}
