import { z } from "zod";
import { closeBackorder } from "../../app/close-backorder.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const allocateDeps = root.allocateDeps();
const changeDeps = root.changeDeps();
const payments = root.payments();
const shipDeps = root.shipDeps();

const inputSchema = z.object({ orderId: z.string().min(1), reason: z.string().min(1).max(2000) });

/** Workflow step "Cancel the backorder": the stock did not come in time; cancel, or close short what partly shipped. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, reason } = inputSchema.parse(event);
  return closeBackorder({ ...shipDeps, payments, backorders: allocateDeps.backorders, change: changeDeps }, orderId, reason);
});
