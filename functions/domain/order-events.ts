import type { FieldIssue } from "./errors.js";
import { ORDER_EVENTS, eventIdFor, type OrderEventType } from "./events.js";
import type { Money } from "./money.js";
import type { Customer, OrderStatus, StatusChange } from "./order.js";
import type { OrderChange } from "./order-change.js";

/** The order header as the table's stream carries it (no lines; the list attributes instead). */
export interface OrderHeaderImage {
  orderId: string;
  channel: string;
  externalOrderId: string;
  placedAt: string;
  createdAt: string;
  status: OrderStatus;
  customer: Customer;
  grandTotal: Money;
  itemCount: number;
  lineCount: number;
  statusHistory: StatusChange[];
  problems?: FieldIssue[];
  changes?: OrderChange[];
}

/** The event each status announces; statuses without one are not announced. */
export const EVENT_FOR_STATUS: Partial<Record<OrderStatus, OrderEventType>> = {
  ON_HOLD: ORDER_EVENTS.onHold,
  CONFIRMED: ORDER_EVENTS.confirmed,
  REJECTED: ORDER_EVENTS.rejected,
  FAILED: ORDER_EVENTS.failed,
  ALLOCATED: ORDER_EVENTS.allocated,
  BACKORDERED: ORDER_EVENTS.backordered,
  CANCELLED: ORDER_EVENTS.cancelled,
  PARTIALLY_SHIPPED: ORDER_EVENTS.partiallyShipped,
  SHIPPED: ORDER_EVENTS.shipped,
  READY_FOR_PICKUP: ORDER_EVENTS.readyForPickup,
  DELIVERED: ORDER_EVENTS.delivered,
};

export interface OrderEvent {
  detailType: OrderEventType;
  eventId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * The events one change of an order header announces: OrderCreated when it appears, and one event
 * per status it entered since the previous image (a status the history passed through is not
 * skipped even if two changes arrive as one record). Ids are `<orderId>.<DetailType>`: a status
 * is entered at most once in the lifecycle, so a redelivered record yields the same id.
 */
export function orderChangeEvents(before: OrderHeaderImage | undefined, after: OrderHeaderImage | undefined): OrderEvent[] {
  if (!after) return [];
  const summary = {
    orderId: after.orderId,
    channel: after.channel,
    externalOrderId: after.externalOrderId,
    placedAt: after.placedAt,
    createdAt: after.createdAt,
    customer: after.customer,
    grandTotal: after.grandTotal,
    lineCount: after.lineCount,
    itemCount: after.itemCount,
  };
  const events: OrderEvent[] = [];
  if (!before) events.push({ detailType: ORDER_EVENTS.created, eventId: eventIdFor(after.orderId, ORDER_EVENTS.created), occurredAt: after.createdAt, data: summary });
  const seen = before?.statusHistory.length ?? 1;
  after.statusHistory.forEach((change, i) => {
    const detailType = EVENT_FOR_STATUS[change.status];
    if (i < seen || !detailType) return;
    const data = { ...summary, status: change.status, ...(change.reason ? { reason: change.reason } : {}), ...(change.status === "REJECTED" && after.problems ? { problems: after.problems } : {}) };
    // A status entered again (ALLOCATED after a reroute left it BACKORDERED) is a new event: `<id>.<Type>.<n>`.
    const nth = after.statusHistory.slice(0, i + 1).filter((h) => h.status === change.status).length;
    events.push({ detailType, eventId: nth === 1 ? eventIdFor(after.orderId, detailType) : `${eventIdFor(after.orderId, detailType)}.${nth}`, occurredAt: change.at, data });
  });
  // One OrderChanged per change since the previous image, named by the revision it made.
  for (const change of (after.changes ?? []).slice(before?.changes?.length ?? 0)) {
    const { idempotencyKey: _k, requestHash: _h, ...visible } = change;
    events.push({ detailType: ORDER_EVENTS.changed, eventId: `${eventIdFor(after.orderId, ORDER_EVENTS.changed)}.${change.revision}`, occurredAt: change.at, data: { ...summary, ...visible } });
  }
  return events;
}

type PaymentImage = { orderId: string; status: string; amount: Money; method: string; authorizationId?: string; declineCode?: string; at: string; voidedAt?: string; captures?: Record<string, { amount: Money; captureId?: string; at?: string }>; captured?: Money; reductions?: { revision: number; from: Money; to: Money; at: string }[]; refunds?: Record<string, { amount: Money; refundId?: string; at?: string }>; refunded?: Money };

/**
 * PaymentAuthorized or PaymentDeclined when an order's payment record appears (one per order);
 * PaymentCaptured for each capture completed since the previous image (`<shipmentId>.PaymentCaptured`);
 * PaymentVoided when the authorization is voided.
 */
export function paymentEvents(before: PaymentImage | undefined, after: PaymentImage | undefined): OrderEvent[] {
  if (!after) return [];
  const out: OrderEvent[] = [];
  for (const [shipmentId, c] of Object.entries(after.captures ?? {})) {
    if (!c.captureId || before?.captures?.[shipmentId]?.captureId) continue;
    out.push({ detailType: ORDER_EVENTS.paymentCaptured, eventId: eventIdFor(shipmentId, ORDER_EVENTS.paymentCaptured), occurredAt: c.at ?? after.at, data: { orderId: after.orderId, shipmentId, amount: c.amount, captureId: c.captureId, capturedTotal: after.captured ?? null, status: after.status } });
  }
  for (const r of (after.reductions ?? []).slice(before?.reductions?.length ?? 0))
    out.push({ detailType: ORDER_EVENTS.paymentReduced, eventId: `${eventIdFor(after.orderId, ORDER_EVENTS.paymentReduced)}.${r.revision}`, occurredAt: r.at, data: { orderId: after.orderId, from: r.from, to: r.to, revision: r.revision, authorizationId: after.authorizationId ?? null } });
  for (const [ref, r] of Object.entries(after.refunds ?? {})) {
    if (!r.refundId || before?.refunds?.[ref]?.refundId) continue;
    out.push({ detailType: ORDER_EVENTS.paymentRefunded, eventId: `${after.orderId}.${ref}.${ORDER_EVENTS.paymentRefunded}`, occurredAt: r.at ?? after.at, data: { orderId: after.orderId, amount: r.amount, refundId: r.refundId, refundedTotal: after.refunded ?? null, status: after.status } });
  }
  if (after.status === "VOIDED" && before?.status !== "VOIDED") out.push({ detailType: ORDER_EVENTS.paymentVoided, eventId: eventIdFor(after.orderId, ORDER_EVENTS.paymentVoided), occurredAt: after.voidedAt ?? after.at, data: { orderId: after.orderId, amount: after.amount, authorizationId: after.authorizationId ?? null } });
  if (before) return out;
  const record = after;
  const detailType = record.status === "AUTHORIZED" ? ORDER_EVENTS.paymentAuthorized : ORDER_EVENTS.paymentDeclined;
  const { orderId, status, amount, method, authorizationId, declineCode } = record;
  return [{ detailType, eventId: eventIdFor(orderId, detailType), occurredAt: record.at, data: { orderId, status, amount, method, ...(authorizationId ? { authorizationId } : {}), ...(declineCode ? { declineCode } : {}) } }, ...out];
}
