import type { SQSEvent } from "aws-lambda";
import * as z from "zod/mini";
import "../../domain/schema.js";
import { syncStock } from "../../app/channel-stock.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const deps = root.channelStockDeps();
const eventSchema = z.object({ detail: z.object({ data: z.object({ sku: z.string().check(z.minLength(1)) }) }) });

/**
 * Target of the channel stock queue: a batch of AvailabilityChanged events (the queue's batching
 * window coalesces a burst into one batch) becomes one stock call per listed SKU and channel, with
 * the level as it stands now. The batch succeeds or fails whole: a retry reads the levels again.
 */
export const handler = taskHandler(async (event: SQSEvent) => {
  const skus = event.Records.map((r) => eventSchema.parse(JSON.parse(r.body)).detail.data.sku);
  const result = await syncStock(deps, skus);
  logger.info("Channel stock levels set", { changes: skus.length, skus: new Set(skus).size, ...result });
  return result;
});
