import { describe, expect, it } from "vitest";
import { ShopifyAdmin } from "../../../functions/adapters/channels/shopify-admin.js";
import type { ChannelShipment } from "../../../functions/app/ports.js";
import type { Channel } from "../../../functions/domain/channel.js";

// Answers shaped as shopify.dev documents the GraphQL Admin API (Order.fulfillmentOrders, fulfillmentCreate, THROTTLED).
const channel: Channel = { channelId: "shop", type: "shopify", shopDomain: "x.myshopify.com", active: true, defaultCurrency: "USD", locale: "en-US", credentialsSecret: "oms/dev/channels/shop", version: 1, updatedAt: "t", updatedBy: "ops" };
const shipment: ChannelShipment = { shipmentId: "S1", externalOrderId: "450789469", carrier: "UPS", trackingNumber: "1Z999", shippedAt: "2026-12-03T10:00:00.000Z", lines: [{ channelLineId: "466157049", sku: "A", quantity: 2 }] };
const credentials = { credentialsFor: () => Promise.resolve({ accessToken: "shpat_x" }) };

function fakeFetch(answers: unknown[], seen: { url: string; body: { query: string; variables: unknown }; token: string }[] = []): typeof fetch {
  return ((url: string, init: RequestInit) => {
    seen.push({ url, body: JSON.parse(init.body as string) as { query: string; variables: unknown }, token: (init.headers as Record<string, string>)["x-shopify-access-token"] ?? "" });
    const next = answers.shift();
    return Promise.resolve(new Response(JSON.stringify(next), { status: 200 }));
  }) as typeof fetch;
}

const fulfillmentOrders = (remaining: number[], status = "OPEN") => ({
  data: { order: { fulfillmentOrders: { nodes: [{ id: "gid://shopify/FulfillmentOrder/1", status, lineItems: { nodes: remaining.map((r, i) => ({ id: `gid://shopify/FulfillmentOrderLineItem/${i}`, remainingQuantity: r, lineItem: { id: "gid://shopify/LineItem/466157049" } })) } }] } } },
});

describe("Shopify fulfillments (GraphQL Admin API)", () => {
  it("fulfills our units from the line items that still have them, with carrier and tracking, on the shop's Admin API", async () => {
    const seen: { url: string; body: { query: string; variables: unknown }; token: string }[] = [];
    const api = new ShopifyAdmin(credentials, fakeFetch([fulfillmentOrders([1, 3]), { data: { fulfillmentCreate: { fulfillment: { id: "gid://shopify/Fulfillment/9" }, userErrors: [] } } }], seen));
    expect(await api.fulfill(channel, shipment)).toEqual({ call: "fulfillmentCreate", remoteIds: ["gid://shopify/Fulfillment/9"] });
    expect(seen[0]).toMatchObject({ url: "https://x.myshopify.com/admin/api/2026-10/graphql.json", token: "shpat_x", body: { variables: { id: "gid://shopify/Order/450789469" } } });
    expect(seen[1]?.body.variables).toEqual({ fulfillment: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: "gid://shopify/FulfillmentOrder/1", fulfillmentOrderLineItems: [{ id: "gid://shopify/FulfillmentOrderLineItem/0", quantity: 1 }, { id: "gid://shopify/FulfillmentOrderLineItem/1", quantity: 1 }] }], trackingInfo: { company: "UPS", number: "1Z999" }, notifyCustomer: true } });
  });

  it("creates nothing when Shopify shows the units fulfilled already (a retry after a lost answer), or the fulfillment order closed", async () => {
    const seen: { url: string; body: { query: string; variables: unknown }; token: string }[] = [];
    expect(await new ShopifyAdmin(credentials, fakeFetch([fulfillmentOrders([0, 0])], seen)).fulfill(channel, shipment)).toEqual({ call: "fulfillmentCreate", remoteIds: [], already: true });
    expect(await new ShopifyAdmin(credentials, fakeFetch([fulfillmentOrders([2], "CLOSED")], seen)).fulfill(channel, shipment)).toMatchObject({ already: true });
    expect(seen.filter((s) => s.body.query.includes("fulfillmentCreate"))).toHaveLength(0);
  });

  it("a throttled call is retryable; a userError is not", async () => {
    await expect(new ShopifyAdmin(credentials, fakeFetch([{ errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] }])).fulfill(channel, shipment)).rejects.toMatchObject({ retryable: true });
    await expect(new ShopifyAdmin(credentials, fakeFetch([fulfillmentOrders([2]), { data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ["fulfillment"], message: "is invalid" }] } } }])).fulfill(channel, shipment)).rejects.toMatchObject({ retryable: false, message: "fulfillmentCreate: fulfillment: is invalid" });
  });
});
