import * as z from "zod/mini";
import "../../domain/schema.js";
import { flagLateDelivery } from "../../app/delivery.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

/** Workflow step "Flag late delivery": the promised time passed; the stream announces DeliveryLate. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId, alertsBefore } = z.object({ orderId: z.string().check(z.minLength(1)), shipmentId: z.string().check(z.minLength(1)), alertsBefore: z._default(z.int().check(z.gte(0)), 0) }).parse(event);
  return flagLateDelivery(shipDeps, orderId, shipmentId, alertsBefore);
});
