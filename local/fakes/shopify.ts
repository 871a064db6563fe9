import { parse } from "lossless-json";
import { SHOPIFY_API_VERSION, SHOPIFY_REST_VERSION } from "../../functions/adapters/channels/shopify-admin.js";
import { shopifyHmac } from "../../functions/adapters/channels/shopify.js";
import { FakeVendor, type FakeAnswer, type FakeCall } from "./fake-server.js";

type Doc = Record<string, unknown>;
interface ShopOrder {
  id: string;
  /** The order as Shopify's REST resource (and webhooks) give it, numbers as their text. */
  text: string;
  lineItems: { id: string; quantity: number }[];
  updatedAt: string;
  /** Units fulfilled, per line item id. */
  fulfilled: Map<string, number>;
  cancelledAt?: string;
  /** A local pickup: the Shopify location the customer collects it from (its fulfillment order's PICK_UP delivery method). */
  pickupAt?: string;
  /** The order's payment (one SALE of its total, in the customer's currency) and the refunds made. */
  sale: { id: string; gateway: string; amount: string; currency: string };
  refunds: { id: string; note: string; transactions: { parentId: string; amount: string }[] }[];
}

/** Each GraphQL operation the fake answers, by the field it asks for (what the call log names it). */
const OPERATIONS = ["fulfillmentOrders", "fulfillmentCreate", "inventorySetQuantities", "orderCancel", "refundCreate", "order"] as const;

/**
 * A stand-in for one shop's Admin API, answering as shopify.dev documents it (GraphQL Admin
 * 2026-10: `order.fulfillmentOrders`, `fulfillmentCreate`, `inventorySetQuantities`,
 * `orderCancel`; REST `orders.json` for reconciliation), over HTTP with the shop's access token.
 * It keeps the orders it was given (one fulfillment order each, with what remains to fulfill),
 * the inventory levels it was set to, and every call; `createOrder` also delivers the
 * `orders/create` webhook, signed with the app secret, as the shop would.
 */
export class FakeShopify extends FakeVendor {
  readonly orders = new Map<string, ShopOrder>();
  /** `available` per `<inventoryItemGid> @ <locationGid>`. */
  readonly available = new Map<string, number>();
  /** Fulfillment ids count up from the one in shopify.dev's fulfillmentCreate example. */
  private nextFulfillment = 255858046;
  /** Webhooks the shop sent on its own (after a refund), for `settled()`. */
  private readonly deliveries: Promise<unknown>[] = [];

  constructor(readonly shop: { shopDomain: string; accessToken: string; webhook?: { url: string; secret: string } }) {
    super();
  }

  /** Adds an order to the shop (without telling anyone: a webhook that never came). */
  addOrder(text: string, updatedAt = new Date().toISOString(), opts: { pickupAt?: string } = {}): string {
    const doc = parse(text, null, (n: string) => n) as Doc;
    const id = String(doc.id);
    const lineItems = ((doc.line_items ?? []) as Doc[]).map((l) => ({ id: String(l.id), quantity: Number(l.quantity) }));
    const total = (doc.total_price_set as { presentment_money?: { amount?: string; currency_code?: string } } | undefined)?.presentment_money;
    const gateways = doc.payment_gateway_names as string[] | undefined;
    const sale = { id: `gid://shopify/OrderTransaction/${id}1`, gateway: gateways?.[0] ?? "manual", amount: textOf(total?.amount ?? doc.total_price, "0"), currency: textOf(total?.currency_code ?? doc.currency, "USD") };
    this.orders.set(id, { id, text, lineItems, updatedAt, fulfilled: new Map(), sale, refunds: [], ...(opts.pickupAt ? { pickupAt: opts.pickupAt } : {}) });
    return id;
  }

  /** Adds the order and delivers its `orders/create` webhook; the OMS's answer. */
  async createOrder(text: string): Promise<{ status: number; body: unknown }> {
    this.addOrder(text);
    return this.deliver("orders/create", text);
  }

  /** A signed webhook delivery of `topic` with this body, as Shopify sends it. */
  async deliver(topic: string, text: string): Promise<{ status: number; body: unknown }> {
    if (!this.shop.webhook) throw new Error("This fake shop has no webhook subscription");
    const res = await fetch(this.shop.webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": this.shop.shopDomain,
        "x-shopify-hmac-sha256": shopifyHmac(this.shop.webhook.secret, text),
        "x-shopify-webhook-id": crypto.randomUUID(),
        "x-shopify-api-version": SHOPIFY_REST_VERSION,
        "x-shopify-triggered-at": new Date().toISOString(),
      },
      body: text,
    });
    const raw = await res.text();
    return { status: res.status, body: raw ? (JSON.parse(raw) as unknown) : undefined };
  }

  protected operation({ method, path, json }: { method: string; path: string; json?: Doc }): string | undefined {
    if (method === "GET" && path === `/admin/api/${SHOPIFY_REST_VERSION}/orders.json`) return "orders.json";
    if (method !== "POST" || path !== `/admin/api/${SHOPIFY_API_VERSION}/graphql.json`) return undefined;
    const query = typeof json?.query === "string" ? json.query : "";
    return OPERATIONS.find((op) => new RegExp(`\\b${op}\\s*\\(`).test(query)) ?? "unknown-query";
  }

  protected answer(call: FakeCall): FakeAnswer {
    if (call.headers["x-shopify-access-token"] !== this.shop.accessToken) return { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } };
    const variables = (call.json?.variables ?? {}) as Doc;
    switch (call.op) {
      case "orders.json":
        return this.list(call.query);
      case "fulfillmentOrders": {
        const order = this.byGid(String(variables.id));
        return data({ order: order ? { fulfillmentOrders: { nodes: [this.fulfillmentOrder(order)] } } : null });
      }
      case "order": {
        const order = this.byGid(String(variables.id));
        return data({
          order: order
            ? {
                id: `gid://shopify/Order/${order.id}`,
                cancelledAt: order.cancelledAt ?? null,
                displayFulfillmentStatus: this.fulfillmentOrder(order).status === "CLOSED" ? "FULFILLED" : "UNFULFILLED",
                transactions: [
                  { id: order.sale.id, kind: "SALE", status: "SUCCESS", gateway: order.sale.gateway, amountSet: { presentmentMoney: { amount: order.sale.amount, currencyCode: order.sale.currency } } },
                  ...order.refunds.flatMap((r, i) => r.transactions.map((t, j) => ({ id: `${order.sale.id}${i}${j}`, kind: "REFUND", status: "SUCCESS", gateway: order.sale.gateway, amountSet: { presentmentMoney: { amount: t.amount, currencyCode: order.sale.currency } } }))),
                ],
                refunds: order.refunds.map((r) => ({ id: r.id, note: r.note })),
              }
            : null,
        });
      }
      case "fulfillmentCreate":
        return this.fulfillmentCreate(variables.fulfillment as Doc);
      case "inventorySetQuantities": {
        const input = variables.input as { quantities: { inventoryItemId: string; locationId: string; quantity: number }[] };
        for (const q of input.quantities) this.available.set(`${q.inventoryItemId} @ ${q.locationId}`, q.quantity);
        return data({ inventorySetQuantities: { inventoryAdjustmentGroup: { id: "gid://shopify/InventoryAdjustmentGroup/1" }, userErrors: [] } });
      }
      case "orderCancel": {
        const order = this.byGid(String(variables.orderId));
        const error = (message: string, code: string) => data({ orderCancel: { job: null, orderCancelUserErrors: [{ field: ["orderId"], message, code }], userErrors: [{ field: ["orderId"], message }] } });
        if (!order) return error("Order does not exist", "NOT_FOUND");
        if (order.cancelledAt) return error("Cannot cancel an order that has already been cancelled", "INVALID");
        if ([...order.fulfilled.values()].some((n) => n > 0)) return error("Cannot cancel an order with fulfilled line items", "INVALID");
        order.cancelledAt = new Date().toISOString();
        order.updatedAt = order.cancelledAt;
        return data({ orderCancel: { job: { id: `gid://shopify/Job/${crypto.randomUUID()}`, done: false }, orderCancelUserErrors: [], userErrors: [] } });
      }
      case "refundCreate":
        return this.refundCreate(variables.input as { orderId: string; note?: string; transactions: { parentId: string; amount: string; kind: string }[] });
      default:
        return { status: 200, body: { errors: [{ message: `This fake does not answer this query`, extensions: { code: "UNKNOWN" } }] } };
    }
  }

  /** A refund of money against the order's SALE, never above what it took less what was refunded before (Shopify's own rule). */
  private refundCreate(input: { orderId: string; note?: string; transactions: { parentId: string; amount: string; kind: string }[] }): FakeAnswer {
    const order = this.byGid(input.orderId);
    const userError = (field: string[], message: string) => data({ refundCreate: { refund: null, userErrors: [{ field, message }] } });
    if (!order) return userError(["orderId"], "Order does not exist");
    const cents = (text: string) => Math.round(Number(text) * 1000);
    const refunded = order.refunds.flatMap((r) => r.transactions).reduce((n, t) => n + cents(t.amount), 0);
    for (const t of input.transactions) {
      if (t.kind !== "REFUND" || t.parentId !== order.sale.id) return userError(["transactions", "parentId"], "Parent transaction not found");
    }
    const asked = input.transactions.reduce((n, t) => n + cents(t.amount), 0);
    if (refunded + asked > cents(order.sale.amount)) return userError(["transactions", "amount"], `Refund amount exceeds the available amount: ${order.sale.amount} less ${refunded / 1000} refunded`);
    const refundId = `${order.id}${order.refunds.length + 1}`;
    const refund = { id: `gid://shopify/Refund/${refundId}`, note: input.note ?? "", transactions: input.transactions.map((t) => ({ parentId: t.parentId, amount: t.amount })) };
    order.refunds.push(refund);
    order.updatedAt = new Date().toISOString();
    // As Shopify does, the refund is then announced on refunds/create (the REST Refund resource).
    if (this.shop.webhook) {
      const body = `{"id":${refundId},"order_id":${order.id},"created_at":"${order.updatedAt}","note":${JSON.stringify(refund.note)},"restock":false,"refund_line_items":[],"transactions":[${refund.transactions
        .map((t, i) => `{"id":${refundId}${i},"order_id":${order.id},"kind":"refund","status":"success","gateway":${JSON.stringify(order.sale.gateway)},"amount":"${t.amount}","currency":"${order.sale.currency}","parent_id":${order.id}1}`)
        .join(",")}]}`;
      this.deliveries.push(this.deliver("refunds/create", body));
    }
    return data({ refundCreate: { refund: { id: refund.id, totalRefundedSet: { presentmentMoney: { amount: (asked / 1000).toFixed(2), currencyCode: order.sale.currency } } }, userErrors: [] } });
  }

  private list(query: URLSearchParams): FakeAnswer {
    const since = Date.parse(query.get("updated_at_min") ?? "") || 0;
    const orders = [...this.orders.values()].filter((o) => Date.parse(o.updatedAt) >= since);
    return { status: 200, body: `{"orders":[${orders.map((o) => o.text).join(",")}]}` };
  }

  private byGid(gid: string): ShopOrder | undefined {
    return this.orders.get(gid.replace("gid://shopify/Order/", ""));
  }

  /** The order's one fulfillment order (a shop with one location), its line items with what remains. */
  fulfillmentOrder(order: ShopOrder) {
    const nodes = order.lineItems.map((l) => ({ id: `gid://shopify/FulfillmentOrderLineItem/${l.id}`, remainingQuantity: order.cancelledAt ? 0 : l.quantity - (order.fulfilled.get(l.id) ?? 0), lineItem: { id: `gid://shopify/LineItem/${l.id}` } }));
    const remaining = nodes.reduce((n, l) => n + l.remainingQuantity, 0);
    const status = order.cancelledAt ? "CANCELLED" : remaining === 0 ? "CLOSED" : nodes.length && remaining < order.lineItems.reduce((n, l) => n + l.quantity, 0) ? "IN_PROGRESS" : "OPEN";
    const deliveryMethod = { methodType: order.pickupAt ? "PICK_UP" : "SHIPPING" };
    return { id: `gid://shopify/FulfillmentOrder/${order.id}`, status, deliveryMethod, assignedLocation: { location: { id: `gid://shopify/Location/${order.pickupAt ?? "1"}` } }, lineItems: { nodes } };
  }

  private fulfillmentCreate(input: Doc): FakeAnswer {
    const groups = input.lineItemsByFulfillmentOrder as { fulfillmentOrderId: string; fulfillmentOrderLineItems: { id: string; quantity: number }[] }[];
    const userError = (message: string) => data({ fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ["fulfillment"], message }] } });
    for (const group of groups) {
      const order = this.orders.get(group.fulfillmentOrderId.replace("gid://shopify/FulfillmentOrder/", ""));
      if (!order) return userError("Fulfillment order does not exist.");
      const fo = this.fulfillmentOrder(order);
      for (const item of group.fulfillmentOrderLineItems) {
        const node = fo.lineItems.nodes.find((n) => n.id === item.id);
        if (!node || item.quantity > node.remainingQuantity) return userError(`Invalid fulfillment order line item quantity requested for ${item.id}.`);
      }
      for (const item of group.fulfillmentOrderLineItems) {
        const lineItemId = item.id.replace("gid://shopify/FulfillmentOrderLineItem/", "");
        order.fulfilled.set(lineItemId, (order.fulfilled.get(lineItemId) ?? 0) + item.quantity);
      }
      order.updatedAt = new Date().toISOString();
    }
    return data({ fulfillmentCreate: { fulfillment: { id: `gid://shopify/Fulfillment/${this.nextFulfillment++}`, status: "SUCCESS" }, userErrors: [] } });
  }

  /** The OMS's answers to the webhooks the shop sent on its own so far. */
  settled(): Promise<{ status: number; body: unknown }[]> {
    return Promise.all(this.deliveries) as Promise<{ status: number; body: unknown }[]>;
  }

  /** Units fulfilled on the shop, over all its orders. */
  unitsFulfilled(orderId?: string): number {
    const orders = orderId ? [this.orders.get(orderId)].filter((o) => o !== undefined) : [...this.orders.values()];
    return orders.reduce((n, o) => n + [...o.fulfilled.values()].reduce((a, b) => a + b, 0), 0);
  }
}

const data = (d: unknown): FakeAnswer => ({ status: 200, body: { data: d } });

/** A field of a lossless-parsed body as its text (numbers are kept as strings). */
const textOf = (v: unknown, otherwise: string): string => (typeof v === "string" ? v : otherwise);
