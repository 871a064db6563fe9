import type { SQSRecord } from "aws-lambda";
import { parseOrderChange } from "../../adapters/channels/amazon.js";
import { parseLossless } from "../../adapters/channels/payload.js";
import { applyAmazonOrder, type AppliedOutcome } from "../channel-order-apply.js";
import { UnknownChannelError } from "../../domain/errors.js";
import { sqsRecordHandler } from "../../shared/sqs.js";
import { logger } from "../../shared/powertools.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const deps = root.channelOrderDeps();
const channels = root.channels();
const amazon = root.amazonOrders();

type Outcome = AppliedOutcome | { outcome: "duplicate" };

/**
 * One SP-API `ORDER_CHANGE` notification: the seller id picks the channel, the NotificationId
 * dedupes redeliveries (SQS delivers at least once), and the order is read from SP-API, since the
 * notification carries only its id. Any failure (SP-API throttled or down, an unknown seller) fails
 * this record alone: SQS shows it again after the visibility timeout and, after five receives,
 * moves it to the dead-letter queue, where an operator sees it. Nothing is lost, nothing doubled.
 */
async function onNotification(record: SQSRecord): Promise<Outcome> {
  const change = parseOrderChange(parseLossless(record.body));
  const channel = await channels.byIdentity("amazon", change.sellerId);
  if (!channel?.active) throw new UnknownChannelError(`No active Amazon channel for seller ${change.sellerId}`);
  if (await channels.seenDelivery(channel.channelId, change.notificationId)) return { outcome: "duplicate" };
  const { order, items } = await amazon.fetchOrder(channel, change.amazonOrderId);
  // Pending waits: Amazon has not charged the buyer yet; a later notification says when it has.
  const result = await applyAmazonOrder(deps, channel, order, items, change.buyerCancelled, change.reason);
  await channels.recordDelivery(channel.channelId, change.notificationId, { topic: `ORDER_CHANGE/${change.changeType}`, at: systemClock.now(), ...("orderId" in result ? { orderId: result.orderId } : {}) });
  logger.info("Amazon notification handled", { channelId: channel.channelId, notificationId: change.notificationId, amazonOrderId: change.amazonOrderId, ...result });
  return result;
}

/** Target of the Amazon notifications queue: each record on its own, failures reported per item. */
export const handler = sqsRecordHandler("Amazon notification", onNotification);
