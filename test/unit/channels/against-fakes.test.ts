import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeAmazonOrder } from "../../../functions/adapters/channels/amazon.js";
import { normalizeShopifyOrder, parseShopifyBody } from "../../../functions/adapters/channels/shopify.js";
import { normalizeWooOrder } from "../../../functions/adapters/channels/woocommerce.js";
import { parseLossless } from "../../../functions/adapters/channels/payload.js";
import { SpApiOrders } from "../../../functions/adapters/channels/sp-api.js";
import { pickupFromChannel } from "../../../functions/app/channel-orders.js";
import { ShopifyAdmin } from "../../../functions/adapters/channels/shopify-admin.js";
import { WooCommerceApi } from "../../../functions/adapters/channels/woocommerce-api.js";
import type { Channel } from "../../../functions/domain/channel.js";
import { demoAmazonOrder, demoShopifyOrder, demoWooOrder } from "../../../local/fakes/demo.js";
import { FakeShopify } from "../../../local/fakes/shopify.js";
import { FakeSpApi } from "../../../local/fakes/sp-api.js";
import { FakeWooCommerce } from "../../../local/fakes/woocommerce.js";

// The outbound adapters over HTTP against the local fakes of the vendors' APIs (local/fakes/), with
// orders shaped as the vendors document them (the demo generators in local/fakes/demo.ts).
const base = { active: true, defaultCurrency: "EUR", locale: "de-DE", version: 1, updatedAt: "t", updatedBy: "ops" } as const;
const shopify = new FakeShopify({ shopDomain: "fake-test.myshopify.com", accessToken: "shpat_fake_test" });
const woo = new FakeWooCommerce({ consumerKey: "ck_fake", consumerSecret: "cs_fake" });
const sp = new FakeSpApi({ sellerId: "AFAKESELLER1", clientId: "amzn1.application-oa2-client.fake", clientSecret: "fake-secret", refreshToken: "Atzr|fake" });
let seller: Channel;
let shop: Channel;
let store: Channel;

beforeAll(async () => {
  shop = { ...base, channelId: "shop", type: "shopify", shopDomain: "fake-test.myshopify.com", apiEndpoint: await shopify.start() };
  store = { ...base, channelId: "woo", type: "woocommerce", siteUrl: "https://woo.example", apiEndpoint: await woo.start() };
  seller = { ...base, channelId: "amz", type: "amazon", sellerId: "AFAKESELLER1", marketplaceIds: ["A1PA6795UKMFR9"], apiEndpoint: await sp.start() };
});
afterAll(async () => {
  await shopify.stop();
  await woo.stop();
  await sp.stop();
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

describe("Shopify local pickup (fulfillment orders' delivery method)", () => {
  it("an order without a shipping address picked up at a Shopify location becomes our pickup at the store that location maps to", async () => {
    const text = demoShopifyOrder("5550000000009", 9).replace(/"shipping_address":\{[^}]*\},/, "");
    const order = normalizeShopifyOrder(parseShopifyBody(text), "shop");
    expect(order.intakeHolds).toEqual(["the order has no shipping address"]);
    shopify.addOrder(text, undefined, { pickupAt: "71000000001" });
    const mapped = { ...shop, credentialsSecret: "oms/dev/channels/shop", inventoryLocations: [{ channelLocationId: "71000000001", locationIds: ["ST-HAM"] }] };
    const picked = await pickupFromChannel(shopifyApi(), mapped, order);
    expect(picked.pickup).toEqual({ locationId: "ST-HAM" });
    expect(picked.intakeHolds).toBeUndefined();
    // A Shopify location no inventoryLocations entry maps to one of ours: still held, with why.
    const unmapped = await pickupFromChannel(shopifyApi(), { ...mapped, inventoryLocations: [] }, order);
    expect(unmapped.pickup).toBeUndefined();
    expect(unmapped.intakeHolds).toEqual([expect.stringContaining("no inventoryLocations entry of the channel maps its Shopify location 71000000001") as unknown]);
    // A shipped order (it has an address) is not asked about; an API that fails holds the order, never throws.
    expect(await pickupFromChannel(shopifyApi(), mapped, normalizeShopifyOrder(parseShopifyBody(demoShopifyOrder("5550000000010", 10)), "shop"))).not.toHaveProperty("pickup");
    const broken = await pickupFromChannel({ deliveryMethods: () => Promise.reject(new Error("HTTP 503")) }, mapped, order);
    expect(broken.intakeHolds).toEqual(["the order has no shipping address"]);
  });
});

describe("Shopify refundCreate", () => {
  it("refunds the amount against the order's sale, in its currency, once per return; never above what Shopify took", async () => {
    const id = shopify.addOrder(demoShopifyOrder("5550000000003", 3));
    const total = shopify.orders.get(id)?.sale.amount ?? "";
    const refund = { externalOrderId: id, key: "R-1", amount: { amount: 1999, currency: "EUR" }, reason: "OMS return R-1" };
    expect(await shopifyApi().refund(shop, refund)).toEqual({ call: "refundCreate", remoteIds: [`gid://shopify/Refund/${id}1`] });
    expect(shopify.callsOf("refundCreate")[0]?.json?.variables).toEqual({ input: { orderId: `gid://shopify/Order/${id}`, note: "OMS return R-1 [R-1]", notify: false, currency: "EUR", transactions: [{ orderId: `gid://shopify/Order/${id}`, parentId: `gid://shopify/OrderTransaction/${id}1`, amount: "19.99", gateway: "manual", kind: "REFUND" }] } });
    // A retry (the answer was lost): the refund under our return is there, nothing more is refunded.
    expect(await shopifyApi().refund(shop, refund)).toMatchObject({ already: true });
    expect(shopify.callsOf("refundCreate")).toHaveLength(1);
    // More than was paid: Shopify refuses, and that is not worth retrying.
    await expect(shopifyApi().refund(shop, { ...refund, key: "R-2", amount: { amount: Math.round(Number(total) * 100), currency: "EUR" } })).rejects.toMatchObject({ retryable: false, message: expect.stringContaining("exceeds") as unknown });
  });
});

describe("WooCommerce cancellation and fulfillment", () => {
  it("refunds the amount through the store's gateway (api_refund), once per return", async () => {
    woo.addOrder(demoWooOrder(9003, 3));
    const refund = { externalOrderId: "9003", key: "R-9", amount: { amount: 1250, currency: "EUR" }, reason: "OMS return R-9" };
    expect(await wooApi().refund(store, refund)).toEqual({ call: "refunds", remoteIds: ["900301"] });
    expect(woo.callsOf("orders.refunds.create")[0]?.json).toEqual({ amount: "12.50", reason: "OMS return R-9 [R-9]", api_refund: true });
    expect(await wooApi().refund(store, refund)).toMatchObject({ already: true });
    expect(woo.refunds.get("9003")).toHaveLength(1);
  });

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

describe("Amazon stock (Listings Items patchListingsItem)", () => {
  it("merges the merchant-fulfilled quantity of the seller SKU, in the channel's marketplaces", async () => {
    const api = new SpApiOrders({ credentialsFor: () => Promise.resolve({ clientId: "amzn1.application-oa2-client.fake", clientSecret: "fake-secret", refreshToken: "Atzr|fake", tokenUrl: `${seller.apiEndpoint ?? ""}/auth/o2/token` }) });
    await api.setAvailable(seller, { channelId: "amz", sellerSku: "MUG-LOGO" }, [{ channelLocationId: "", quantity: 448 }]);
    const [call] = sp.callsOf("patchListingsItem");
    expect(call?.path).toBe("/listings/2021-08-01/items/AFAKESELLER1/MUG-LOGO");
    expect(call?.query.get("marketplaceIds")).toBe("A1PA6795UKMFR9");
    expect(call?.json).toEqual({ productType: "PRODUCT", patches: [{ op: "merge", path: "/attributes/fulfillment_availability", value: [{ fulfillment_channel_code: "DEFAULT", quantity: 448 }] }] });
    expect(sp.quantities.get("MUG-LOGO")).toBe(448);
    await expect(api.setAvailable(seller, { channelId: "amz", asin: "B0X" }, [{ channelLocationId: "", quantity: 1 }])).rejects.toMatchObject({ retryable: false, message: expect.stringContaining("sellerSku") as unknown });
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
