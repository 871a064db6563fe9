import { AMAZON_CAPTURE_STATUSES, normalizeAmazonOrder } from "../adapters/channels/amazon.js";
import { obj, objects, str } from "../adapters/channels/payload.js";
import { cancelReasonOf, normalizeShopifyOrder } from "../adapters/channels/shopify.js";
import { normalizeWooOrder, WOO_CAPTURE_STATUSES } from "../adapters/channels/woocommerce.js";
import { cancelFromChannel, receiveChannelOrder, updateFromChannel, type ChannelOrderDeps, type ChannelOrderResult } from "../app/channel-orders.js";
import { channelCancelReason, type Channel } from "../domain/channel.js";

export type AppliedOutcome = ChannelOrderResult | { outcome: "waiting-for-payment" | "fulfilled-by-amazon" | "not-applicable"; status?: string };

/**
 * An Amazon order as SP-API returns it, taken the way its notification takes it: `Unshipped` or
 * `PartiallyShipped` captured, `Canceled` (or every item's cancellation asked for by the buyer)
 * cancels ours, `Pending` waits for payment, AFN orders are Amazon's to ship.
 */
export async function applyAmazonOrder(deps: ChannelOrderDeps, channel: Channel, order: Record<string, unknown>, items: Record<string, unknown>[], buyerCancelled: string[] = [], reason?: string): Promise<AppliedOutcome> {
  const status = str(order.OrderStatus) ?? "";
  if (str(order.FulfillmentChannel) === "AFN") return { outcome: "fulfilled-by-amazon", status };
  const ours = normalizeAmazonOrder(order, items, channel.channelId);
  const allCancelled = items.length > 0 && items.every((i) => buyerCancelled.includes(str(i.OrderItemId) ?? ""));
  if (status === "Canceled") return cancelFromChannel(deps, ours, channelCancelReason("amazon"));
  if (allCancelled) return cancelFromChannel(deps, ours, `the buyer asked Amazon to cancel${reason ? ` (${reason})` : ""}`);
  if ((AMAZON_CAPTURE_STATUSES as readonly string[]).includes(status)) return receiveChannelOrder(deps, ours);
  return { outcome: "waiting-for-payment", status };
}

/**
 * One order a channel's API listed (reconciliation), through the path its webhook takes: Shopify
 * as `orders/updated` (captured if we never had it, followed where it may be, cancelled when
 * `cancelled_at` is set), WooCommerce by its status, Amazon by its status. Idempotent: an order
 * seen again changes nothing.
 */
export async function applyListedOrder(deps: ChannelOrderDeps, channel: Channel, listed: Record<string, unknown>): Promise<AppliedOutcome> {
  switch (channel.type) {
    case "shopify":
      if (str(listed.cancelled_at)) return cancelFromChannel(deps, normalizeShopifyOrder(listed, channel.channelId), cancelReasonOf(listed));
      return updateFromChannel(deps, normalizeShopifyOrder(listed, channel.channelId, "current"), { version: str(listed.updated_at) ?? "", source: "reconciliation", reason: `edited on Shopify (${str(listed.name) ?? str(listed.id) ?? ""})` });
    case "woocommerce": {
      const status = str(listed.status) ?? "";
      if (status === "cancelled") return cancelFromChannel(deps, normalizeWooOrder(listed, channel.channelId), channelCancelReason("woocommerce"));
      if ((WOO_CAPTURE_STATUSES as readonly string[]).includes(status)) return receiveChannelOrder(deps, normalizeWooOrder(listed, channel.channelId));
      return { outcome: "waiting-for-payment", status };
    }
    case "amazon":
      return applyAmazonOrder(deps, channel, obj(listed.order) ?? {}, objects(listed.items));
    default:
      return { outcome: "not-applicable" };
  }
}
