import * as z from "zod/mini";
import "../../domain/schema.js";
import { closeRemainder } from "../../app/awaiting-stock.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const awaitingDeps = root.awaitingDeps();
const changeDeps = root.changeDeps();

const inputSchema = z.object({ orderId: z.string().check(z.minLength(1)), shipmentId: z.string().check(z.minLength(1)), reason: z.string().check(z.minLength(1), z.maxLength(2000)) });

/** Workflow step "Close the rest short": the stock a waiting rest needed did not come in time. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, shipmentId, reason } = inputSchema.parse(event);
  return closeRemainder({ ...awaitingDeps, change: changeDeps }, orderId, shipmentId, reason);
});
