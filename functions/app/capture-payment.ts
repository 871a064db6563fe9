import type { Order } from "../domain/order.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { CaptureRecord } from "../domain/payment.js";
import { type Shipment, captureAmountFor } from "../domain/shipment.js";
import type { ShipDeps } from "./shipments.js";

/**
 * Captures a shipment's part of the authorization. The amount is decided first, under the
 * payment record's version (so two shipments shipping at once cannot both take the remainder),
 * then captured with the key `<shipmentId>.capture`, then recorded as done.
 */
export async function capturePayment(deps: Pick<ShipDeps, "payments" | "provider">, order: Order, s: Pick<Shipment, "shipmentId" | "lines">): Promise<CaptureRecord | undefined> {
  // A replacement order's difference was captured before its release; its credit is the returned goods.
  if (order.exchangeOf) return undefined;
  return withOptimisticRetry(`Payment of ${order.orderId}`, async () => {
    const current = await deps.payments.getVersioned(order.orderId);
    const authorizationId = current?.record.authorizationId;
    if (!current || !authorizationId || current.record.status === "VOIDED" || current.record.status === "DECLINED") return undefined;
    const { record, version } = current;
    const planned = record.captures?.[s.shipmentId];
    if (planned?.captureId) return planned;
    if (!planned) {
      const others = Object.values(record.captures ?? {});
      const before = { amount: others.reduce((n, c) => n + c.amount.amount, 0), units: others.reduce((n, c) => n + c.units, 0) };
      const amount = captureAmountFor(order, s, before);
      // Decided (or lost to another writer): either way, read again and capture what is decided.
      await deps.payments.writeCaptures(order.orderId, { captures: { ...record.captures, [s.shipmentId]: { amount, units: s.lines.reduce((n, l) => n + l.quantity, 0) } } }, version);
      return AGAIN;
    }
    const done = await deps.provider.capture({ orderId: order.orderId, authorizationId, amount: planned.amount, idempotencyKey: `${s.shipmentId}.capture` });
    const captures = { ...(record.captures ?? {}), [s.shipmentId]: { ...planned, captureId: done.captureId, at: done.at } };
    const total = Object.values(captures).reduce((n, c) => n + (c.captureId ? c.amount.amount : 0), 0);
    const status = total >= record.amount.amount ? "CAPTURED" : "PARTIALLY_CAPTURED";
    return (await deps.payments.writeCaptures(order.orderId, { captures, captured: { amount: total, currency: record.amount.currency }, status }, version)) ? captures[s.shipmentId] : AGAIN;
  });
}
