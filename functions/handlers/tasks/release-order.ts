import { z } from "zod";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoInventory } from "../../adapters/dynamodb/inventory-repository.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";

const inventory = new DynamoInventory(documentClient(), requireEnv("TABLE_NAME"), systemClock, ulidIds);

/** Compensation "Release reservations": every active reservation of the order goes back; again, nothing happens. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId } = z.object({ orderId: z.string().min(1) }).parse(event);
  return { released: await inventory.releaseOrder(orderId) };
});
