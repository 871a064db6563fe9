import type { EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { recordOrderDemand, recordReturnDemand } from "../../app/replenishment.js";
import { RETURN_EVENTS } from "../../domain/events.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const deps = root.recordDemandDeps();

const orderDetail = z.object({ data: z.object({ orderId: z.string().check(z.minLength(1)) }) });
const restockDetail = z.object({
  metadata: z.object({ occurredAt: z.string() }),
  data: z.object({ returnId: z.string().check(z.minLength(1)), locationId: z.string(), items: z.array(z.object({ sku: z.string(), quantity: z.number() })) }),
});

/** Demand history: an order's allocation (OrderAllocated, OrderBackordered) and a return's restock (ReturnRestocked), each counted once. */
export const handler = taskHandler(async (event: EventBridgeEvent<string, unknown>) => {
  if (event["detail-type"] === RETURN_EVENTS.restocked) {
    const { metadata, data } = restockDetail.parse(event.detail);
    const out = await recordReturnDemand(deps, data.returnId, { locationId: data.locationId, items: data.items, at: metadata.occurredAt });
    logger.info("Returned units counted", { returnId: data.returnId, ...out });
    return out;
  }
  const { orderId } = orderDetail.parse(event.detail).data;
  const out = await recordOrderDemand(deps, orderId);
  logger.info("Demand counted", { orderId, ...out });
  return out;
});
