import { beforeAll, describe, expect, it } from "vitest";
import { wooSignature } from "../../functions/adapters/channels/woocommerce.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { channelSample } from "../fixtures/channel-samples.js";
import { cloud, dynamo, eventually, operatorCall, operatorGet, putChannelSecret, snapshot } from "./helpers.js";

// Payloads: woocommerce/woocommerce-rest-api-docs (Apache-2.0), in ../shared/data/channels (sources in its README).
const SECRET = "wc-integration-secret";

async function woo(topic: string, raw: string, opts: { secret?: string; channelId?: string } = {}) {
  const res = await fetch(`${cloud.apiUrl}/webhooks/woocommerce/${opts.channelId ?? "woo-us"}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-wc-webhook-topic": topic, "x-wc-webhook-source": "https://shop.example.com/", "x-wc-webhook-signature": wooSignature(opts.secret ?? SECRET, raw), "x-wc-webhook-id": "17", "x-wc-webhook-delivery-id": crypto.randomUUID() },
    body: raw,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The docs' order, its first line given a SKU (the sample has none) and its id moved so tests do not collide. */
const order727 = (file: string, id: string) => channelSample(file).replace(/"id": 727,/, `"id": ${id},`).replace(/"sku": "",/, '"sku": "WOO-SINGLE-1",');

beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: "WOO-SF", name: "WooCommerce test warehouse", kind: "warehouse", country: "US", lat: 37.77, lon: -122.41, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 100, currency: "USD" }, priority: 1, active: true, groups: ["woo-test"] });
  for (const sku of ["WOO-SINGLE-1", "Bar3"]) {
    await catalog.putSku({ sku, name: sku, unitWeightGrams: 300, active: true });
    await catalog.putStock({ sku, locationId: "WOO-SF", onHand: 20, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  }
  expect((await operatorCall("PUT", "/channels/woo-us", { type: "woocommerce", siteUrl: "https://shop.example.com", defaultCurrency: "USD", locale: "en-US" })).status).toBe(200);
  await putChannelSecret("woo-us", SECRET);
});

describe("WooCommerce webhooks", () => {
  it("answers a new webhook's unsigned ping with 200 and writes nothing; a channel that is not WooCommerce's is 404", async () => {
    const before = await snapshot();
    const ping = await fetch(`${cloud.apiUrl}/webhooks/woocommerce/woo-us`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "webhook_id=17" });
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ channelId: "woo-us", ping: true, webhookId: "17" });
    expect((await woo("order.created", order727("woocommerce-order-1.json", "90001"), { channelId: "generic" })).status).toBe(404);
    expect((await woo("order.created", order727("woocommerce-order-1.json", "90001"), { secret: "wrong" })).status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it("order.created (processing): captured once with WooCommerce's total; the same state delivered again is a duplicate; an update is the same order", async () => {
    const raw = order727("woocommerce-order-1.json", "90002");
    const first = await woo("order.created", raw);
    expect(first).toMatchObject({ status: 202, json: { outcome: "created" } });
    const orderId = String(first.json.orderId);
    expect(await woo("order.created", raw)).toMatchObject({ status: 200, json: { duplicate: true } });
    expect(await woo("order.updated", order727("woocommerce-order-updated-completed-1.json", "90002"))).toMatchObject({ status: 200, json: { orderId, outcome: "existing" } });
    const view = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => o.json.status === "ALLOCATED", 30_000);
    // WooCommerce sends no coordinates: the address is placed by its ZIP code, and the order says so.
    expect(view.json).toMatchObject({ channel: "woo-us", externalOrderId: "90002", totals: { grandTotal: { amount: 2935, currency: "USD" } }, geocode: { precision: "postal", source: "geonames" }, shippingAddress: { postalCode: "94103", lat: 37.7725, lon: -122.4147 } });
  });

  it("an unpaid order (pending) is not captured until an update says it is paid", async () => {
    const pending = order727("woocommerce-order-1.json", "90003").replace('"status": "processing"', '"status": "pending"');
    expect(await woo("order.created", pending)).toMatchObject({ status: 200, json: { outcome: "waiting-for-payment", status: "pending" } });
    const paid = order727("woocommerce-order-1.json", "90003").replace('"date_modified_gmt": "2017-03-22T19:28:08"', '"date_modified_gmt": "2017-03-22T19:30:00"');
    expect(await woo("order.updated", paid)).toMatchObject({ status: 202, json: { outcome: "created" } });
  });

  it("cancelled on WooCommerce, or deleted: our order is cancelled", async () => {
    const placed = await woo("order.created", order727("woocommerce-order-1.json", "90004"));
    const orderId = String(placed.json.orderId);
    const cancelled = order727("woocommerce-order-1.json", "90004").replace('"status": "processing"', '"status": "cancelled"').replace('"date_modified_gmt": "2017-03-22T19:28:08"', '"date_modified_gmt": "2017-03-22T19:40:00"');
    expect(await woo("order.updated", cancelled)).toMatchObject({ status: 200, json: { orderId, outcome: "cancelled", status: "CANCELLED" } });
    const other = await woo("order.created", order727("woocommerce-order-1.json", "90005"));
    expect(await woo("order.deleted", JSON.stringify({ id: 90005 }))).toMatchObject({ status: 200, json: { orderId: other.json.orderId, outcome: "cancelled" } });
    expect((await operatorGet(`/orders/${String(other.json.orderId)}`)).json.statusHistory).toEqual(expect.arrayContaining([expect.objectContaining({ status: "CANCELLED", reason: "deleted on WooCommerce" })]));
    expect(await woo("order.deleted", JSON.stringify({ id: 99999 }))).toMatchObject({ status: 200, json: { outcome: "unknown-order" } });
  });
});
