import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeAmazonOrder } from "../../../functions/adapters/channels/amazon.js";
import { normalizeShopifyOrder, parseShopifyBody } from "../../../functions/adapters/channels/shopify.js";
import { normalizeWooOrder } from "../../../functions/adapters/channels/woocommerce.js";
import { parseLossless } from "../../../functions/adapters/channels/payload.js";
import { ShopifyAdmin } from "../../../functions/adapters/channels/shopify-admin.js";
import { WooCommerceApi } from "../../../functions/adapters/channels/woocommerce-api.js";
import type { Channel } from "../../../functions/domain/channel.js";
import { demoAmazonOrder, demoShopifyOrder, demoWooOrder } from "../../../local/fakes/demo.js";
import { FakeShopify } from "../../../local/fakes/shopify.js";
import { FakeWooCommerce } from "../../../local/fakes/woocommerce.js";

// The outbound adapters over HTTP against the local fakes of the vendors' APIs (local/fakes/), with
// orders shaped as the vendors document them (the demo generators in local/fakes/demo.ts).
const base = { active: true, defaultCurrency: "EUR", locale: "de-DE", version: 1, updatedAt: "t", updatedBy: "ops" } as const;
const shopify = new FakeShopify({ shopDomain: "fake-test.myshopify.com", accessToken: "shpat_fake_test" });
const woo = new FakeWooCommerce({ consumerKey: "ck_fake", consumerSecret: "cs_fake" });
let shop: Channel;
let store: Channel;

beforeAll(async () => {
  shop = { ...base, channelId: "shop", type: "shopify", shopDomain: "fake-test.myshopify.com", apiEndpoint: await shopify.start() };
  store = { ...base, channelId: "woo", type: "woocommerce", siteUrl: "https://woo.example", apiEndpoint: await woo.start() };
});
afterAll(async () => {
  await shopify.stop();
  await woo.stop();
});

const shopifyApi = () => new ShopifyAdmin({ credentialsFor: () => Promise.resolve({ accessToken: "shpat_fake_test" }) });
const wooApi = () => new WooCommerceApi({ credentialsFor: () => Promise.resolve({ consumerKey: "ck_fake", consumerSecret: "cs_fake" }) });

describe("Shopify orderCancel", () => {
  it("cancels an open order once: a retry finds it cancelled and calls nothing more", async () => {
    shopify.addOrder(demoShopifyOrder("5550000000001", 1));
    expect(await shopifyApi().cancel(shop, { externalOrderId: "5550000000001", reason: "payment failed" })).toMatchObject({ call: "orderCancel", remoteIds: [expect.stringMatching(/^gid:\/\/shopify\/Job\//)] });
    const [call] = shopify.callsOf("orderCancel");
    expect(call?.json?.variables).toEqual({ orderId: "gid://shopify/Order/5550000000001", notifyCustomer: false, refundMethod: { originalPaymentMethodsRefund: true }, restock: false, reason: "OTHER", staffNote: "OMS: payment failed" });
    expect(shopify.orders.get("5550000000001")?.cancelledAt).toBeDefined();
    expect(await shopifyApi().cancel(shop, { externalOrderId: "5550000000001", reason: "payment failed" })).toEqual({ call: "orderCancel", remoteIds: [], already: true });
    expect(shopify.callsOf("orderCancel")).toHaveLength(1);
  });

  it("an order Shopify will not cancel (fulfilled there) is a non-retryable error naming Shopify's reason", async () => {
    const id = shopify.addOrder(demoShopifyOrder("5550000000002", 2));
    const order = shopify.orders.get(id);
    order?.fulfilled.set(order.lineItems[0]?.id ?? "", 1);
    await expect(shopifyApi().cancel(shop, { externalOrderId: id, reason: "x" })).rejects.toMatchObject({ retryable: false, message: expect.stringContaining("fulfilled line items") as unknown });
  });
});

describe("WooCommerce cancellation and fulfillment", () => {
  it("sets the order cancelled with our reason as a private note, once", async () => {
    woo.addOrder(demoWooOrder(9001, 1));
    expect(await wooApi().cancel(store, { externalOrderId: "9001", reason: "out of stock" })).toEqual({ call: "status cancelled", remoteIds: ["9001"] });
    expect(woo.orders.get("9001")?.status).toBe("cancelled");
    expect(woo.notes.get("9001")).toEqual([expect.objectContaining({ note: "Cancelled in the OMS: out of stock", customer_note: false })]);
    expect(await wooApi().cancel(store, { externalOrderId: "9001", reason: "out of stock" })).toMatchObject({ already: true });
    expect(woo.callsOf("orders.update")).toHaveLength(1);
  });

  it("a shipment adds its tracking and completes the order; a retry adds no second tracking", async () => {
    woo.addOrder(demoWooOrder(9002, 2));
    const shipment = { shipmentId: "S1", externalOrderId: "9002", carrier: "dhl", trackingNumber: "JJD0001", shippedAt: "2026-12-03T10:00:00.000Z", lines: [{ channelLineId: "90021", sku: "A", quantity: 1 }] };
    expect(await wooApi().fulfill(store, shipment)).toEqual({ call: "shipment-trackings+completed", remoteIds: ["9002-1"] });
    expect(await wooApi().fulfill(store, shipment)).toMatchObject({ already: true });
    expect(woo.trackings.get("9002")).toHaveLength(1);
    expect(woo.orders.get("9002")?.status).toBe("completed");
  });
});

describe("the demo channels' orders (channels simulate)", () => {
  it("each vendor's demo order is taken as it came: no hold, totals to the cent", () => {
    for (let seq = 1; seq <= 10; seq++) {
      const s = normalizeShopifyOrder(parseShopifyBody(demoShopifyOrder(`77700000000${seq}`, seq)), "demo-shopify");
      const w = normalizeWooOrder(parseLossless(demoWooOrder(7000 + seq, seq)), "demo-woo");
      const { order, items } = demoAmazonOrder(`302-0000000-000000${seq}`, seq);
      // As SP-API's answer is read: JSON text, numbers kept as their text.
      const a = normalizeAmazonOrder(parseLossless(JSON.stringify(order)), items.map((i) => parseLossless(JSON.stringify(i))), "demo-amazon");
      for (const o of [s, w, a]) expect(o.intakeHolds, JSON.stringify(o.intakeHolds)).toBeUndefined();
      expect(s.externalOrderId).toBe(`77700000000${seq}`);
      expect(s.lines[0]?.channelLineId).toBe(`77700000000${seq}1`);
    }
  });
});
