import type { EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { recordOrderNotifications } from "../../app/record-notifications.js";
import { moneySchema } from "../../domain/order-schema.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const deps = { outbox: root.outbox(), clock: systemClock };

const detailSchema = z.object({
  metadata: z.object({ eventId: z.string().check(z.minLength(1)), version: z.number(), occurredAt: z.string(), correlationId: z.string() }),
  data: z.object({
    orderId: z.string().check(z.minLength(1)),
    externalOrderId: z.string(),
    customer: z.object({ email: z.string(), name: z.string(), phone: z.optional(z.string()) }),
    grandTotal: z.optional(moneySchema),
    itemCount: z.int(),
    problems: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    reason: z.optional(z.string()),
    carrier: z.optional(z.string()),
    trackingNumber: z.optional(z.string()),
    promisedBy: z.optional(z.string()),
    locationId: z.optional(z.string()),
    pickupBy: z.optional(z.string()),
    kind: z.optional(z.enum(["cancel-lines", "close-short", "edit"])),
    returnId: z.optional(z.string()),
    mode: z.optional(z.string()),
    label: z.optional(z.string()),
    amount: z.optional(moneySchema),
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
