import type { ChannelCancellations, ChannelCredentials, ChannelRefunds, ChannelFulfillments, ChannelInventory, ChannelOrderFeed, ChannelShipment } from "../../app/ports.js";
import type { Channel } from "../../domain/channel.js";
import type { Listing } from "../../domain/product.js";
import { ChannelApiError, channelRequest, credential, expectOk, MAX_PAGES } from "./channel-http.js";
import { toDecimalText } from "./money-text.js";
import { obj, objects, parseLosslessValue, str } from "./payload.js";

const PER_PAGE = 100;

/**
 * WooCommerce fulfillments through its REST API (woocommerce.github.io/woocommerce-rest-api-docs),
 * authenticated with the store's consumer key and secret over HTTPS (Basic): the tracking number
 * goes to the Shipment Tracking extension's `shipment-trackings` endpoint (unless it is there
 * already: a retry adds nothing), then the order is set `completed`, which WooCommerce tells the
 * customer. WooCommerce has no partial fulfillment: the first shipment completes the order and
 * each later one adds its tracking.
 */
export class WooCommerceApi implements ChannelFulfillments, ChannelInventory, ChannelOrderFeed, ChannelCancellations, ChannelRefunds {
  constructor(
    private readonly credentials: ChannelCredentials,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /**
   * The order set `cancelled` (which WooCommerce tells the customer, and which restores no money:
   * a payment taken is refunded in the store's payment gateway), with our reason as a private
   * order note; nothing when WooCommerce shows it cancelled already.
   */
  async cancel(channel: Channel, o: { externalOrderId: string; reason: string }): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const { base, headers } = await this.session(channel);
    const url = `${base}/wp-json/wc/v3/orders/${encodeURIComponent(o.externalOrderId)}`;
    const current = await channelRequest(this.fetchImpl, url, { headers });
    expectOk("WooCommerce orders", current);
    if (str(obj(parseLosslessValue(current.text))?.status) === "cancelled") return { call: "status cancelled", remoteIds: [], already: true };
    const done = await channelRequest(this.fetchImpl, url, { method: "PUT", headers, body: JSON.stringify({ status: "cancelled" }) });
    expectOk("WooCommerce orders", done);
    const note = await channelRequest(this.fetchImpl, `${url}/notes`, { method: "POST", headers, body: JSON.stringify({ note: `Cancelled in the OMS: ${o.reason}`, customer_note: false }) });
    expectOk("WooCommerce order notes", note);
    return { call: "status cancelled", remoteIds: [o.externalOrderId] };
  }

  /**
   * `POST orders/{id}/refunds` of the amount with `api_refund: true` (WooCommerce asks the store's
   * payment gateway to pay it back) and no line items (the goods came back to us: nothing to
   * restock there); the refund's reason names our return, and a refund with that reason on the
   * order already means it was made.
   */
  async refund(channel: Channel, r: { externalOrderId: string; key: string; amount: { amount: number; currency: string }; reason: string }): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const { base, headers } = await this.session(channel);
    const url = `${base}/wp-json/wc/v3/orders/${encodeURIComponent(r.externalOrderId)}/refunds`;
    const listed = await channelRequest(this.fetchImpl, url, { headers });
    expectOk("WooCommerce refunds", listed);
    const made = objects(parseLosslessValue(listed.text)).find((x) => (str(x.reason) ?? "").includes(`[${r.key}]`));
    if (made) return { call: "refunds", remoteIds: [str(made.id) ?? ""], already: true };
    const done = await channelRequest(this.fetchImpl, url, { method: "POST", headers, body: JSON.stringify({ amount: toDecimalText(r.amount.amount, r.amount.currency), reason: `${r.reason} [${r.key}]`, api_refund: true }) });
    expectOk("WooCommerce refunds", done);
    return { call: "refunds", remoteIds: [str(obj(parseLosslessValue(done.text))?.id) ?? ""].filter(Boolean) };
  }

  /** `stock_quantity` of the listed product, or of its variation (`manage_stock` on, so WooCommerce counts it). */
  async setAvailable(channel: Channel, listing: Listing, levels: { channelLocationId: string; quantity: number }[]): Promise<void> {
    if (!listing.productId) throw new ChannelApiError(`Channel ${channel.channelId}: the listing of this SKU has no productId`, 0, false);
    const { base, headers } = await this.session(channel);
    const path = `/wp-json/wc/v3/products/${listing.productId}${listing.variationId ? `/variations/${listing.variationId}` : ""}`;
    const res = await channelRequest(this.fetchImpl, `${base}${path}`, { method: "PUT", headers, body: JSON.stringify({ manage_stock: true, stock_quantity: levels.reduce((n, l) => n + l.quantity, 0) }) });
    expectOk(`WooCommerce ${path}`, res);
  }

  /** `GET orders?modified_after=` (GMT), oldest change first, page by page. */
  async *updatedSince(channel: Channel, since: string): AsyncIterable<Record<string, unknown>> {
    const { base, headers } = await this.session(channel);
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await channelRequest(this.fetchImpl, `${base}/wp-json/wc/v3/orders?modified_after=${encodeURIComponent(since.replace(/\.\d{3}Z$/, ""))}&dates_are_gmt=true&orderby=modified&order=asc&per_page=${PER_PAGE}&page=${page}`, { headers });
      expectOk("WooCommerce orders", res);
      const orders = objects(parseLosslessValue(res.text));
      yield* orders;
      if (orders.length < PER_PAGE) return;
    }
  }

  private async session(channel: Channel): Promise<{ base: string; headers: Record<string, string> }> {
    const creds = await this.credentials.credentialsFor(channel);
    const auth = `Basic ${Buffer.from(`${credential(creds, "consumerKey", channel.channelId)}:${credential(creds, "consumerSecret", channel.channelId)}`).toString("base64")}`;
    return { base: (channel.apiEndpoint ?? channel.siteUrl ?? "").replace(/\/+$/, ""), headers: { authorization: auth, "content-type": "application/json", accept: "application/json" } };
  }

  async fulfill(channel: Channel, s: ChannelShipment): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const { base, headers } = await this.session(channel);
    const id = encodeURIComponent(s.externalOrderId);
    const trackingsUrl = `${base}/wp-json/wc-shipment-tracking/v3/orders/${id}/shipment-trackings`;
    const listed = await channelRequest(this.fetchImpl, trackingsUrl, { headers });
    expectOk("WooCommerce shipment-trackings", listed);
    const known = objects(parseLosslessValue(listed.text));
    const existing = known.find((t) => str(t.tracking_number) === s.trackingNumber);
    let trackingId = str(existing?.tracking_id);
    if (!existing) {
      const added = await channelRequest(this.fetchImpl, trackingsUrl, { method: "POST", headers, body: JSON.stringify({ tracking_provider: s.carrier, tracking_number: s.trackingNumber, date_shipped: s.shippedAt.slice(0, 10) }) });
      expectOk("WooCommerce shipment-trackings", added);
      trackingId = str(obj(parseLosslessValue(added.text))?.tracking_id);
    }
    const completed = await channelRequest(this.fetchImpl, `${base}/wp-json/wc/v3/orders/${id}`, { method: "PUT", headers, body: JSON.stringify({ status: "completed" }) });
    expectOk("WooCommerce orders", completed);
    return { call: "shipment-trackings+completed", remoteIds: trackingId ? [trackingId] : [], ...(existing ? { already: true } : {}) };
  }
}
