import { NotFoundError } from "../domain/errors.js";
import type { PaymentRecord } from "../domain/payment.js";
import { OrderCancelledError, PaymentDeclinedError } from "../domain/workflow-errors.js";
import type { OrderRepository, PaymentProvider } from "./ports.js";
import type { CaptureStore, PaymentStore } from "./ports.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";

type AuthorizeDeps = { orders: OrderRepository; payments: PaymentStore & CaptureStore; provider: PaymentProvider };

/**
 * Authorizes the order's grand total with the payment provider under the idempotency key
 * `<orderId>.authorize`: however often the step runs (a timeout, a retry, a crash), the customer
 * is authorized once. A decline is recorded and thrown as PaymentDeclinedError, which the
 * workflow compensates (release the reservations, cancel the order) and never retries.
 */
export async function authorizePayment(deps: AuthorizeDeps, orderId: string): Promise<PaymentRecord> {
  const known = await deps.payments.get(orderId);
  let record = known ?? (await authorizeOnce(deps, orderId));
  if (record.status === "DECLINED") throw new PaymentDeclinedError(record.declineCode ?? "declined");
  // Cancelled while we authorized: the authorization must not outlive the order.
  const order = await deps.orders.get(orderId);
  if (order?.status === "CANCELLED") {
    if (record.status === "AUTHORIZED" && record.authorizationId) {
      const voided = await deps.provider.void({ orderId, authorizationId: record.authorizationId, idempotencyKey: `${orderId}.void` });
      await deps.payments.markVoided(orderId, voided.at);
    }
    throw new OrderCancelledError(`Order ${orderId} was cancelled`);
  }
  // A replacement order: the difference is captured now, before anything is released (a retry captures it once).
  if (record.status === "AUTHORIZED" && order?.exchangeOf) record = await captureDifference(deps, record);
  return record;
}

/** The capture key of an exchange's price difference on the replacement's payment record. */
export const DIFFERENCE_CAPTURE = "difference";

/** Captures the whole authorization of a replacement order (the price difference), planned under the record's version, then done. */
async function captureDifference(deps: AuthorizeDeps, authorized: PaymentRecord): Promise<PaymentRecord> {
  const { orderId } = authorized;
  return withOptimisticRetry(`Payment of ${orderId}`, async () => {
    const current = await deps.payments.getVersioned(orderId);
    if (!current?.record.authorizationId) return authorized;
    const { record, version } = current;
    const planned = record.captures?.[DIFFERENCE_CAPTURE];
    if (planned?.captureId) return record;
    const amount = planned?.amount ?? record.amount;
    const done = await deps.provider.capture({ orderId, authorizationId: record.authorizationId!, amount, idempotencyKey: `${orderId}.difference.capture` });
    const captures = { ...record.captures, [DIFFERENCE_CAPTURE]: { amount, units: 0, captureId: done.captureId, at: done.at } };
    return (await deps.payments.writeCaptures(orderId, { captures, captured: amount, status: "CAPTURED" }, version)) ? { ...record, captures, captured: amount, status: "CAPTURED" as const } : AGAIN;
  });
}

async function authorizeOnce(deps: AuthorizeDeps, orderId: string): Promise<PaymentRecord> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  const method = order.payment ?? { method: "marketplace" as const };
  // A replacement order is paid by its returned goods (the credit) and, for the rest, the original payment method.
  const credit = order.exchangeOf?.credit.amount ?? 0;
  const amount = { amount: Math.max(0, order.totals.grandTotal.amount - credit), currency: order.totals.grandTotal.currency };
  if (order.exchangeOf && amount.amount === 0) return deps.payments.save({ orderId, status: "CAPTURED", method: method.method, amount, captured: amount, at: order.updatedAt });
  const result = await deps.provider.authorize({ orderId, amount, method, idempotencyKey: `${orderId}.authorize` });
  return deps.payments.save(
    result.status === "AUTHORIZED"
      ? { orderId, status: "AUTHORIZED", method: method.method, amount, authorizationId: result.authorizationId, at: result.at }
      : { orderId, status: "DECLINED", method: method.method, amount, declineCode: result.declineCode, at: result.at },
  );
}
