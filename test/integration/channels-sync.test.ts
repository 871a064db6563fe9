import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parse } from "lossless-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../../functions/adapters/channels/shopify-admin.js";
import { FakeShopify } from "../../local/fakes/shopify.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { channelSample } from "../fixtures/channel-samples.js";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { admin, archivedEvents, cloud, deliver, dynamo, eventually, operatorCall, operatorGet, putChannelSecret, quiesce, releasedToLocations, shipIt } from "./helpers.js";

// The order: a Shopify SDK fixture (shopify-order-get-partially-refunded-1.json), via ../shared/data/channels (see its README).
// The shop is local/fakes/shopify.ts: it answers the Admin API as shopify.dev documents it (order.fulfillmentOrders, fulfillmentCreate, inventorySetQuantities, orders.json).
const SHOP = "oms-sync-test.myshopify.com";
const SECRET = "shpss_sync_test_secret";
const TOKEN = "shpat_sync_test_token";
const aws = { endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };

const shop = new FakeShopify({ shopDomain: SHOP, accessToken: TOKEN, webhook: { url: `${cloud.apiUrl}/webhooks/shopify`, secret: SECRET } });
const sample = parse(channelSample("shopify-order-get-partially-refunded-1.json"), null, (n: string) => n) as { line_items: { id: string; quantity: string }[] };
/** The sample order under another id. */
const sampleAs = (id: string) => channelSample("shopify-order-get-partially-refunded-1.json").replace(/"id":\s*450789469/, `"id": ${id}`);

async function orderCreated(raw: string): Promise<string> {
  const res = await shop.createOrder(raw);
  expect(res.status).toBe(202);
  return String((res.body as { orderId: string }).orderId);
}

const creates = () => shop.callsOf("fulfillmentCreate");

beforeAll(async () => {
  const endpoint = await shop.start();
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: "SYNC-US", name: "Sync test warehouse", kind: "warehouse", country: "US", lat: 38.25, lon: -85.76, capabilities: ["ship", "receive-returns"], dailyCapacity: 1000, handlingCost: { amount: 100, currency: "USD" }, priority: 1, active: true, groups: ["sync-test"] });
  for (const sku of ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]) {
    await catalog.putSku({ sku, name: sku, unitWeightGrams: 200, active: true });
    await catalog.putStock({ sku, locationId: "SYNC-US", onHand: 10, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  }
  await new SecretsManagerClient(aws).send(new CreateSecretCommand({ Name: "oms/dev/channels/shop-sync", SecretString: JSON.stringify({ accessToken: TOKEN }) }));
  expect((await operatorCall("PUT", "/channels/shop-sync", { type: "shopify", shopDomain: SHOP, apiEndpoint: endpoint, credentialsSecret: "oms/dev/channels/shop-sync", defaultCurrency: "USD", locale: "en-US" })).status).toBe(200);
  await putChannelSecret("shop-sync", SECRET);
  endpointUrl = endpoint;
});
let endpointUrl = "";

afterAll(() => shop.stop());

describe("outbound sync to Shopify", () => {
  it("a Shopify order that ships: Shopify gets one fulfillmentCreate with our carrier and tracking number, for its fulfillment order's line items; a failed call is retried, and logged on the order", async () => {
    shop.failNext("fulfillmentCreate");
    const orderId = await orderCreated(sampleAs("450789480"));
    const released = await releasedToLocations(orderId);
    const shipment = await shipIt(orderId, released.shipments[0]?.shipmentId ?? "");
    const tracking = shipment.carrierShipment?.trackingNumber ?? "";
    expect(tracking).not.toBe("");
    // The first call failed (503): logged on the order, the event waits in the queue for its visibility timeout.
    const failed = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("FAILED"));
    expect(failed.json.channelSync).toEqual([expect.objectContaining({ key: `shipped#${shipment.shipmentId}`, channelId: "shop-sync", status: "FAILED", attempts: 1 })]);
    expect(JSON.stringify(failed.json.channelSync)).toContain("HTTP 503");
    await quiesce();
    await admin("AdvanceClock", { milliseconds: 181_000 });
    const sent = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("SENT"));
    expect(sent.json.channelSync).toEqual([expect.objectContaining({ status: "SENT", call: "fulfillmentCreate", attempts: 2, remoteIds: ["gid://shopify/Fulfillment/255858046"] })]);
    const succeeded = creates().filter((c) => JSON.stringify(c.json?.variables).includes(tracking));
    // Two attempts reached Shopify; the second one created the fulfillment, with every unit of the order.
    expect(succeeded).toHaveLength(2);
    expect(succeeded[1]?.path).toBe(`/admin/api/${SHOPIFY_API_VERSION}/graphql.json`);
    // The shipment's lines, as the fulfillment order's line items of the same Shopify line items.
    const order = sent.json as { lines: { lineId: string; channelLineId: string }[] };
    const expected = shipment.lines.map((l) => {
      const lineItem = sample.line_items.find((li) => li.id === order.lines.find((o) => o.lineId === l.lineId)?.channelLineId);
      return { id: `gid://shopify/FulfillmentOrderLineItem/${lineItem?.id ?? "none"}`, quantity: l.quantity };
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(succeeded[1]?.json?.variables).toEqual({
      fulfillment: {
        lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: "gid://shopify/FulfillmentOrder/450789480", fulfillmentOrderLineItems: expected }],
        trackingInfo: { company: shipment.carrierShipment?.carrier, number: tracking },
        notifyCustomer: true,
      },
    });
    expect(shop.unitsFulfilled("450789480")).toBe(shipment.lines.reduce((n, l) => n + l.quantity, 0));

    // The bus delivers the same event again (at-least-once): the order's log says it was sent, so Shopify hears nothing more.
    const [event] = await archivedEvents({ detailType: "ShipmentShipped", where: (d) => d.shipmentId === shipment.shipmentId });
    const before = shop.calls.length;
    await new EventBridgeClient(aws).send(new PutEventsCommand({ Entries: [{ EventBusName: "oms-dev", Source: event?.source, DetailType: event?.["detail-type"], Detail: JSON.stringify(event?.detail) }] }));
    await quiesce();
    expect(shop.calls.length).toBe(before);
  });

  it("an order we cancel is cancelled on Shopify (orderCancel, refunded there), once; one Shopify cancelled is not sent back", async () => {
    const ours = await orderCreated(sampleAs("450789500"));
    await releasedToLocations(ours);
    expect((await operatorCall("POST", `/orders/${ours}/cancel`, { reason: "fraud suspected" }, { "idempotency-key": "sync-cancel-1" })).status).toBe(200);
    const logged = await eventually(() => operatorGet(`/orders/${ours}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("orderCancel"));
    expect(logged.json.channelSync).toEqual([expect.objectContaining({ key: "cancelled", call: "orderCancel", status: "SENT", attempts: 1 })]);
    expect(shop.callsOf("orderCancel").map((c) => c.json?.variables)).toEqual([expect.objectContaining({ orderId: "gid://shopify/Order/450789500", refundMethod: { originalPaymentMethodsRefund: true }, staffNote: expect.stringMatching(/^OMS: fraud suspected/) as unknown })]);
    expect(shop.orders.get("450789500")?.cancelledAt).toBeDefined();

    // Cancelled on Shopify: the webhook cancels ours, and Shopify hears nothing back.
    const theirs = await orderCreated(sampleAs("450789510"));
    await releasedToLocations(theirs);
    const cancelled = JSON.stringify({ ...(JSON.parse(sampleAs("450789510")) as Record<string, unknown>), cancelled_at: "2026-12-03T10:00:00-05:00", cancel_reason: "customer" });
    expect((await shop.deliver("orders/cancelled", cancelled)).status).toBe(200);
    const skipped = await eventually(() => operatorGet(`/orders/${theirs}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("SKIPPED"));
    expect(skipped.json).toMatchObject({ status: "CANCELLED", channelSync: [expect.objectContaining({ key: "cancelled", status: "SKIPPED", reason: "the channel cancelled the order itself" })] });
    await quiesce();
    expect(shop.callsOf("orderCancel")).toHaveLength(1);
  });

  it("a return's refund of a Shopify order is made on Shopify (refundCreate against its sale), once; Shopify's refunds/create then is that refund, not a second one", async () => {
    expect((await operatorCall("PUT", "/returns/policies/shop-sync", { windowDays: 30, shipWithinDays: 14, receiveWithinDays: 21, restockingFeePercent: 0, returnShippingFee: 0 })).status).toBe(200);
    const orderId = await orderCreated(sampleAs("450789520"));
    const released = await releasedToLocations(orderId);
    await deliver(await shipIt(orderId, released.shipments[0]?.shipmentId ?? ""));
    const asked = await operatorCall("POST", `/orders/${orderId}/returns`, { method: "ship-back", lines: [{ lineId: "001", quantity: 1, reason: "unwanted" }] }, { "idempotency-key": "sync-return-1" });
    expect(asked.status, JSON.stringify(asked.json)).toBe(201);
    const returnId = String(asked.json.returnId);
    await eventually(() => operatorGet(`/returns/${returnId}`), (r) => r.json.status === "AWAITING_GOODS");
    expect((await operatorCall("POST", `/returns/${returnId}/events`, { type: "received", lines: [{ lineId: "001", quantity: 1, wrongItem: 0 }] }, { "idempotency-key": "sync-return-2" })).status).toBe(200);
    expect((await operatorCall("POST", `/returns/${returnId}/events`, { type: "inspected", lines: [{ lineId: "001", dispositions: { restock: 1 } }] }, { "idempotency-key": "sync-return-3" })).status).toBe(200);
    const settled = await eventually(() => operatorGet(`/returns/${returnId}`), (r) => (r.json.refund as { status?: string } | undefined)?.status === "OWED_BY_CHANNEL", 30_000);
    const total = (settled.json.refund as { breakdown: { total: number } }).breakdown.total;
    expect(total).toBeGreaterThan(0);
    const logged = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("refundCreate"));
    expect(logged.json.channelSync).toEqual(expect.arrayContaining([expect.objectContaining({ key: `refund#${returnId}`, call: "refundCreate", status: "SENT", remoteIds: ["gid://shopify/Refund/4507895201"] })]));
    const [call] = shop.callsOf("refundCreate");
    const transactions = (call?.json?.variables as { input: { transactions: { amount: string; kind: string; parentId: string }[] } }).input.transactions;
    expect(transactions).toEqual([expect.objectContaining({ kind: "REFUND", parentId: "gid://shopify/OrderTransaction/4507895201", amount: (total / 100).toFixed(2) })]);
    // Shopify announces the refund (refunds/create): it is the one the channel owed, matched by amount, not counted again.
    expect((await shop.settled()).map((r) => r.status)).toEqual([200]);
    await quiesce();
    const payment = (await operatorGet(`/orders/${orderId}`)).json.payment as { refunded?: { amount: number }; refunds?: Record<string, { channelRefundId?: string }> };
    expect(payment.refunded?.amount).toBe(total);
    expect(payment.refunds?.[`return:${returnId}`]?.channelRefundId).toBe("4507895201");
    expect(shop.callsOf("refundCreate")).toHaveLength(1);
  });

  it("stock changes reach Shopify coalesced: a burst of changes is one inventorySetQuantities with the latest level, per Shopify location", async () => {
    const channel = { type: "shopify", shopDomain: SHOP, apiEndpoint: endpointUrl, credentialsSecret: "oms/dev/channels/shop-sync", defaultCurrency: "USD", locale: "en-US", inventoryLocations: [{ channelLocationId: "905684977", locationIds: ["SYNC-US"] }] };
    expect((await operatorCall("PUT", "/channels/shop-sync", channel)).status).toBe(200);
    expect((await operatorCall("PUT", "/products/SYNC-STOCK-1", { name: "Synced stock", unitWeightGrams: 100, listings: [{ channelId: "shop-sync", variantId: "808950810", inventoryItemId: "808950811" }] })).status).toBeLessThan(300);
    await quiesce();
    const sets = () => shop.callsOf("inventorySetQuantities");
    const adjust = (delta: number, key: string) => operatorCall("POST", "/inventory/adjustments", { adjustments: [{ sku: "SYNC-STOCK-1", locationId: "SYNC-US", delta, reason: delta > 0 ? "receipt" : "damage" }] }, { "idempotency-key": key });
    for (const [delta, key] of [[10, "stock-burst-1"], [5, "stock-burst-2"], [-3, "stock-burst-3"]] as const) expect((await adjust(delta, key)).status).toBe(200);
    await quiesce();
    // The changes wait in the queue's batching window (20 s of the local clock): nothing was sent yet.
    expect(sets()).toHaveLength(0);
    await admin("AdvanceClock", { milliseconds: 21_000 });
    await eventually(() => Promise.resolve(sets()), (s) => s.length > 0);
    await quiesce();
    expect(sets()).toHaveLength(1);
    expect(sets()[0]?.json?.variables).toEqual({ input: { name: "available", reason: "correction", referenceDocumentUri: "oms://stock-sync", quantities: [{ inventoryItemId: "gid://shopify/InventoryItem/808950811", locationId: "gid://shopify/Location/905684977", quantity: 12, changeFromQuantity: null }] } });
    // A change that leaves the level where it was sends nothing.
    expect((await operatorCall("PUT", "/inventory/SYNC-STOCK-1/locations/SYNC-US", { safetyStock: 0, reorderPoint: 3 })).status).toBe(200);
    await admin("AdvanceClock", { milliseconds: 21_000 });
    await quiesce();
    expect(sets()).toHaveLength(1);
    expect(shop.available.get("gid://shopify/InventoryItem/808950811 @ gid://shopify/Location/905684977")).toBe(12);
  });

  it("reconciliation: the schedule asks Shopify for orders updated since the cursor and imports the one whose webhook never came, once", async () => {
    // An order the shop has whose orders/create webhook never came.
    shop.addOrder(sampleAs("450789490"));
    const schedules = (await admin("ListSchedules")).schedules as { name: string }[];
    const name = schedules.find((x) => x.name.includes("ReconcileChannels"))?.name ?? "";
    expect(name).not.toBe("");
    await admin("FireSchedule", { name });
    await quiesce();
    const found = await eventually(() => operatorGet("/orders?channel=shop-sync&limit=100"), (r) => ((r.json.items ?? []) as { externalOrderId: string }[]).some((o) => o.externalOrderId === "450789490"));
    expect(((found.json.items ?? []) as { externalOrderId: string }[]).filter((o) => o.externalOrderId === "450789490")).toHaveLength(1);
    const first = shop.callsOf("orders.json").at(-1)?.query ?? new URLSearchParams();
    expect(first.get("status")).toBe("any");
    await admin("AdvanceClock", { milliseconds: 60_000 });
    await admin("FireSchedule", { name });
    await quiesce();
    // The next run asks from its cursor (less a 5-minute overlap), and the order listed again is the same order.
    const second = shop.callsOf("orders.json").at(-1)?.query ?? new URLSearchParams();
    expect(Date.parse(second.get("updated_at_min") ?? "")).toBeGreaterThan(Date.parse(first.get("updated_at_min") ?? ""));
    const again = await operatorGet("/orders?channel=shop-sync&limit=100");
    expect(((again.json.items ?? []) as { externalOrderId: string }[]).filter((o) => o.externalOrderId === "450789490")).toHaveLength(1);
  });
});
