import type { ChannelCancellations, ChannelCredentials, ChannelDeliveryMethods, ChannelRefunds, ChannelFulfillments, ChannelInventory, ChannelOrderFeed, ChannelShipment } from "../../app/ports.js";
import type { Channel } from "../../domain/channel.js";
import type { Listing } from "../../domain/product.js";
import { ChannelApiError, channelRequest, credential, expectOk, MAX_PAGES, nextLink } from "./channel-http.js";
import { toDecimalText, toMinorUnits } from "./money-text.js";
import { arr, obj, objects, parseLossless, str, type Json } from "./payload.js";

/** The GraphQL Admin API version this adapter is written against (shopify.dev/docs/api/admin-graphql/2026-10). */
export const SHOPIFY_API_VERSION = "2026-10";

const FULFILLMENT_ORDERS = `query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    fulfillmentOrders(first: 50) {
      nodes { id status lineItems(first: 250) { nodes { id remainingQuantity lineItem { id } } } }
    }
  }
}`;

const FULFILLMENT_CREATE = `mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`;

const SET_QUANTITIES = `mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message }
  }
}`;

const DELIVERY_METHODS = `query DeliveryMethods($id: ID!) {
  order(id: $id) {
    fulfillmentOrders(first: 10) { nodes { deliveryMethod { methodType } assignedLocation { location { id } } } }
  }
}`;

const ORDER_STATE = `query OrderState($id: ID!) {
  order(id: $id) { id cancelledAt displayFulfillmentStatus }
}`;

const ORDER_CANCEL = `mutation OrderCancel($orderId: ID!, $notifyCustomer: Boolean, $refundMethod: OrderCancelRefundMethodInput!, $restock: Boolean!, $reason: OrderCancelReason!, $staffNote: String) {
  orderCancel(orderId: $orderId, notifyCustomer: $notifyCustomer, refundMethod: $refundMethod, restock: $restock, reason: $reason, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}`;

const ORDER_PAYMENTS = `query OrderPayments($id: ID!) {
  order(id: $id) {
    id
    transactions(first: 50) { id kind status gateway amountSet { presentmentMoney { amount currencyCode } } }
    refunds(first: 50) { id note }
  }
}`;

const REFUND_CREATE = `mutation RefundCreate($input: RefundInput!) {
  refundCreate(input: $input) {
    refund { id totalRefundedSet { presentmentMoney { amount currencyCode } } }
    userErrors { field message }
  }
}`;

/** Fulfillment orders Shopify still lets a merchant fulfill. */
const FULFILLABLE = new Set(["OPEN", "IN_PROGRESS"]);

/**
 * Shopify fulfillments through the GraphQL Admin API, as shopify.dev documents them: an order's
 * items are fulfilled through its fulfillment orders, so the adapter reads them
 * (`order.fulfillmentOrders`), takes our shipment's units from the line items that still have a
 * `remainingQuantity`, and calls `fulfillmentCreate` once per fulfillment order (one location
 * each) with the carrier and tracking number. Units Shopify shows fulfilled already are not sent
 * again, so a retry after a lost answer creates nothing twice. `THROTTLED` (the cost bucket) and
 * 429/5xx are retryable; `userErrors` are not.
 */
/** The REST Admin API version of the order list (the same resource, and version, as the webhooks' orders). */
export const SHOPIFY_REST_VERSION = "2025-07";

export class ShopifyAdmin implements ChannelFulfillments, ChannelInventory, ChannelOrderFeed, ChannelCancellations, ChannelRefunds, ChannelDeliveryMethods {
  constructor(
    private readonly credentials: ChannelCredentials,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async fulfill(channel: Channel, s: ChannelShipment): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const data = await this.graphql(channel, FULFILLMENT_ORDERS, { id: `gid://shopify/Order/${s.externalOrderId}` });
    const order = obj(data.order);
    if (!order) throw new ChannelApiError(`Shopify has no order ${s.externalOrderId}`, 200, false);
    const fulfillmentOrders = objects(obj(order.fulfillmentOrders)?.nodes).filter((f) => FULFILLABLE.has(str(f.status) ?? ""));
    // Each fulfillment order's line items to fulfill now: our units, from what is still remaining.
    const plan = new Map<string, { id: string; quantity: number }[]>();
    for (const line of s.lines) {
      let want = line.quantity;
      for (const fo of fulfillmentOrders) {
        for (const li of objects(obj(fo.lineItems)?.nodes)) {
          if (want === 0) break;
          if (str(obj(li.lineItem)?.id) !== `gid://shopify/LineItem/${line.channelLineId}`) continue;
          const take = Math.min(want, Number(str(li.remainingQuantity) ?? "0"));
          if (take <= 0) continue;
          want -= take;
          const items = plan.get(str(fo.id) ?? "") ?? [];
          items.push({ id: str(li.id) ?? "", quantity: take });
          plan.set(str(fo.id) ?? "", items);
        }
      }
    }
    if (plan.size === 0) return { call: "fulfillmentCreate", remoteIds: [], already: true };
    const remoteIds: string[] = [];
    for (const [fulfillmentOrderId, fulfillmentOrderLineItems] of plan) {
      const created = obj((await this.graphql(channel, FULFILLMENT_CREATE, { fulfillment: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId, fulfillmentOrderLineItems }], trackingInfo: { company: s.carrier, number: s.trackingNumber }, notifyCustomer: true } })).fulfillmentCreate);
      const errors = objects(created?.userErrors);
      if (errors.length) throw new ChannelApiError(`fulfillmentCreate: ${errors.map((e) => `${arr(e.field).join(".")}: ${str(e.message) ?? ""}`).join("; ")}`, 200, false);
      remoteIds.push(str(obj(created?.fulfillment)?.id) ?? "");
    }
    return { call: "fulfillmentCreate", remoteIds };
  }

  /**
   * Each fulfillment order's `deliveryMethod.methodType` (SHIPPING, PICK_UP, LOCAL, ...) and its
   * assigned location's numeric id: the REST order a webhook carries does not say that an order is
   * a local pickup, its fulfillment orders do (shopify.dev, DeliveryMethodType).
   */
  async deliveryMethods(channel: Channel, externalOrderId: string): Promise<{ methodType: string; channelLocationId?: string }[]> {
    const order = obj((await this.graphql(channel, DELIVERY_METHODS, { id: `gid://shopify/Order/${externalOrderId}` })).order);
    return objects(obj(order?.fulfillmentOrders)?.nodes).map((fo) => {
      const location = str(obj(obj(fo.assignedLocation)?.location)?.id)?.replace("gid://shopify/Location/", "");
      return { methodType: str(obj(fo.deliveryMethod)?.methodType) ?? "", ...(location ? { channelLocationId: location } : {}) };
    });
  }

  /**
   * `orderCancel` (GraphQL Admin, since 2024-01), unless Shopify shows the order cancelled already
   * (`order.cancelledAt`: a retry after a lost answer, or a job that finished): the customer is
   * refunded to the original payment methods, Shopify does not restock (the OMS owns the stock and
   * sets Shopify's levels itself) and does not write to the customer (the OMS's own notification
   * does), and our reason goes in the staff note. Shopify cancels in a background job.
   */
  async cancel(channel: Channel, o: { externalOrderId: string; reason: string }): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const orderId = `gid://shopify/Order/${o.externalOrderId}`;
    const state = obj((await this.graphql(channel, ORDER_STATE, { id: orderId })).order);
    if (!state) throw new ChannelApiError(`Shopify has no order ${o.externalOrderId}`, 200, false);
    if (str(state.cancelledAt)) return { call: "orderCancel", remoteIds: [], already: true };
    const out = obj((await this.graphql(channel, ORDER_CANCEL, { orderId, notifyCustomer: false, refundMethod: { originalPaymentMethodsRefund: true }, restock: false, reason: "OTHER", staffNote: `OMS: ${o.reason}`.slice(0, 255) })).orderCancel);
    const errors = objects(out?.orderCancelUserErrors);
    if (errors.length) throw new ChannelApiError(`orderCancel: ${errors.map((e) => `${str(e.code) ?? ""} ${str(e.message) ?? ""}`.trim()).join("; ")}`, 200, false);
    return { call: "orderCancel", remoteIds: [str(obj(out?.job)?.id) ?? ""].filter(Boolean) };
  }

  /**
   * `refundCreate` of money only (the goods came back to our location, so no refund line items and
   * no restock), as REFUND transactions against the order's successful SALE or CAPTURE
   * transactions, each up to its amount, in the order's presentment currency; the refund's note
   * names our return, and a refund with that note on the order already means it was made (a retry
   * after a lost answer refunds nothing twice).
   */
  async refund(channel: Channel, r: { externalOrderId: string; key: string; amount: { amount: number; currency: string }; reason: string }): Promise<{ call: string; remoteIds: string[]; already?: boolean }> {
    const orderId = `gid://shopify/Order/${r.externalOrderId}`;
    const order = obj((await this.graphql(channel, ORDER_PAYMENTS, { id: orderId })).order);
    if (!order) throw new ChannelApiError(`Shopify has no order ${r.externalOrderId}`, 200, false);
    const note = `${r.reason} [${r.key}]`;
    const made = objects(order.refunds).find((x) => (str(x.note) ?? "").includes(`[${r.key}]`));
    if (made) return { call: "refundCreate", remoteIds: [str(made.id) ?? ""], already: true };
    const transactions: Json[] = [];
    let left = r.amount.amount;
    for (const t of objects(order.transactions)) {
      const money = obj(obj(t.amountSet)?.presentmentMoney);
      if (left === 0 || !["SALE", "CAPTURE"].includes(str(t.kind) ?? "") || str(t.status) !== "SUCCESS" || str(money?.currencyCode) !== r.amount.currency) continue;
      const take = Math.min(left, toMinorUnits(str(money?.amount) ?? "0", r.amount.currency));
      if (take <= 0) continue;
      transactions.push({ orderId, parentId: str(t.id), amount: toDecimalText(take, r.amount.currency), gateway: str(t.gateway), kind: "REFUND" });
      left -= take;
    }
    if (left > 0) throw new ChannelApiError(`Shopify order ${r.externalOrderId} has no ${r.amount.currency} payments enough to refund ${r.amount.amount} minor units (${left} short)`, 200, false);
    const out = obj((await this.graphql(channel, REFUND_CREATE, { input: { orderId, note, notify: false, currency: r.amount.currency, transactions } })).refundCreate);
    const errors = objects(out?.userErrors);
    if (errors.length) throw new ChannelApiError(`refundCreate: ${errors.map((e) => `${arr(e.field).join(".")}: ${str(e.message) ?? ""}`).join("; ")}`, 200, false);
    return { call: "refundCreate", remoteIds: [str(obj(out?.refund)?.id) ?? ""].filter(Boolean) };
  }

  /**
   * `inventorySetQuantities` of the `available` quantity at each Shopify location, for the
   * listing's inventory item; `changeFromQuantity: null` opts out of Shopify's compare-and-swap,
   * because the OMS is the source of truth for what may be sold.
   */
  async setAvailable(channel: Channel, listing: Listing, levels: { channelLocationId: string; quantity: number }[]): Promise<void> {
    if (!listing.inventoryItemId) throw new ChannelApiError(`Channel ${channel.channelId}: the listing of this SKU has no inventoryItemId`, 0, false);
    const input = {
      name: "available",
      reason: "correction",
      referenceDocumentUri: "oms://stock-sync",
      quantities: levels.map((l) => ({ inventoryItemId: `gid://shopify/InventoryItem/${listing.inventoryItemId ?? ""}`, locationId: `gid://shopify/Location/${l.channelLocationId}`, quantity: l.quantity, changeFromQuantity: null })),
    };
    const out = obj((await this.graphql(channel, SET_QUANTITIES, { input })).inventorySetQuantities);
    const errors = objects(out?.userErrors);
    if (errors.length) throw new ChannelApiError(`inventorySetQuantities: ${errors.map((e) => `${arr(e.field).join(".")}: ${str(e.message) ?? ""}`).join("; ")}`, 200, false);
  }

  /** `GET orders.json?status=any&updated_at_min=` (REST Admin API), following the Link header: the orders as their webhooks carry them. */
  async *updatedSince(channel: Channel, since: string): AsyncIterable<Json> {
    const token = credential(await this.credentials.credentialsFor(channel), "accessToken", channel.channelId);
    let url: string | undefined = `${this.base(channel)}/admin/api/${SHOPIFY_REST_VERSION}/orders.json?status=any&limit=250&updated_at_min=${encodeURIComponent(since)}`;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const res = await channelRequest(this.fetchImpl, url, { headers: { "x-shopify-access-token": token, accept: "application/json" } });
      expectOk("Shopify orders.json", res);
      yield* objects(parseLossless(res.text).orders);
      url = nextLink(res.link);
    }
  }

  private base(channel: Channel): string {
    return (channel.apiEndpoint ?? `https://${channel.shopDomain ?? ""}`).replace(/\/+$/, "");
  }

  private async graphql(channel: Channel, query: string, variables: Json): Promise<Json> {
    const token = credential(await this.credentials.credentialsFor(channel), "accessToken", channel.channelId);
    const res = await channelRequest(this.fetchImpl, `${this.base(channel)}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": token },
      body: JSON.stringify({ query, variables }),
    });
    expectOk("Shopify GraphQL", res);
    const body = parseLossless(res.text);
    const errors = objects(body.errors);
    if (errors.length) {
      const throttled = errors.some((e) => str(obj(e.extensions)?.code) === "THROTTLED");
      throw new ChannelApiError(`Shopify GraphQL: ${errors.map((e) => str(e.message) ?? "error").join("; ")}`, 200, throttled);
    }
    return obj(body.data) ?? {};
  }
}
