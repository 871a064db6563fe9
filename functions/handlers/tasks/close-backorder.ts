import * as z from "zod/mini";
import "../../domain/schema.js";
import { closeBackorder } from "../../app/close-backorder.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const allocateDeps = root.allocateDeps();
const changeDeps = root.changeDeps();
const payments = root.payments();
const shipDeps = root.shipDeps();

const inputSchema = z.object({ orderId: z.string().check(z.minLength(1)), reason: z.string().check(z.minLength(1), z.maxLength(2000)) });

/** Workflow step "Cancel the backorder": the stock did not come in time; cancel, or close short what partly shipped. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, reason } = inputSchema.parse(event);
  return closeBackorder({ ...shipDeps, payments, backorders: allocateDeps.backorders, change: changeDeps }, orderId, reason);
});
