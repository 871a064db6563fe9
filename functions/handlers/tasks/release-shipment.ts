import * as z from "zod/mini";
import "../../domain/schema.js";
import { releaseShipment } from "../../app/release-shipment.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

const lineSchema = z.object({ lineId: z.string().check(z.minLength(1)), sku: z.string().check(z.minLength(1)), quantity: z.int().check(z.positive()) });
const inputSchema = z.object({
  orderId: z.string().check(z.minLength(1)),
  token: z.string().check(z.minLength(1)),
  // An awaiting rest has no location until stock comes in.
  shipment: z.object({ shipmentId: z.string().check(z.minLength(1)), locationId: z.string(), round: z._default(z.int().check(z.positive()), 1), lines: z.array(lineSchema).check(z.minLength(1)), awaitingStock: z.optional(z.boolean()) }),
});

/** Workflow step "Release to location" (waitForTaskToken): the location's fulfillment request; its callbacks answer the step. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, token, shipment } = inputSchema.parse(event);
  return releaseShipment(shipDeps, orderId, shipment, token);
});
