import type { SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { syncCancelled, syncRefund, syncShipped } from "../../app/channel-sync.js";
import { FULFILLMENT_EVENTS, ORDER_EVENTS, RETURN_EVENTS } from "../../domain/events.js";
import { sqsRecordHandler } from "../../shared/sqs.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const deps = root.channelSyncDeps();

const shippedSchema = z.object({
  "detail-type": z.literal(FULFILLMENT_EVENTS.shipped),
  detail: z.object({
    metadata: z.object({ eventId: z.string() }),
    data: z.object({
      shipmentId: z.string().check(z.minLength(1)),
      orderId: z.string().check(z.minLength(1)),
      carrier: z.optional(z.string()),
      service: z.optional(z.string()),
      trackingNumber: z.optional(z.string()),
      lines: z.array(z.object({ lineId: z.string(), sku: z.string(), quantity: z.int() })),
    }),
  }),
});

const cancelledSchema = z.object({
  "detail-type": z.literal(ORDER_EVENTS.cancelled),
  detail: z.object({ metadata: z.object({ eventId: z.string() }), data: z.object({ orderId: z.string().check(z.minLength(1)), reason: z.optional(z.string()) }) }),
});

const refundSchema = z.object({
  "detail-type": z.literal(RETURN_EVENTS.refundIssued),
  detail: z.object({
    metadata: z.object({ eventId: z.string() }),
    data: z.object({ orderId: z.string().check(z.minLength(1)), returnId: z.string().check(z.minLength(1)), amount: z.object({ amount: z.int(), currency: z.string() }), executedBy: z.optional(z.string()) }),
  }),
});

const eventSchema = z.union([shippedSchema, cancelledSchema, refundSchema]);

/** One bus event (the message body): a shipment that left, an order we cancelled or a refund the channel owes goes to its order's marketplace. */
async function onEvent(record: SQSRecord) {
  const event = eventSchema.parse(JSON.parse(record.body));
  logger.appendKeys({ orderId: event.detail.data.orderId, eventId: event.detail.metadata.eventId, detailType: event["detail-type"] });
  const result =
    event["detail-type"] === ORDER_EVENTS.cancelled ? await syncCancelled(deps, event.detail.data) : event["detail-type"] === RETURN_EVENTS.refundIssued ? await syncRefund(deps, event.detail.data) : await syncShipped(deps, event.detail.data);
  logger.info("Channel told", result);
  return result;
}

/** Target of the channel sync queue (fed by the bus): each record alone, failures reported per item. */
export const handler = sqsRecordHandler("Channel sync", onEvent);
