import { z } from "zod";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { changeOrderStatus } from "../../app/change-order-status.js";
import { ORDER_STATUSES } from "../../domain/order.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";

const deps = { orders: new DynamoOrderRepository(documentClient(), requireEnv("TABLE_NAME")), clock: systemClock };

const inputSchema = z.object({
  orderId: z.string().min(1),
  status: z.enum(ORDER_STATUSES),
  reason: z.string().max(2000).optional(),
});

/** Workflow steps "Mark order confirmed/rejected/failed": the lifecycle's edges are enforced in the domain. */
export const handler = taskHandler(async (event: unknown) => changeOrderStatus(deps, inputSchema.parse(event)));
