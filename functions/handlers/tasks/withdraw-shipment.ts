import * as z from "zod/mini";
import "../../domain/schema.js";
import { withdrawShipment } from "../../app/release-shipment.js";
import { rerouteShipment } from "../../app/reserve-and-route.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const allocateDeps = root.allocateDeps();
const shipDeps = root.shipDeps();

const inputSchema = z.object({ orderId: z.string().check(z.minLength(1)), shipmentId: z.string().check(z.minLength(1)), error: z.object({ Error: z._default(z.string(), "States.TaskFailed"), Cause: z._default(z.string(), "") }) });

/**
 * Workflow step "Withdraw the shipment": a rejection or a missed SLA. The stock goes back and the
 * lines are routed again at once: REROUTED with the one shipment that takes them all (the branch
 * releases it next), or REJECTED (they wait for the order's next full round).
 */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId, error } = inputSchema.parse(event);
  const withdrawn = await withdrawShipment(shipDeps, orderId, shipmentId, { error: error.Error, cause: error.Cause });
  const next = await rerouteShipment(allocateDeps, orderId, withdrawn);
  return next ? { ...withdrawn, outcome: "REROUTED" as const, shipment: next } : { ...withdrawn, shipment: null };
});
