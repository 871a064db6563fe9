import { PURCHASING_EVENTS } from "./events.js";
import type { PoStatus, PurchaseOrder } from "./purchasing.js";

const TYPE_OF: Record<PoStatus, string> = {
  DRAFT: PURCHASING_EVENTS.drafted,
  APPROVED: PURCHASING_EVENTS.approved,
  SENT: PURCHASING_EVENTS.sent,
  ACKNOWLEDGED: PURCHASING_EVENTS.acknowledged,
  PARTIALLY_RECEIVED: PURCHASING_EVENTS.partiallyReceived,
  RECEIVED: PURCHASING_EVENTS.received,
  CLOSED: PURCHASING_EVENTS.closed,
  CANCELLED: PURCHASING_EVENTS.cancelled,
};

/** The events of the history entries a change added: `<poId>.<n>.<DetailType>`, so a redelivered stream record publishes the same ids. */
export function purchaseOrderEvents(before: PurchaseOrder | undefined, after: PurchaseOrder | undefined): { detailType: string; eventId: string; occurredAt: string; data: Record<string, unknown> }[] {
  if (!after) return [];
  const start = before?.history.length ?? 0;
  return after.history.slice(start).map((h, i) => ({
    detailType: TYPE_OF[h.status],
    eventId: `${after.poId}.${start + i + 1}.${TYPE_OF[h.status]}`,
    occurredAt: h.at,
    data: { poId: after.poId, supplierId: after.supplierId, locationId: after.locationId, status: h.status, actor: h.actor, ...(h.reason ? { reason: h.reason } : {}), total: { amount: after.total, currency: after.currency }, expectedAt: after.expectedAt, lines: after.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, received: l.received, damaged: l.damaged })) },
  }));
}
