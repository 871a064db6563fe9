import { z } from "zod";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoPaymentStore } from "../../adapters/dynamodb/payment-store.js";
import { closeBackorder } from "../../app/close-backorder.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { allocateDeps, shipDeps } from "../fulfilment-deps.js";

const payments = new DynamoPaymentStore(documentClient(), requireEnv("TABLE_NAME"));
const inputSchema = z.object({ orderId: z.string().min(1), reason: z.string().min(1).max(2000) });

/** Workflow step "Cancel the backorder": the stock did not come in time; cancel, or close short what partly shipped. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId, reason } = inputSchema.parse(event);
  return closeBackorder({ ...shipDeps, payments, backorders: allocateDeps.backorders }, orderId, reason);
});
