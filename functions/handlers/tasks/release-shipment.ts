import { z } from "zod";
import { releaseShipment } from "../../app/fulfilment.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

const lineSchema = z.object({ lineId: z.string().min(1), sku: z.string().min(1), quantity: z.number().int().positive() });
const inputSchema = z.object({
  orderId: z.string().min(1),
  token: z.string().min(1),
  // An awaiting rest has no location until stock comes in.
  shipment: z.object({ shipmentId: z.string().min(1), locationId: z.string(), round: z.number().int().positive().default(1), lines: z.array(lineSchema).min(1), awaitingStock: z.boolean().optional() }),
});

/** Workflow step "Release to location" (waitForTaskToken): the location's fulfilment request; its callbacks answer the step. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token, shipment } = inputSchema.parse(event);
  return releaseShipment(shipDeps, orderId, shipment, token);
});
