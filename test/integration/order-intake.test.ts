import { GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, eventually, executionArn, finishedExecution, notificationsOf, operatorGet, postOrder, releasedToLocations, sfn, snapshot } from "./helpers.js";

describe("a signed order through the local cloud", () => {
  it("is stored, its workflow confirms it, OrderConfirmed reaches notifications and the outbox holds the messages", async () => {
    const body = genericOrderBody({ externalOrderId: "IT-happy-1" });
    const res = await postOrder(body);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ orderId: expect.stringMatching(/^[0-9A-Z]{26}$/) as unknown, status: "RECEIVED" });
    const orderId = String(res.json.orderId);

    // Confirmed, routed, reserved, authorized: the workflow now waits on the location.
    await releasedToLocations(orderId);

    const order = await operatorGet(`/orders/${orderId}`);
    expect(order.status).toBe(200);
    expect(order.json).toMatchObject({
      orderId,
      channel: "generic",
      externalOrderId: "IT-happy-1",
      status: "ALLOCATED",
      totals: { grandTotal: { amount: 6326, currency: "EUR" } },
      lines: [
        { lineId: "001", sku: "TSHIRT-BLK-M", quantity: 2, lineTotal: { amount: 3998, currency: "EUR" } },
        { lineId: "002", sku: "MUG-LOGO", quantity: 1 },
      ],
    });
    expect((order.json.statusHistory as { status: string }[]).map((s) => s.status)).toEqual(["RECEIVED", "CONFIRMED", "ALLOCATED"]);
    // Routed to the Berlin warehouse, which holds both SKUs, and reserved there.
    expect(order.json.allocation).toMatchObject({
      outcome: "ALLOCATED",
      algorithm: "optimizer",
      backordered: [],
      shipments: [{ shipmentId: `${orderId}-S1`, locationId: "WH-BER", lines: [{ lineId: "001", sku: "TSHIRT-BLK-M", quantity: 2 }, { lineId: "002", sku: "MUG-LOGO", quantity: 1 }] }],
    });
    const reserved = await operatorGet("/inventory/TSHIRT-BLK-M");
    expect((reserved.json.locations as { locationId: string; reserved: number }[]).find((l) => l.locationId === "WH-BER")?.reserved).toBeGreaterThanOrEqual(2);

    const sent = await notificationsOf(orderId, 2);
    expect(sent.map((n) => [n.channel, n.template, n.recipient, n.eventId]).sort()).toEqual([
      ["email", "order-confirmed", "grace@example.com", `${orderId}.OrderConfirmed`],
      ["sms", "order-confirmed-sms", "+4915112345678", `${orderId}.OrderConfirmed`],
    ]);
    expect(sent.find((n) => n.channel === "email")?.text).toContain("€63.26");

    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(orderId) }));
    const entered = (history.events ?? []).filter((e) => e.type?.endsWith("StateEntered")).map((e) => e.stateEnteredEventDetails?.name);
    // Billed transitions so far: the events come from the table's stream, not from states.
    expect(entered).toEqual(["Validate order", "Is the order valid?", "Reserve and route", "Authorize payment", "Fulfill shipments", "Release to location"]);
    // The channel collected the payment (no card): authorized as such.
    expect(order.json.payment).toMatchObject({ status: "AUTHORIZED", method: "marketplace", amount: { amount: 6326, currency: "EUR" } });
    const events = await eventually(() => archivedEvents({ source: "oms.orders", where: (d) => d.orderId === orderId }), (e) => e.length >= 4);
    expect(events.map((e) => [e["detail-type"], e.detail.metadata.eventId])).toEqual([
      ["OrderCreated", `${orderId}.OrderCreated`],
      ["OrderConfirmed", `${orderId}.OrderConfirmed`],
      ["OrderAllocated", `${orderId}.OrderAllocated`],
      ["PaymentAuthorized", `${orderId}.PaymentAuthorized`],
    ]);
  });

  it("rejects an order for an unknown or inactive SKU, and tells the customer why", async () => {
    const body = genericOrderBody({
      externalOrderId: "IT-reject-1",
      lines: [
        { sku: "NO-SUCH-SKU", quantity: 1, unitPrice: { amount: 100, currency: "EUR" } },
        { sku: "POSTER-RETRO", quantity: 1, unitPrice: { amount: 100, currency: "EUR" } },
      ],
      discountTotal: undefined,
    });
    const res = await postOrder(body);
    expect(res.status).toBe(202);
    const orderId = String(res.json.orderId);
    expect((await finishedExecution(orderId)).status).toBe("SUCCEEDED");
    const order = await operatorGet(`/orders/${orderId}`);
    expect(order.json.status).toBe("REJECTED");
    const reason = (order.json.statusHistory as { status: string; reason?: string }[]).at(-1)?.reason ?? "";
    expect(reason).toContain("NO-SUCH-SKU is not in the catalog");
    expect(reason).toContain("POSTER-RETRO is not sellable");
    const [mail] = await notificationsOf(orderId, 1);
    expect(mail).toMatchObject({ channel: "email", template: "order-rejected" });
    expect(mail?.text).toContain("NO-SUCH-SKU is not in the catalog");
  });

  it("gives three concurrent identical deliveries one order and one execution", async () => {
    const before = await snapshot();
    const body = genericOrderBody({ externalOrderId: "IT-dup-1" });
    const results = await Promise.all([postOrder(body), postOrder(body), postOrder(body)]);
    const ids = new Set(results.map((r) => r.json.orderId));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 202]);
    for (const r of results) expect(r.json).toEqual({ orderId: [...ids][0], status: "RECEIVED" });
    await releasedToLocations(String([...ids][0]));
    const after = await snapshot();
    expect(after.executions - before.executions).toBe(1);
    // dedupe key + header + 2 lines + 2 notifications + the allocation + 2 reservations + the payment + the provider's answer + the shipment
    // + the marker that its demand was counted (the demand counters are per SKU and month: new only on a month's first sale)
    await notificationsOf(String([...ids][0]), 2);
    const added = Object.keys((await snapshot()).records).filter((k) => !(k in before.records) && !k.startsWith("DEMAND#"));
    expect(added).toHaveLength(13);
  });

  it("answers a later redelivery 200 with the same body, and a changed payload under the same id 409", async () => {
    const body = genericOrderBody({ externalOrderId: "IT-dup-2" });
    const first = await postOrder(body);
    await releasedToLocations(String(first.json.orderId));
    // Its notifications land asynchronously: let them, so the snapshot below sees a quiet table.
    expect(await notificationsOf(String(first.json.orderId), 2)).toHaveLength(2);
    const again = await postOrder(body);
    expect(again).toEqual({ status: 200, json: first.json });
    const before = await snapshot();
    const changed = await postOrder({ ...body, taxTotal: { amount: 1, currency: "EUR" } });
    expect(changed.status).toBe(409);
    expect(changed.json).toMatchObject({ error: { code: "CONFLICT", details: { orderId: first.json.orderId } } });
    expect(await snapshot()).toEqual(before);
  });
});

describe("bad input gets a clear 4xx and writes nothing", () => {
  const body = genericOrderBody({ externalOrderId: "IT-bad-1" });
  const cases: [string, () => Promise<{ status: number; json: Record<string, unknown> }>, number, string][] = [
    ["a bad signature", () => postOrder(body, { secret: "not-the-secret" }), 401, "UNAUTHORIZED"],
    ["no signature", () => postOrder(body, { signature: null }), 401, "UNAUTHORIZED"],
    ["a replayed (stale) signature", () => postOrder(body, { t: Math.floor(Date.now() / 1000) - 301 }), 401, "UNAUTHORIZED"],
    ["malformed JSON", () => postOrder(null, { raw: '{"externalOrderId": ' }), 400, "MALFORMED_JSON"],
    ["a body over 1 MB", () => postOrder(null, { raw: JSON.stringify({ ...body, pad: "x".repeat(1024 * 1024) }) }), 413, "PAYLOAD_TOO_LARGE"],
    ["a wrong content type", () => postOrder(body, { contentType: "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE"],
  ];

  it.each(cases)("%s", async (_label, call, status, code) => {
    const before = await snapshot();
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { code, message: expect.any(String) as unknown } });
    expect(await snapshot()).toEqual(before);
  });

  it("a schema violation lists every offending field path", async () => {
    const before = await snapshot();
    const res = await postOrder({
      ...body,
      currency: "eur",
      customer: { email: "nope", name: "X" },
      lines: [{ sku: "TSHIRT-BLK-M", quantity: -1, unitPrice: { amount: 10.5, currency: "EUR" } }],
    });
    expect(res.status).toBe(400);
    const issues = (res.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort();
    expect(issues).toEqual(expect.arrayContaining(["currency", "customer.email", "lines.0.quantity", "lines.0.unitPrice.amount"]));
    expect(await snapshot()).toEqual(before);
  });
});

describe("order reads", () => {
  it("need the operator token; health does not", async () => {
    expect((await operatorGet("/orders", null)).status).toBe(403);
    expect((await operatorGet("/orders", "wrong")).status).toBe(403);
    const health = await operatorGet("/health", null);
    expect(health).toMatchObject({ status: 200, json: { status: "ok" } });
  });

  it("404 for an unknown order, 400 for a malformed id or query", async () => {
    expect((await operatorGet("/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV")).json).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await operatorGet("/orders/not-an-id")).status).toBe(400);
    const bad = await operatorGet("/orders?status=SHIPPEDISH&limit=0");
    expect(bad.status).toBe(400);
    expect((bad.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(["limit", "status"]);
    expect((await operatorGet("/orders?cursor=forged")).status).toBe(400);
  });

  it("list newest first by status and channel, page by cursor without gaps or repeats", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await postOrder(genericOrderBody({ externalOrderId: `IT-list-${i}` }));
      ids.push(String(r.json.orderId));
    }
    for (const id of ids) await releasedToLocations(id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await operatorGet(`/orders?status=ALLOCATED&channel=generic&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      const items = page.json.items as { orderId: string; status: string; channel: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      for (const it of items) expect(it).toMatchObject({ status: "ALLOCATED", channel: "generic" });
      seen.push(...items.map((i) => i.orderId));
      cursor = page.json.cursor as string | undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(seen.indexOf(ids[2]!)).toBeLessThan(seen.indexOf(ids[0]!));
    const all = await operatorGet("/orders?limit=100");
    expect((all.json.items as unknown[]).length).toBeGreaterThanOrEqual(seen.length);
  });
});

describe("cloud info", () => {
  it("exposes a table and a state machine", () => {
    expect(cloud.tableName).toMatch(/Stateful/);
    expect(cloud.stateMachineArn).toMatch(/:stateMachine:oms-dev-order-fulfillment$/);
  });
});
