import { z } from "zod";
import { awaitDelivery } from "../../app/fulfilment.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

/** Workflow step "Await delivery" (waitForTaskToken): the carrier's delivery scan answers it. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId, token } = z.object({ orderId: z.string().min(1), shipmentId: z.string().min(1), token: z.string().min(1) }).parse(event);
  return awaitDelivery(shipDeps, orderId, shipmentId, token);
});
