import * as z from "zod/mini";
import "../../domain/schema.js";
import { shipShipment } from "../../app/ship-shipment.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

/** Workflow step "Ship": books the carrier (label), consumes the stock, captures the shipment's payment. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId } = z.object({ orderId: z.string().check(z.minLength(1)), shipmentId: z.string().check(z.minLength(1)) }).parse(event);
  const shipped = await shipShipment(shipDeps, orderId, shipmentId);
  logger.info("Shipment shipped", { orderId, ...shipped });
  return shipped;
});
