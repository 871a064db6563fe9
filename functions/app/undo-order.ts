import type { InventoryReservations, PaymentProvider, PaymentStore } from "./ports.js";

/** What undoing an order touches: its reservations and its payment. */
export interface UndoOrderDeps {
  payments: Pick<PaymentStore, "get" | "markVoided">;
  provider: Pick<PaymentProvider, "void">;
  inventory: Pick<InventoryReservations, "releaseOrder">;
}

/**
 * Undoes what the workflow did for an order that will not ship: releases every active
 * reservation and voids an authorized payment. Idempotent; used by cancellation and by the
 * workflow's failure path, so a failed order never keeps stock or a hold on the customer's card.
 */
export async function undoOrder(deps: UndoOrderDeps, orderId: string): Promise<{ released: number; payment: string }> {
  const released = await deps.inventory.releaseOrder(orderId);
  const payment = await deps.payments.get(orderId);
  if (payment?.status === "AUTHORIZED" && payment.authorizationId) {
    const voided = await deps.provider.void({ orderId, authorizationId: payment.authorizationId, idempotencyKey: `${orderId}.void` });
    await deps.payments.markVoided(orderId, voided.at);
  }
  return { released, payment: payment ? (payment.status === "AUTHORIZED" ? "VOIDED" : payment.status) : "NONE" };
}
