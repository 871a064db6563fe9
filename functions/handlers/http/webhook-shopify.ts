import { cancelReasonOf, normalizeShopifyOrder, parseShopifyBody, SHOPIFY_HEADERS, shopifyRefundOf, verifyShopifyHmac } from "../../adapters/channels/shopify.js";
import { str } from "../../adapters/channels/payload.js";
import { cancelFromChannel, pickupFromChannel, receiveChannelOrder, recordChannelRefund, updateFromChannel, type ChannelOrderResult } from "../../app/channel-orders.js";
import { PayloadTooLargeError, UnknownChannelError, ValidationError } from "../../domain/errors.js";
import { bodyBytes, json, rawBody, requireJsonContent } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";
import { MAX_WEBHOOK_BYTES } from "./webhook-generic.js";

const deps = root.channelOrderDeps();
const channels = root.channels();
const payments = root.payments();
const secrets = root.channelSecrets();
const admin = root.shopifyAdmin();

/** The order topics this endpoint acts on; any other topic is acknowledged (200) so Shopify does not retry it. */
const ORDER_TOPICS = ["orders/create", "orders/cancelled", "orders/updated"] as const;

/**
 * POST /webhooks/shopify: the shop's domain picks the channel, whose secret verifies the HMAC of
 * the raw body; a delivery handled before (same X-Shopify-Webhook-Id) is answered at once. It
 * answers 200 for every delivery it took, well inside Shopify's 5 s: capture and cancellation are
 * a few writes, the workflow does the rest.
 */
export const handler = httpHandler(async (event) => {
  if (bodyBytes(event) > MAX_WEBHOOK_BYTES) throw new PayloadTooLargeError(`Body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
  requireJsonContent(event);
  const h = event.headers;
  const shop = h[SHOPIFY_HEADERS.shop]?.trim().toLowerCase();
  if (!shop) throw new ValidationError("Missing shop", [{ path: `headers.${SHOPIFY_HEADERS.shop}`, message: "is required: the shop's myshopify.com domain" }]);
  const channel = await channels.byIdentity("shopify", shop);
  if (!channel?.active) throw new UnknownChannelError(`No active Shopify channel is registered for ${shop}`);
  const secret = await secrets.secretFor(channel.channelId);
  if (!secret) throw new Error(`No webhook secret configured for channel ${channel.channelId}`);
  const raw = rawBody(event);
  verifyShopifyHmac(h[SHOPIFY_HEADERS.hmac], raw, secret);

  const topic = h[SHOPIFY_HEADERS.topic]?.trim() ?? "";
  const deliveryId = h[SHOPIFY_HEADERS.webhookId]?.trim();
  if (deliveryId && (await channels.seenDelivery(channel.channelId, deliveryId))) return json(200, { channelId: channel.channelId, topic, duplicate: true });
  // orders/edited carries only the edit's deltas; the orders/updated Shopify sends with it carries the whole order, which is applied (applying both would count the edit twice).
  if (topic === "orders/edited") return json(200, { channelId: channel.channelId, topic, handled: false, reason: "applied from orders/updated, which carries the whole order" });
  if (topic === "refunds/create") {
    const refund = shopifyRefundOf(parseShopifyBody(raw));
    const recorded = refund ? await recordChannelRefund({ place: deps.place, payments }, channel.channelId, refund) : { outcome: "no-money-moved" };
    if (deliveryId) await channels.recordDelivery(channel.channelId, deliveryId, { topic, at: systemClock.now(), ...("orderId" in recorded && recorded.orderId ? { orderId: recorded.orderId } : {}) });
    return json(200, { channelId: channel.channelId, topic, ...recorded });
  }

  if (!(ORDER_TOPICS as readonly string[]).includes(topic)) return json(200, { channelId: channel.channelId, topic, handled: false });
  const body = parseShopifyBody(raw);
  let result: ChannelOrderResult;
  // An order without a shipping address may be a local pickup: its fulfillment orders say so.
  if (topic === "orders/create") result = await receiveChannelOrder(deps, await pickupFromChannel(admin, channel, normalizeShopifyOrder(body, channel.channelId)));
  else if (topic === "orders/cancelled" || str(body.cancelled_at)) result = await cancelFromChannel(deps, normalizeShopifyOrder(body, channel.channelId), cancelReasonOf(body));
  // orders/updated carries the whole order as it now stands (after an edit, say): ours follows it where it still may.
  else result = await updateFromChannel(deps, normalizeShopifyOrder(body, channel.channelId, "current"), { version: str(body.updated_at) ?? deliveryId ?? "", source: topic, reason: `edited on Shopify (${str(body.name) ?? str(body.id) ?? ""})` });
  if (deliveryId) await channels.recordDelivery(channel.channelId, deliveryId, { topic, at: systemClock.now(), orderId: result.orderId });
  return json(result.outcome === "created" ? 202 : 200, { channelId: channel.channelId, topic, ...result });
});
