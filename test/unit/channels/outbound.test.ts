import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SpApiOrders } from "../../../functions/adapters/channels/sp-api.js";
import { WooCommerceApi } from "../../../functions/adapters/channels/woocommerce-api.js";
import type { ChannelShipment } from "../../../functions/app/ports.js";
import type { Channel } from "../../../functions/domain/channel.js";

const base = { active: true, defaultCurrency: "USD", locale: "en-US", version: 1, updatedAt: "t", updatedBy: "ops" } as const;
const shipment: ChannelShipment = { shipmentId: "01JSHIPMENT", externalOrderId: "902-1845936-5435065", carrier: "UPS", service: "Ground", trackingNumber: "1Z999", shippedAt: "2026-12-03T10:00:00.000Z", lines: [{ channelLineId: "05015851154158", sku: "A", quantity: 1 }], channelData: { amazon: { marketplaceId: "ATVPDKIKX0DER" } } };

type Seen = { url: string; method: string; body?: unknown; headers: Record<string, string> };
function fakeFetch(answer: (s: Seen) => { status: number; body?: unknown }, seen: Seen[]): typeof fetch {
  return ((url: string, init: RequestInit) => {
    const s: Seen = { url, method: init.method ?? "GET", headers: init.headers as Record<string, string>, ...(typeof init.body === "string" ? { body: init.body.startsWith("{") ? JSON.parse(init.body) : init.body } : {}) };
    seen.push(s);
    const a = answer(s);
    return Promise.resolve(new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status }));
  }) as typeof fetch;
}

describe("Amazon confirmShipment (SP-API Orders v0)", () => {
  it("sends the request body the API model's own sandbox request has (its keys), with our carrier, tracking and order items", async () => {
    // amzn/selling-partner-api-models ordersV0.json, shipmentConfirmation sandbox request (see ../shared/data/channels/README.md).
    const published = JSON.parse(readFileSync(new URL("../../../../shared/data/channels/amazon-confirmshipment-request-1.json", import.meta.url), "utf8")) as { packageDetail: Record<string, unknown> };
    const seen: Seen[] = [];
    const channel: Channel = { ...base, channelId: "amz", type: "amazon", sellerId: "A3TH9S8BH6GOGM", marketplaceIds: ["ATVPDKIKX0DER"] };
    const api = new SpApiOrders({ credentialsFor: () => Promise.resolve({ clientId: "c", clientSecret: "s", refreshToken: "r" }) }, fakeFetch((s) => (s.url.endsWith("/auth/o2/token") ? { status: 200, body: { access_token: "Atza|t", expires_in: 3600 } } : { status: 204 }), seen));
    expect(await api.fulfill(channel, shipment)).toEqual({ call: "confirmShipment", remoteIds: ["01JSHIPMENT"] });
    const call = seen[1] as Seen & { body: { marketplaceId: string; packageDetail: Record<string, unknown> } };
    expect(call).toMatchObject({ url: "https://sellingpartnerapi-na.amazon.com/orders/v0/orders/902-1845936-5435065/shipmentConfirmation", method: "POST", headers: { "x-amz-access-token": "Atza|t" } });
    expect(Object.keys(call.body.packageDetail).every((k) => k in published.packageDetail)).toBe(true);
    expect(call.body).toEqual({ marketplaceId: "ATVPDKIKX0DER", packageDetail: { packageReferenceId: "01JSHIPMENT", carrierCode: "UPS", shippingMethod: "Ground", trackingNumber: "1Z999", shipDate: "2026-12-03T10:00:00.000Z", orderItems: [{ orderItemId: "05015851154158", quantity: 1 }] } });
  });

  it("an order Amazon has marked shipped already is not an error (a retry after a lost answer); throttling is retryable", async () => {
    const channel: Channel = { ...base, channelId: "amz", type: "amazon", sellerId: "A3TH9S8BH6GOGM", marketplaceIds: ["ATVPDKIKX0DER"] };
    const creds = { credentialsFor: () => Promise.resolve({ clientId: "c", clientSecret: "s", refreshToken: "r" }) };
    const token = { status: 200, body: { access_token: "Atza|t", expires_in: 3600 } };
    const already = new SpApiOrders(creds, fakeFetch((s) => (s.url.endsWith("/token") ? token : { status: 400, body: { errors: [{ code: "InvalidInput", message: "The order is already shipped" }] } }), []));
    expect(await already.fulfill(channel, shipment)).toMatchObject({ already: true });
    const throttled = new SpApiOrders(creds, fakeFetch((s) => (s.url.endsWith("/token") ? token : { status: 429, body: { errors: [{ code: "QuotaExceeded" }] } }), []));
    await expect(throttled.fulfill(channel, shipment)).rejects.toMatchObject({ retryable: true, status: 429 });
  });
});

describe("SP-API usage plans", () => {
  afterEach(() => vi.useRealTimers());
  it("confirmShipment keeps to 1 request/s per instance (2/s for the queue's two batches at a time), the calls queued, not refused", async () => {
    vi.useFakeTimers();
    const channel: Channel = { ...base, channelId: "amz", type: "amazon", sellerId: "A3TH9S8BH6GOGM", marketplaceIds: ["ATVPDKIKX0DER"] };
    const seen: Seen[] = [];
    const api = new SpApiOrders({ credentialsFor: () => Promise.resolve({ clientId: "c", clientSecret: "s", refreshToken: "r" }) }, fakeFetch((s) => (s.url.endsWith("/token") ? { status: 200, body: { access_token: "Atza|t", expires_in: 3600 } } : { status: 204 }), seen));
    const confirms = () => seen.filter((s) => s.url.endsWith("/shipmentConfirmation")).length;
    const all = Promise.all([1, 2, 3].map((n) => api.fulfill(channel, { ...shipment, shipmentId: `S${n}` })));
    await vi.advanceTimersByTimeAsync(10);
    expect(confirms()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(confirms()).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(confirms()).toBe(3);
    expect((await all).map((r) => r.call)).toEqual(["confirmShipment", "confirmShipment", "confirmShipment"]);
  });
});

describe("WooCommerce shipment tracking and completion (REST API v3)", () => {
  const channel: Channel = { ...base, channelId: "woo", type: "woocommerce", siteUrl: "https://shop.example.com" };
  const creds = { credentialsFor: () => Promise.resolve({ consumerKey: "ck_1", consumerSecret: "cs_1" }) };

  it("adds the tracking number, then completes the order, authenticated with the store's keys", async () => {
    const seen: Seen[] = [];
    const api = new WooCommerceApi(creds, fakeFetch((s) => (s.method === "GET" ? { status: 200, body: [] } : s.method === "POST" ? { status: 201, body: { tracking_id: "a1b2", tracking_number: "1Z999" } } : { status: 200, body: { id: 727, status: "completed" } }), seen));
    expect(await api.fulfill(channel, { ...shipment, externalOrderId: "727" })).toEqual({ call: "shipment-trackings+completed", remoteIds: ["a1b2"] });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET https://shop.example.com/wp-json/wc-shipment-tracking/v3/orders/727/shipment-trackings",
      "POST https://shop.example.com/wp-json/wc-shipment-tracking/v3/orders/727/shipment-trackings",
      "PUT https://shop.example.com/wp-json/wc/v3/orders/727",
    ]);
    expect(seen[1]?.body).toEqual({ tracking_provider: "UPS", tracking_number: "1Z999", date_shipped: "2026-12-03" });
    expect(seen[2]?.body).toEqual({ status: "completed" });
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from("ck_1:cs_1").toString("base64")}`);
  });

  it("a tracking number the order has already is not added twice", async () => {
    const seen: Seen[] = [];
    const api = new WooCommerceApi(creds, fakeFetch((s) => (s.method === "GET" ? { status: 200, body: [{ tracking_id: "a1b2", tracking_number: "1Z999" }] } : { status: 200, body: {} }), seen));
    expect(await api.fulfill(channel, { ...shipment, externalOrderId: "727" })).toMatchObject({ already: true, remoteIds: ["a1b2"] });
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(0);
  });
});
