import { z } from "zod";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { DynamoPaymentStore } from "../../adapters/dynamodb/payment-store.js";
import { LocalPaymentProvider } from "../../adapters/payments/local-provider.js";
import { authorizePayment } from "../../app/authorize-payment.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
// The local provider until a real one's adapter is configured: it keeps its answers in the table.
const deps = { orders: new DynamoOrderRepository(db, table), payments: new DynamoPaymentStore(db, table), provider: new LocalPaymentProvider(db, table, systemClock, ulidIds) };

/** Workflow step "Authorize payment": PaymentDeclinedError is caught by the workflow, PaymentProviderTimeoutError retried. */
export const handler = taskHandler(async (event: unknown) => {
  const record = await authorizePayment(deps, z.object({ orderId: z.string().min(1) }).parse(event).orderId);
  return { status: record.status, authorizationId: record.authorizationId, amount: record.amount, at: record.at };
});
