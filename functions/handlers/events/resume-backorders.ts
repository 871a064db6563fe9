import type { EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { resumeBackorders } from "../../app/backorders.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import { restock } from "../../app/awaiting-stock.js";
import * as root from "../composition-root.js";

const allocateDeps = root.allocateDeps();
const awaitingDeps = root.awaitingDeps();

const detailSchema = z.object({ data: z.object({ sku: z.string().check(z.minLength(1)) }) });

/** Target of the back-in-stock rule (BackInStock, InventoryAdjusted): orders waiting for the SKU are planned again. */
export const handler = taskHandler(async (event: EventBridgeEvent<string, unknown>) => {
  const { sku } = detailSchema.parse(event.detail).data;
  const result = await resumeBackorders(allocateDeps, sku, { budgetMs: 200, restock: (orderId, shipmentId, token) => restock(awaitingDeps, orderId, shipmentId, token) });
  logger.info("Backorders resumed", { sku, detailType: event["detail-type"], ...result });
  return result;
});
