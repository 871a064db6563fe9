import { channelCancelReason } from "../../domain/channel.js";
import { parseWooBody, verifyWooSignature, wooDeliveryKey, wooPing, WOOCOMMERCE_HEADERS } from "../../adapters/channels/woocommerce.js";
import { str } from "../../adapters/channels/payload.js";
import { cancelKnownOrder } from "../../app/channel-orders.js";
import { PayloadTooLargeError, UnknownChannelError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { bodyBytes, json, rawBody, requireJsonContent } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import { applyListedOrder, type AppliedOutcome } from "../channel-order-apply.js";
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
  // By its status, as reconciliation takes a listed order; not paid yet (pending, failed, a checkout draft) waits for an update that says it is.
  const result: AppliedOutcome | { outcome: "unknown-order" } =
    topic === "order.deleted" ? ((await cancelKnownOrder(deps, channelId, str(body.id) ?? "", channelCancelReason("woocommerce", undefined, "deleted"))) ?? { outcome: "unknown-order" }) : await applyListedOrder(deps, channel, body);
  await channels.recordDelivery(channelId, deliveryKey, { topic, at: systemClock.now(), ...("orderId" in result ? { orderId: result.orderId } : {}) });
  return json(result.outcome === "created" ? 202 : 200, { channelId, topic, ...result });
});
