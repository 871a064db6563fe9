import { z } from "zod";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoInventory } from "../../adapters/dynamodb/inventory-repository.js";
import { DynamoPaymentStore } from "../../adapters/dynamodb/payment-store.js";
import { LocalPaymentProvider } from "../../adapters/payments/local-provider.js";
import { undoOrder } from "../../app/undo-order.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const deps = { inventory: new DynamoInventory(db, table, systemClock, ulidIds), payments: new DynamoPaymentStore(db, table), provider: new LocalPaymentProvider(db, table, systemClock, ulidIds) };

/** Compensation "Release stock and payment": active reservations go back, an authorization is voided; again, nothing happens. */
export const handler = taskHandler(async (event: unknown) => undoOrder(deps, z.object({ orderId: z.string().min(1) }).parse(event).orderId));
