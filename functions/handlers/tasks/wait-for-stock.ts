import { z } from "zod";
import { waitForStock } from "../../app/awaiting-stock.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const awaitingDeps = root.awaitingDeps();

const lineSchema = z.object({ lineId: z.string().min(1), sku: z.string().min(1), quantity: z.number().int().positive() });
const inputSchema = z.object({ orderId: z.string().min(1), token: z.string().min(1), shipment: z.object({ shipmentId: z.string().min(1), lines: z.array(lineSchema).min(1) }) });

/** Workflow step "Wait for stock" (waitForTaskToken): the rest of a short order waits beside its other shipments. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token, shipment } = inputSchema.parse(event);
  return waitForStock(awaitingDeps, orderId, shipment, token);
});
