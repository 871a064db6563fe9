import { z } from "zod";
import { flagLateDelivery } from "../../app/fulfilment.js";
import { taskHandler } from "../../shared/middy.js";
import { shipDeps } from "../fulfilment-deps.js";

/** Workflow step "Flag late delivery": the promised time passed; the stream announces DeliveryLate. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId } = z.object({ orderId: z.string().min(1), shipmentId: z.string().min(1) }).parse(event);
  return flagLateDelivery(shipDeps, orderId, shipmentId);
});
