import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { FakeVendor, type FakeAnswer, type FakeCall } from "./fake-server.js";

type Doc = Record<string, unknown>;

/**
 * A stand-in for Login with Amazon and SP-API's Orders API v0 (amzn/selling-partner-api-models,
 * models/orders-api-model/ordersV0.json): the refresh-token grant, `getOrders`
 * (`LastUpdatedAfter`), `getOrder`, `getOrderItems` and `confirmShipment`, with the access token
 * it handed out. `createOrder` also puts the `ORDER_CHANGE` notification on the seller's queue,
 * as the Notifications API does (schemas/notifications/OrderChangeNotification.json).
 */
export class FakeSpApi extends FakeVendor {
  readonly orders = new Map<string, { order: Doc; items: Doc[]; updatedAt: string }>();
  /** The merchant-fulfilled quantity of each seller SKU, as the last accepted patch set it. */
  readonly quantities = new Map<string, number>();
  /** Packages confirmed, per Amazon order id. */
  readonly shipments = new Map<string, Doc[]>();
  private readonly accessToken = `Atza|fake-${crypto.randomUUID()}`;
  private notifications = 0;

  constructor(readonly seller: { sellerId: string; clientId: string; clientSecret: string; refreshToken: string; queue?: { url: string; sqs: SQSClient } }) {
    super();
  }

  addOrder(order: Doc, items: Doc[]): string {
    const id = String(order.AmazonOrderId);
    this.orders.set(id, { order, items, updatedAt: typeof order.LastUpdateDate === "string" ? order.LastUpdateDate : new Date().toISOString() });
    return id;
  }

  /** Adds the order and sends its ORDER_CHANGE notification to the queue. */
  async createOrder(order: Doc, items: Doc[]): Promise<string> {
    const id = this.addOrder(order, items);
    await this.notify(id);
    return id;
  }

  /** An ORDER_CHANGE notification of the order's current state, on the queue. */
  async notify(amazonOrderId: string, change: { type?: string; buyerCancel?: boolean } = {}): Promise<void> {
    const queue = this.seller.queue;
    if (!queue) throw new Error("This fake seller has no notification queue");
    const known = this.orders.get(amazonOrderId);
    const now = new Date().toISOString();
    const body = {
      NotificationVersion: "1.0",
      NotificationType: "ORDER_CHANGE",
      PayloadVersion: "1.0",
      EventTime: now,
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: "OrderLevel",
          SellerId: this.seller.sellerId,
          AmazonOrderId: amazonOrderId,
          OrderChangeType: change.type ?? (change.buyerCancel ? "BuyerRequestedChange" : "OrderStatusChange"),
          OrderChangeTrigger: { TimeOfOrderChange: now, ChangeReason: change.buyerCancel ? "Buyer Requested Cancel" : "Order status changed" },
          Summary: {
            MarketplaceId: known?.order.MarketplaceId,
            OrderStatus: known?.order.OrderStatus,
            PurchaseDate: known?.order.PurchaseDate,
            FulfillmentType: "MFN",
            OrderType: "StandardOrder",
            OrderItems: (known?.items ?? []).map((i) => ({ OrderItemId: i.OrderItemId, SellerSKU: i.SellerSKU, SupplyChannel: "MFN", Quantity: i.QuantityOrdered, IsBuyerRequestedCancel: change.buyerCancel ? "true" : "false" })),
          },
        },
      },
      NotificationMetadata: { ApplicationId: "amzn1.sellerapps.app.fake", SubscriptionId: "fake-subscription", PublishTime: now, NotificationId: `fake-${++this.notifications}-${crypto.randomUUID()}` },
    };
    await queue.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(body) }));
  }

  protected operation({ method, path }: { method: string; path: string }): string | undefined {
    if (method === "POST" && path === "/auth/o2/token") return "lwa.token";
    if (method === "GET" && path === "/orders/v0/orders") return "getOrders";
    if (method === "GET" && /^\/orders\/v0\/orders\/[^/]+$/.test(path)) return "getOrder";
    if (method === "GET" && /^\/orders\/v0\/orders\/[^/]+\/orderItems$/.test(path)) return "getOrderItems";
    if (method === "POST" && /^\/orders\/v0\/orders\/[^/]+\/shipmentConfirmation$/.test(path)) return "confirmShipment";
    if (method === "PATCH" && /^\/listings\/2021-08-01\/items\/[^/]+\/[^/]+$/.test(path)) return "patchListingsItem";
    return undefined;
  }

  protected answer(call: FakeCall): FakeAnswer {
    if (call.op === "lwa.token") {
      const form = new URLSearchParams(call.body);
      if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== this.seller.refreshToken || form.get("client_id") !== this.seller.clientId || form.get("client_secret") !== this.seller.clientSecret) return { status: 400, body: { error: "invalid_grant", error_description: "The request has an invalid grant parameter" } };
      return { status: 200, body: { access_token: this.accessToken, token_type: "bearer", expires_in: 3600, refresh_token: this.seller.refreshToken } };
    }
    if (call.headers["x-amz-access-token"] !== this.accessToken) return { status: 403, body: { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied.", details: "The access token you provided is revoked, malformed or invalid." }] } };
    if (call.op === "patchListingsItem") {
      const [, , , , seller = "", sku = ""] = call.path.split("/").map(decodeURIComponent);
      const patch = (call.json as { productType?: string; patches?: { op: string; path: string; value?: { fulfillment_channel_code?: string; quantity?: number }[] }[] } | undefined) ?? {};
      const availability = patch.patches?.find((p) => p.path === "/attributes/fulfillment_availability")?.value?.find((v) => v.fulfillment_channel_code === "DEFAULT");
      if (seller !== this.seller.sellerId) return { status: 403, body: { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied." }] } };
      if (!patch.productType || typeof availability?.quantity !== "number" || !call.query.get("marketplaceIds")) return { status: 200, body: { sku, status: "INVALID", submissionId: crypto.randomUUID(), issues: [{ code: "90220", message: "'fulfillment_availability' is required but not supplied.", severity: "ERROR" }] } };
      this.quantities.set(sku, availability.quantity);
      return { status: 200, body: { sku, status: "ACCEPTED", submissionId: crypto.randomUUID(), issues: [] } };
    }
    const id = decodeURIComponent(call.path.split("/")[4] ?? "");
    const known = this.orders.get(id);
    const notFound: FakeAnswer = { status: 404, body: { errors: [{ code: "NotFound", message: `Order ${id} not found` }] } };
    switch (call.op) {
      case "getOrders": {
        const since = Date.parse(call.query.get("LastUpdatedAfter") ?? "") || 0;
        const marketplaces = (call.query.get("MarketplaceIds") ?? "").split(",");
        const orders = [...this.orders.values()].filter((o) => Date.parse(o.updatedAt) >= since && marketplaces.includes(String(o.order.MarketplaceId)));
        return { status: 200, body: { payload: { Orders: orders.map((o) => o.order), LastUpdatedBefore: new Date().toISOString() } } };
      }
      case "getOrder":
        return known ? { status: 200, body: { payload: known.order } } : notFound;
      case "getOrderItems":
        return known ? { status: 200, body: { payload: { AmazonOrderId: id, OrderItems: known.items } } } : notFound;
      case "confirmShipment": {
        if (!known) return notFound;
        const pkg = (call.json as { packageDetail?: Doc } | undefined)?.packageDetail ?? {};
        const list = this.shipments.get(id) ?? [];
        if (list.some((p) => p.packageReferenceId === pkg.packageReferenceId)) return { status: 400, body: { errors: [{ code: "InvalidInput", message: "The package has already been confirmed" }] } };
        list.push(pkg);
        this.shipments.set(id, list);
        known.updatedAt = new Date().toISOString();
        return { status: 204, body: "" };
      }
      default:
        return notFound;
    }
  }
}
