import type { ReturnEventType } from "./events.js";
import type { Return } from "./return.js";

/** A return event ready to publish: its detail type, a deterministic id, and its data. */
export interface ReturnDomainEvent {
  detailType: ReturnEventType;
  eventId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * The events one change of a return announces: one per fact it recorded since the previous image.
 * Ids are `<returnId>.<n>.<DetailType>` (n: the fact's position), so a redelivered stream record
 * yields the same ids and consumers drop the repeat.
 */
export function returnChangeEvents(before: Pick<Return, "facts"> | undefined, after: Return | undefined): ReturnDomainEvent[] {
  if (!after) return [];
  const base = {
    returnId: after.returnId,
    orderId: after.orderId,
    channel: after.channel,
    externalOrderId: after.externalOrderId,
    customer: after.customer,
    method: after.method,
    status: after.status,
    currency: after.currency,
    itemCount: after.lines.reduce((n, l) => n + l.quantity, 0),
    lines: after.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity, reason: l.reason, resolution: l.resolution })),
    ...(after.locationId ? { locationId: after.locationId } : {}),
  };
  const start = before?.facts.length ?? 0;
  return after.facts.slice(start).map((f, i) => ({ detailType: f.type as ReturnEventType, eventId: `${after.returnId}.${start + i + 1}.${f.type}`, occurredAt: f.at, data: { ...base, ...(f.data ?? {}) } }));
}
