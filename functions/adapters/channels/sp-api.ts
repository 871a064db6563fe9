import pThrottle from "p-throttle";
import type { AmazonOrderSource, ChannelCredentials, ChannelFulfillments, ChannelInventory, ChannelOrderFeed, ChannelShipment } from "../../app/ports.js";
import type { Channel } from "../../domain/channel.js";
import type { Listing } from "../../domain/product.js";
import { ChannelApiError, channelRequest, credential, expectOk, MAX_PAGES } from "./channel-http.js";
import { objects, obj, parseLossless, str, type Json } from "./payload.js";

/** Login with Amazon's token endpoint (the same for every region). */
export const LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token";
/** SP-API's North America endpoint: a channel's `apiEndpoint` names its region's (EU, FE) instead. */
export const SP_API_DEFAULT_ENDPOINT = "https://sellingpartnerapi-na.amazon.com";

const MAX_ITEM_PAGES = 20;

/**
 * SP-API's default usage plans for the calls the OMS makes in bursts of its own (confirmShipment
 * 2 requests/s, patchListingsItem 5/s), per instance: the queues that feed them run at most two
 * batches at once, so each instance keeps to half. Calls Amazon's notifications pace (getOrder,
 * getOrderItems: 0.5/s, burst 30) are not throttled here; a 429 comes back through the queue.
 */
const PER_INSTANCE = { confirmShipment: { limit: 1, interval: 1000 }, patchListingsItem: { limit: 2, interval: 1000 } } as const;

/**
 * Orders API v0 over HTTPS, as the SP-API docs describe it: an LWA access token from the seller's
 * refresh token (`grant_type=refresh_token`, kept until a minute before it expires), sent as
 * `x-amz-access-token`; `getOrder` then `getOrderItems`, following `NextToken`. Bodies are read
 * losslessly (ids and amounts stay text). SigV4 signing is no longer required by SP-API.
 */
export class SpApiOrders implements AmazonOrderSource, ChannelFulfillments, ChannelOrderFeed, ChannelInventory {
  private readonly tokens = new Map<string, { token: string; until: number }>();
  private readonly throttled = {
    confirmShipment: pThrottle(PER_INSTANCE.confirmShipment)((channel: Channel, url: string, init: RequestInit) => this.call(channel, url, init)),
    patchListingsItem: pThrottle(PER_INSTANCE.patchListingsItem)((channel: Channel, url: string, init: RequestInit) => this.call(channel, url, init)),
  };

  constructor(
    private readonly credentials: ChannelCredentials,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** `getOrders` with `LastUpdatedAfter` over the channel's marketplaces, following NextToken; each order with its items (`{ order, items }`). */
  async *updatedSince(channel: Channel, since: string): AsyncIterable<Record<string, unknown>> {
    const base = (channel.apiEndpoint ?? SP_API_DEFAULT_ENDPOINT).replace(/\/+$/, "");
    const marketplaces = encodeURIComponent((channel.marketplaceIds ?? []).join(","));
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = next ? `NextToken=${encodeURIComponent(next)}&MarketplaceIds=${marketplaces}` : `MarketplaceIds=${marketplaces}&LastUpdatedAfter=${encodeURIComponent(since)}`;
      const body = obj((await this.get(channel, `${base}/orders/v0/orders?${query}`)).payload);
      for (const order of objects(body?.Orders)) yield { order, items: await this.items(channel, base, str(order.AmazonOrderId) ?? "") };
      next = str(body?.NextToken);
      if (!next) return;
    }
  }

  async fetchOrder(channel: Channel, amazonOrderId: string): Promise<{ order: Json; items: Json[] }> {
    const base = (channel.apiEndpoint ?? SP_API_DEFAULT_ENDPOINT).replace(/\/+$/, "");
    const id = encodeURIComponent(amazonOrderId);
    const order = obj((await this.get(channel, `${base}/orders/v0/orders/${id}`)).payload);
    if (!order) throw new ChannelApiError(`getOrder ${amazonOrderId}: the response has no payload`, 200, false);
    return { order, items: await this.items(channel, base, amazonOrderId) };
  }

  /** `getOrderItems`, following NextToken. */
  private async items(channel: Channel, base: string, amazonOrderId: string): Promise<Json[]> {
    const id = encodeURIComponent(amazonOrderId);
    const items: Json[] = [];
    let next: string | undefined;
    for (let page = 0; page < MAX_ITEM_PAGES; page++) {
      const body = obj((await this.get(channel, `${base}/orders/v0/orders/${id}/orderItems${next ? `?NextToken=${encodeURIComponent(next)}` : ""}`)).payload);
      items.push(...objects(body?.OrderItems));
      next = str(body?.NextToken);
      if (!next) break;
    }
    return items;
  }

  /**
   * `confirmShipment` (Orders API v0): one package per shipment, its carrier and tracking number and
   * the Amazon order items in it. Amazon answers 204; an order it has marked shipped already
   * answers 400 with "already" in the message, which is what a retry after a lost answer sees.
   */
  async fulfill(channel: Channel, s: ChannelShipment): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const base = (channel.apiEndpoint ?? SP_API_DEFAULT_ENDPOINT).replace(/\/+$/, "");
    const marketplaceId = str(obj(s.channelData?.amazon)?.marketplaceId) ?? channel.marketplaceIds?.[0];
    const body = {
      marketplaceId,
      packageDetail: {
        // Amazon's package ids are the seller's own (1..n per order): our shipment id's digits fit.
        packageReferenceId: s.shipmentId,
        carrierCode: s.carrier,
        ...(s.service ? { shippingMethod: s.service } : {}),
        trackingNumber: s.trackingNumber,
        shipDate: s.shippedAt,
        orderItems: s.lines.map((l) => ({ orderItemId: l.channelLineId, quantity: l.quantity })),
      },
    };
    const path = `/orders/v0/orders/${encodeURIComponent(s.externalOrderId)}/shipmentConfirmation`;
    const res = await this.throttled.confirmShipment(channel, `${base}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    if (res.status === 400 && /already/i.test(res.text)) return { call: "confirmShipment", remoteIds: [], already: true };
    expectOk(`SP-API ${path}`, res);
    return { call: "confirmShipment", remoteIds: [s.shipmentId] };
  }

  /**
   * The seller-fulfilled quantity of a listing (Listings Items API 2021-08-01 `patchListingsItem`):
   * a JSON Patch `merge` of `/attributes/fulfillment_availability` with `fulfillment_channel_code:
   * DEFAULT` (merchant-fulfilled) and the quantity, in the channel's marketplaces; the `merge`
   * operation leaves the listing's other availability fields (lead time, restock date) as they are.
   * Amazon answers ACCEPTED and applies it asynchronously; INVALID (the listing's issues) is not
   * worth retrying.
   */
  async setAvailable(channel: Channel, listing: Listing, levels: { channelLocationId: string; quantity: number }[]): Promise<void> {
    if (!listing.sellerSku) throw new ChannelApiError(`Channel ${channel.channelId}: the listing of this SKU has no sellerSku`, 0, false);
    if (!channel.sellerId) throw new ChannelApiError(`Channel ${channel.channelId} has no sellerId`, 0, false);
    const base = (channel.apiEndpoint ?? SP_API_DEFAULT_ENDPOINT).replace(/\/+$/, "");
    const path = `/listings/2021-08-01/items/${encodeURIComponent(channel.sellerId)}/${encodeURIComponent(listing.sellerSku)}`;
    const quantity = levels.reduce((n, l) => n + l.quantity, 0);
    const body = { productType: "PRODUCT", patches: [{ op: "merge", path: "/attributes/fulfillment_availability", value: [{ fulfillment_channel_code: "DEFAULT", quantity }] }] };
    const res = await this.throttled.patchListingsItem(channel, `${base}${path}?marketplaceIds=${encodeURIComponent((channel.marketplaceIds ?? []).join(","))}`, { method: "PATCH", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    expectOk(`SP-API ${path}`, res);
    const answer = parseLossless(res.text);
    if (str(answer.status) !== "ACCEPTED") throw new ChannelApiError(`patchListingsItem ${listing.sellerSku}: ${str(answer.status) ?? "no status"} ${objects(answer.issues).map((i) => `${str(i.code) ?? ""} ${str(i.message) ?? ""}`.trim()).join("; ")}`, res.status, false);
  }

  private async get(channel: Channel, url: string): Promise<Json> {
    const res = await this.call(channel, url, {});
    expectOk(`SP-API ${new URL(url).pathname}`, res);
    return parseLossless(res.text);
  }

  private async call(channel: Channel, url: string, init: RequestInit): Promise<{ status: number; text: string }> {
    const call = async (token: string) => this.request(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), "x-amz-access-token": token, accept: "application/json", "user-agent": "serverless-oms/1.0 (Language=TypeScript)" } });
    let res = await call(await this.token(channel));
    // An access token revoked or expired early: fetch a new one once.
    if (res.status === 403 && /Unauthorized|expired/i.test(res.text)) {
      this.tokens.delete(channel.channelId);
      res = await call(await this.token(channel));
    }
    return res;
  }

  private async token(channel: Channel): Promise<string> {
    const cached = this.tokens.get(channel.channelId);
    if (cached && cached.until > Date.now()) return cached.token;
    // The secret holds the app's LWA client and the seller's refresh token (tokenUrl only for a test double of LWA).
    const creds = await this.credentials.credentialsFor(channel);
    const id = channel.channelId;
    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: credential(creds, "refreshToken", id), client_id: credential(creds, "clientId", id), client_secret: credential(creds, "clientSecret", id) });
    const tokenUrl = typeof creds?.tokenUrl === "string" ? creds.tokenUrl : LWA_TOKEN_URL;
    const res = await this.request(tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" }, body: form.toString() });
    expectOk("LWA token", res);
    const body = JSON.parse(res.text) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new ChannelApiError("LWA token: no access_token in the answer", res.status, false);
    this.tokens.set(channel.channelId, { token: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000 });
    return body.access_token;
  }

  private request(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
    return channelRequest(this.fetchImpl, url, init);
  }
}
