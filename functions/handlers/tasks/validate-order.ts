import { z } from "zod";
import { DynamoCatalog } from "../../adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { validateOrder } from "../../app/validate-order.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const deps = { orders: new DynamoOrderRepository(db, table), catalog: new DynamoCatalog(db, table), clock: systemClock };

const inputSchema = z.object({ orderId: z.string().min(1) });

/** Workflow step "Validate order". */
export const handler = taskHandler(async (event: unknown) => validateOrder(deps, inputSchema.parse(event).orderId));
