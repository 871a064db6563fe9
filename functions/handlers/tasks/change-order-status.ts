import * as z from "zod/mini";
import "../../domain/schema.js";
import { changeOrderStatus } from "../../app/change-order-status.js";
import { ORDER_STATUSES } from "../../domain/order.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const deps = { orders: root.orders(), clock: systemClock };

const inputSchema = z.object({
  orderId: z.string().check(z.minLength(1)),
  status: z.enum(ORDER_STATUSES),
  reason: z.optional(z.string().check(z.maxLength(2000))),
});

/** Workflow steps "Mark order confirmed/rejected/failed": the lifecycle's edges are enforced in the domain. */
export const handler = taskHandler(async (event: unknown) => changeOrderStatus(deps, inputSchema.parse(event)));
