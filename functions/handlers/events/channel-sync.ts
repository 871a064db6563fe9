import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { syncShipped } from "../../app/channel-sync.js";
import { FULFILLMENT_EVENTS } from "../../domain/events.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const deps = root.channelSyncDeps();
const processor = new BatchProcessor(EventType.SQS);

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

/** One bus event (the message body): a shipment that left goes to its order's marketplace. */
async function onEvent(record: SQSRecord) {
  const event = shippedSchema.parse(JSON.parse(record.body));
  const { data, metadata } = event.detail;
  logger.appendKeys({ orderId: data.orderId, eventId: metadata.eventId });
  try {
    const result = await syncShipped(deps, data);
    logger.info("Channel told", { shipmentId: data.shipmentId, ...result });
    return result;
  } catch (error) {
    logger.error("Channel sync failed; the queue retries it after the visibility timeout", { shipmentId: data.shipmentId, receiveCount: record.attributes.ApproximateReceiveCount, error: error as Error });
    throw error;
  }
}

/** Target of the channel sync queue (fed by the bus): each record alone, failures reported per item. */
export const handler = taskHandler(async (event: SQSEvent, context) => processPartialResponse(event, onEvent, processor, { context }));
