import { normalizeWooOrder, parseWooBody, verifyWooSignature, WOO_CAPTURE_STATUSES, wooDeliveryKey, wooPing, WOOCOMMERCE_HEADERS } from "../../adapters/channels/woocommerce.js";
import { str } from "../../adapters/channels/payload.js";
import { cancelFromChannel, cancelKnownOrder, receiveChannelOrder, type ChannelOrderResult } from "../../app/channel-orders.js";
import { PayloadTooLargeError, UnknownChannelError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { bodyBytes, json, rawBody, requireJsonContent } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";
import { MAX_WEBHOOK_BYTES } from "./webhook-generic.js";

const deps = root.channelOrderDeps();
const channels = root.channels();
const secrets = root.channelSecrets();

const ORDER_TOPICS = ["order.created", "order.updated", "order.deleted", "order.restored"];

/**
 * POST /webhooks/woocommerce/{channelId}: the channel is in the path (a WooCommerce webhook has one
 * delivery URL), its secret verifies `X-WC-Webhook-Signature`. A ping is answered 200 without a
 * signature (WooCommerce sends none) and writes nothing. Deliveries are deduplicated on the order
 * id and its `date_modified_gmt`: WooCommerce never retries, but it may deliver one state twice.
 */
export const handler = httpHandler(async (event) => {
  if (bodyBytes(event) > MAX_WEBHOOK_BYTES) throw new PayloadTooLargeError(`Body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
  const channelId = pathId("channelId", event.pathParameters?.channelId);
  const channel = await channels.get(channelId);
  if (channel?.type !== "woocommerce" || !channel.active) throw new UnknownChannelError(`No active WooCommerce channel ${channelId}`);
  const raw = rawBody(event);
  const ping = wooPing(raw, event.headers["content-type"]);
  if (ping !== undefined) return json(200, { channelId, ping: true, webhookId: ping });

  requireJsonContent(event);
  const secret = await secrets.secretFor(channelId);
  if (!secret) throw new Error(`No webhook secret configured for channel ${channelId}`);
  verifyWooSignature(event.headers[WOOCOMMERCE_HEADERS.signature], raw, secret);
  const topic = event.headers[WOOCOMMERCE_HEADERS.topic]?.trim() ?? "";
  if (!ORDER_TOPICS.includes(topic)) return json(200, { channelId, topic, handled: false });

  const body = parseWooBody(raw);
  const deliveryKey = wooDeliveryKey(body, topic);
  if (await channels.seenDelivery(channelId, deliveryKey)) return json(200, { channelId, topic, duplicate: true });
  let result: ChannelOrderResult | { outcome: "waiting-for-payment" | "unknown-order"; status?: string };
  if (topic === "order.deleted") result = (await cancelKnownOrder(deps, channelId, str(body.id) ?? "", "deleted on WooCommerce")) ?? { outcome: "unknown-order" };
  else {
    const order = normalizeWooOrder(body, channelId);
    const status = str(body.status) ?? "";
    if (status === "cancelled") result = await cancelFromChannel(deps, order, "cancelled on WooCommerce");
    else if ((WOO_CAPTURE_STATUSES as readonly string[]).includes(status)) result = await receiveChannelOrder(deps, order);
    // Not paid yet (pending, failed, a checkout draft): the order is captured when an update says it is.
    else result = { outcome: "waiting-for-payment", status };
  }
  await channels.recordDelivery(channelId, deliveryKey, { topic, at: systemClock.now(), ...("orderId" in result ? { orderId: result.orderId } : {}) });
  return json(result.outcome === "created" ? 202 : 200, { channelId, topic, ...result });
});
