import { parse, stringify } from "lossless-json";
import { wooSignature } from "../../functions/adapters/channels/woocommerce.js";
import { FakeVendor, type FakeAnswer, type FakeCall } from "./fake-server.js";

type Doc = Record<string, unknown>;

/**
 * A stand-in for a WooCommerce store's REST API (woocommerce.github.io/woocommerce-rest-api-docs,
 * wc/v3) and the Shipment Tracking extension's `wc-shipment-tracking/v3`, with the consumer key
 * and secret over Basic auth: orders (list by `modified_after`, read, update `status`), the
 * order's shipment trackings, and products' and variations' `stock_quantity`. `createOrder`
 * also delivers the `order.created` webhook, signed as WooCommerce signs it.
 */
export class FakeWooCommerce extends FakeVendor {
  /** Orders by id, as the REST API gives them (numbers as their text). */
  readonly orders = new Map<string, Doc>();
  readonly trackings = new Map<string, Doc[]>();
  /** Refunds made, per order id. */
  readonly refunds = new Map<string, Doc[]>();
  /** Order notes added, per order id. */
  readonly notes = new Map<string, Doc[]>();
  /** `stock_quantity` per `product/<id>` or `product/<id>/variation/<id>`. */
  readonly stock = new Map<string, number>();

  constructor(readonly store: { consumerKey: string; consumerSecret: string; webhook?: { url: string; secret: string } }) {
    super();
  }

  addOrder(text: string): string {
    const doc = parse(text, null, (n: string) => n) as Doc;
    const id = String(doc.id);
    this.orders.set(id, doc);
    return id;
  }

  async createOrder(text: string): Promise<{ status: number; body: unknown }> {
    this.addOrder(text);
    return this.deliver("order.created", text);
  }

  async deliver(topic: string, text: string): Promise<{ status: number; body: unknown }> {
    if (!this.store.webhook) throw new Error("This fake store has no webhook");
    const res = await fetch(this.store.webhook.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-wc-webhook-topic": topic, "x-wc-webhook-resource": topic.split(".")[0] ?? "", "x-wc-webhook-event": topic.split(".")[1] ?? "", "x-wc-webhook-signature": wooSignature(this.store.webhook.secret, text), "x-wc-webhook-source": "https://demo-store.example/" },
      body: text,
    });
    const raw = await res.text();
    return { status: res.status, body: raw ? (JSON.parse(raw) as unknown) : undefined };
  }

  protected operation({ method, path }: { method: string; path: string }): string | undefined {
    if (/^\/wp-json\/wc-shipment-tracking\/v3\/orders\/[^/]+\/shipment-trackings$/.test(path)) return method === "POST" ? "shipment-trackings.create" : "shipment-trackings.list";
    if (path === "/wp-json/wc/v3/orders" && method === "GET") return "orders.list";
    if (/^\/wp-json\/wc\/v3\/orders\/[^/]+\/notes$/.test(path) && method === "POST") return "orders.notes.create";
    if (/^\/wp-json\/wc\/v3\/orders\/[^/]+\/refunds$/.test(path)) return method === "POST" ? "orders.refunds.create" : "orders.refunds.list";
    if (/^\/wp-json\/wc\/v3\/orders\/[^/]+$/.test(path)) return method === "GET" ? "orders.get" : "orders.update";
    if (/^\/wp-json\/wc\/v3\/products\/[^/]+(\/variations\/[^/]+)?$/.test(path) && method === "PUT") return "products.update";
    return undefined;
  }

  protected answer(call: FakeCall): FakeAnswer {
    const expected = `Basic ${Buffer.from(`${this.store.consumerKey}:${this.store.consumerSecret}`).toString("base64")}`;
    if (call.headers.authorization !== expected) return { status: 401, body: { code: "woocommerce_rest_cannot_view", message: "Sorry, you cannot list resources.", data: { status: 401 } } };
    const parts = call.path.split("/");
    const orderId = decodeURIComponent(parts[5] ?? "");
    const order = this.orders.get(orderId);
    const notFound: FakeAnswer = { status: 404, body: { code: "woocommerce_rest_shop_order_invalid_id", message: "Invalid ID.", data: { status: 404 } } };
    switch (call.op) {
      case "orders.list": {
        const since = call.query.get("modified_after") ?? "";
        const list = [...this.orders.values()].filter((o) => modified(o) >= since).sort((a, b) => modified(a).localeCompare(modified(b)));
        const perPage = Number(call.query.get("per_page") ?? 10);
        const page = Number(call.query.get("page") ?? 1);
        return { status: 200, body: stringify(list.slice((page - 1) * perPage, page * perPage)) ?? "[]" };
      }
      case "orders.get":
        return order ? { status: 200, body: stringify(order) ?? "{}" } : notFound;
      case "orders.update": {
        if (!order) return notFound;
        const status = (call.json as { status?: string } | undefined)?.status;
        if (status) {
          order.status = status;
          order.date_modified_gmt = new Date().toISOString().slice(0, 19);
        }
        return { status: 200, body: stringify(order) ?? "{}" };
      }
      case "orders.refunds.list":
        return order ? { status: 200, body: this.refunds.get(orderId) ?? [] } : notFound;
      case "orders.refunds.create": {
        if (!order) return notFound;
        const list = this.refunds.get(orderId) ?? [];
        const asked = (call.json ?? {}) as { amount?: string; reason?: string; api_refund?: boolean };
        const thousandths = (v: unknown) => Math.round(Number(typeof v === "string" ? v : "0") * 1000);
        const before = list.reduce((n, r) => n + thousandths(r.amount), 0);
        if (before + thousandths(asked.amount) > thousandths(order.total)) return { status: 400, body: { code: "woocommerce_rest_cannot_create_order_refund", message: "Invalid refund amount.", data: { status: 400 } } };
        const refund = { id: Number(orderId) * 100 + list.length + 1, date_created_gmt: new Date().toISOString().slice(0, 19), amount: asked.amount ?? "0", reason: asked.reason ?? "", refunded_payment: asked.api_refund !== false, line_items: [] };
        list.push(refund);
        this.refunds.set(orderId, list);
        return { status: 201, body: refund };
      }
      case "orders.notes.create": {
        if (!order) return notFound;
        const list = this.notes.get(orderId) ?? [];
        const note = { id: list.length + 1, author: "WooCommerce", date_created_gmt: new Date().toISOString().slice(0, 19), note: "", customer_note: false, ...(call.json as Doc) };
        list.push(note);
        this.notes.set(orderId, list);
        return { status: 201, body: note };
      }
      case "shipment-trackings.list":
        return order ? { status: 200, body: this.trackings.get(orderId) ?? [] } : notFound;
      case "shipment-trackings.create": {
        if (!order) return notFound;
        const list = this.trackings.get(orderId) ?? [];
        const tracking = { tracking_id: `${orderId}-${list.length + 1}`, tracking_provider: "", tracking_link: "", date_shipped: "", ...(call.json as Doc) };
        list.push(tracking);
        this.trackings.set(orderId, list);
        return { status: 201, body: tracking };
      }
      case "products.update": {
        const key = parts.slice(5).join("/").replace("/variations/", "/variation/");
        const quantity = (call.json as { stock_quantity?: number } | undefined)?.stock_quantity;
        if (typeof quantity === "number") this.stock.set(`product/${key}`, quantity);
        return { status: 200, body: { id: Number(parts.at(-1)), manage_stock: true, stock_quantity: quantity } };
      }
      default:
        return { status: 404, body: { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } } };
    }
  }
}

const modified = (o: Doc): string => (typeof o.date_modified_gmt === "string" ? o.date_modified_gmt : "");
