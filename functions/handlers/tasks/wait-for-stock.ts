import * as z from "zod/mini";
import "../../domain/schema.js";
import { waitForStock } from "../../app/awaiting-stock.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const awaitingDeps = root.awaitingDeps();

const lineSchema = z.object({ lineId: z.string().check(z.minLength(1)), sku: z.string().check(z.minLength(1)), quantity: z.int().check(z.positive()) });
const inputSchema = z.object({ orderId: z.string().check(z.minLength(1)), token: z.string().check(z.minLength(1)), shipment: z.object({ shipmentId: z.string().check(z.minLength(1)), lines: z.array(lineSchema).check(z.minLength(1)) }) });

/** Workflow step "Wait for stock" (waitForTaskToken): the rest of a short order waits beside its other shipments. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token, shipment } = inputSchema.parse(event);
  return waitForStock(awaitingDeps, orderId, shipment, token);
});
