import * as z from "zod/mini";
import "../../domain/schema.js";
import { authorizePayment } from "../../app/authorize-payment.js";
import { taskHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

// The provider is the one the stage names (PAYMENT_PROVIDER).
const deps = { orders: root.orders(), payments: root.payments(), provider: root.paymentProvider() };

/** Workflow step "Authorize payment": PaymentDeclinedError is caught by the workflow, PaymentProviderTimeoutError retried. */
export const handler = taskHandler(async (event: unknown) => {
  const record = await authorizePayment(deps, z.object({ orderId: z.string().check(z.minLength(1)) }).parse(event).orderId);
  return { status: record.status, authorizationId: record.authorizationId ?? null, amount: record.amount, at: record.at };
});
