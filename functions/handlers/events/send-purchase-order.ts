import type { EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { sendPurchaseOrder } from "../../app/send-purchase-order.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const deps = root.sendPurchaseOrderDeps();
const detail = z.object({ metadata: z.object({ eventId: z.string().check(z.minLength(1)) }), data: z.object({ poId: z.string().check(z.minLength(1)) }) });

/** PurchaseOrderSent: the order and its PDF go to the supplier (webhook, signed; or email), once per event. */
export const handler = taskHandler(async (event: EventBridgeEvent<string, unknown>) => {
  const { metadata, data } = detail.parse(event.detail);
  const out = await sendPurchaseOrder(deps, data.poId, metadata.eventId);
  logger.info("Purchase order sent", { poId: data.poId, ...out });
  return out;
});
