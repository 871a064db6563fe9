import type { EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { applyChange } from "../../app/change-order.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const changeDeps = root.changeDeps();

const detailSchema = z.object({ data: z.object({ orderId: z.string().check(z.minLength(1)), revision: z.int().check(z.gte(2)) }) });

/** Target of the order-changed rule: makes sure a committed change's effects are carried out (stock, payment, waiting steps). */
export const handler = taskHandler(async (event: EventBridgeEvent<string, unknown>) => {
  const { orderId, revision } = detailSchema.parse(event.detail).data;
  const result = await applyChange(changeDeps, orderId, revision);
  logger.info("Order change applied", { orderId, revision, found: result !== undefined, status: result?.status, payment: result?.payment });
  return { orderId, revision, applied: result !== undefined };
});
