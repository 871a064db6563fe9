import type { EventBridgeEvent } from "aws-lambda";
import { z } from "zod";
import { recordOrderNotifications } from "../../app/record-notifications.js";
import { moneySchema } from "../../domain/order-schema.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const deps = { outbox: root.outbox(), clock: systemClock };

const detailSchema = z.object({
  metadata: z.object({ eventId: z.string().min(1), version: z.number(), occurredAt: z.string(), correlationId: z.string() }),
  data: z.object({
    orderId: z.string().min(1),
    externalOrderId: z.string(),
    customer: z.object({ email: z.string(), name: z.string(), phone: z.string().optional() }),
    grandTotal: moneySchema.optional(),
    itemCount: z.number().int(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    reason: z.string().optional(),
    carrier: z.string().optional(),
    trackingNumber: z.string().optional(),
    promisedBy: z.string().optional(),
    locationId: z.string().optional(),
    pickupBy: z.string().optional(),
    kind: z.enum(["cancel-lines", "close-short", "edit"]).optional(),
  }),
});

/** Target of the customer-notifications rule: renders and records each notification once per event. */
export const handler = taskHandler(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = detailSchema.parse(event.detail);
  logger.appendKeys({ orderId: detail.data.orderId, eventId: detail.metadata.eventId });
  const result = await recordOrderNotifications(deps, event["detail-type"], detail);
  logger.info("Notifications recorded", { detailType: event["detail-type"], ...result });
  return result;
});
