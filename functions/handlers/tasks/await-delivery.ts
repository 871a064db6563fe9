import * as z from "zod/mini";
import "../../domain/schema.js";
import { awaitDelivery } from "../../app/delivery.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

/** Workflow step "Await delivery" (waitForTaskToken): the carrier's delivery scan answers it. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId, token } = z.object({ orderId: z.string().check(z.minLength(1)), shipmentId: z.string().check(z.minLength(1)), token: z.string().check(z.minLength(1)) }).parse(event);
  return awaitDelivery(shipDeps, orderId, shipmentId, token);
});
