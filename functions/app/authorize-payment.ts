import { NotFoundError } from "../domain/errors.js";
import type { PaymentRecord } from "../domain/payment.js";
import { OrderCancelledError, PaymentDeclinedError } from "../domain/workflow-errors.js";
import type { OrderRepository, PaymentProvider } from "./ports.js";
import type { PaymentStore } from "./ports.js";

/** Where an order's payment record is kept. */

/**
 * Authorizes the order's grand total with the payment provider under the idempotency key
 * `<orderId>.authorize`: however often the step runs (a timeout, a retry, a crash), the customer
 * is authorized once. A decline is recorded and thrown as PaymentDeclinedError, which the
 * workflow compensates (release the reservations, cancel the order) and never retries.
 */
export async function authorizePayment(deps: { orders: OrderRepository; payments: PaymentStore; provider: PaymentProvider }, orderId: string): Promise<PaymentRecord> {
  const known = await deps.payments.get(orderId);
  const record = known ?? (await authorizeOnce(deps, orderId));
  if (record.status === "DECLINED") throw new PaymentDeclinedError(record.declineCode ?? "declined");
  // Cancelled while we authorized: the authorization must not outlive the order.
  if ((await deps.orders.get(orderId))?.status === "CANCELLED") {
    if (record.status === "AUTHORIZED" && record.authorizationId) {
      const voided = await deps.provider.void({ orderId, authorizationId: record.authorizationId, idempotencyKey: `${orderId}.void` });
      await deps.payments.markVoided(orderId, voided.at);
    }
    throw new OrderCancelledError(`Order ${orderId} was cancelled`);
  }
  return record;
}

async function authorizeOnce(deps: { orders: OrderRepository; payments: PaymentStore; provider: PaymentProvider }, orderId: string): Promise<PaymentRecord> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  const method = order.payment ?? { method: "marketplace" as const };
  const amount = order.totals.grandTotal;
  const result = await deps.provider.authorize({ orderId, amount, method, idempotencyKey: `${orderId}.authorize` });
  return deps.payments.save(
    result.status === "AUTHORIZED"
      ? { orderId, status: "AUTHORIZED", method: method.method, amount, authorizationId: result.authorizationId, at: result.at }
      : { orderId, status: "DECLINED", method: method.method, amount, declineCode: result.declineCode, at: result.at },
  );
}
