import type { FieldIssue } from "./errors.js";
import { ORDER_EVENTS, eventIdFor, type OrderEventType } from "./events.js";
import type { Money } from "./money.js";
import type { Customer, OrderStatus, StatusChange } from "./order.js";

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
  for (const change of after.statusHistory.slice(seen)) {
    const detailType = EVENT_FOR_STATUS[change.status];
    if (!detailType) continue;
    const data = { ...summary, status: change.status, ...(change.reason ? { reason: change.reason } : {}), ...(change.status === "REJECTED" && after.problems ? { problems: after.problems } : {}) };
    events.push({ detailType, eventId: eventIdFor(after.orderId, detailType), occurredAt: change.at, data });
  }
  return events;
}

/** PaymentAuthorized or PaymentDeclined when an order's payment record appears (one per order). */
export function paymentEvents(record: { orderId: string; status: string; amount: unknown; method: string; authorizationId?: string; declineCode?: string; at: string } | undefined): OrderEvent[] {
  if (!record) return [];
  const detailType = record.status === "AUTHORIZED" ? ORDER_EVENTS.paymentAuthorized : ORDER_EVENTS.paymentDeclined;
  const { orderId, status, amount, method, authorizationId, declineCode } = record;
  return [{ detailType, eventId: eventIdFor(orderId, detailType), occurredAt: record.at, data: { orderId, status, amount, method, ...(authorizationId ? { authorizationId } : {}), ...(declineCode ? { declineCode } : {}) } }];
}
