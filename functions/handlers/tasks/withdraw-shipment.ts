import { z } from "zod";
import { withdrawShipment } from "../../app/fulfilment.js";
import { taskHandler } from "../../shared/middy.js";
import { shipDeps } from "../fulfilment-deps.js";

const inputSchema = z.object({ orderId: z.string().min(1), shipmentId: z.string().min(1), error: z.object({ Error: z.string().default("States.TaskFailed"), Cause: z.string().default("") }) });

/** Workflow step "Withdraw the shipment": a rejection or a missed SLA; the stock goes back and the lines are routed again. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId, error } = inputSchema.parse(event);
  return withdrawShipment(shipDeps, orderId, shipmentId, { error: error.Error, cause: error.Cause });
});
