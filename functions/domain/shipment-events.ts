import { FULFILLMENT_EVENTS, eventIdFor, type FulfillmentEventType } from "./events.js";
import type { Shipment, ShipmentStatus } from "./shipment.js";

const EVENT_FOR_SHIPMENT_STATUS: Record<ShipmentStatus, FulfillmentEventType> = {
  AWAITING_STOCK: FULFILLMENT_EVENTS.awaitingStock,
  RELEASED: FULFILLMENT_EVENTS.released,
  ACCEPTED: FULFILLMENT_EVENTS.accepted,
  PICKED: FULFILLMENT_EVENTS.picked,
  PACKED: FULFILLMENT_EVENTS.packed,
  SHIPPED: FULFILLMENT_EVENTS.shipped,
  DELIVERED: FULFILLMENT_EVENTS.delivered,
  REJECTED: FULFILLMENT_EVENTS.rejected,
  CANCELLED: FULFILLMENT_EVENTS.cancelled,
  READY_FOR_PICKUP: FULFILLMENT_EVENTS.readyForPickup,
  PICKED_UP: FULFILLMENT_EVENTS.pickedUp,
  NOT_COLLECTED: FULFILLMENT_EVENTS.notCollected,
};

/**
 * The events one change of a shipment announces: one per status it entered since the previous
 * image (ShipmentReleased is the location's fulfillment request), and DeliveryLate each time the
 * promised delivery passed. Ids are `<shipmentId>.<DetailType>` (`.<n>` for the n-th late alert):
 * a shipment enters each status at most once, so a redelivered record yields the same ids.
 */
export interface ShipmentEvent {
  detailType: FulfillmentEventType;
  eventId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** `before`/`after`: the shipment as the table's stream carries it. */
export function shipmentChangeEvents(before: Shipment | undefined, after: Shipment | undefined): ShipmentEvent[] {
  if (!after) return [];
  const base = {
    shipmentId: after.shipmentId,
    orderId: after.orderId,
    locationId: after.locationId,
    lines: after.lines,
    ...(after.externalOrderId ? { externalOrderId: after.externalOrderId } : {}),
    ...(after.customer ? { customer: after.customer } : {}),
    itemCount: after.lines.reduce((n, l) => n + l.quantity, 0),
  };
  const tracking = after.carrierShipment ? { carrier: after.carrierShipment.carrier, service: after.carrierShipment.service, trackingNumber: after.carrierShipment.trackingNumber, promisedBy: after.carrierShipment.promisedBy } : {};
  const out: ShipmentEvent[] = [];
  for (const change of after.history.slice(before?.history.length ?? 0)) {
    const detailType = EVENT_FOR_SHIPMENT_STATUS[change.status];
    const extra =
      change.status === "SHIPPED"
        ? { ...tracking, weightGrams: after.handover?.weightGrams ?? null, label: `/shipments/${after.shipmentId}/label` }
        : change.status === "READY_FOR_PICKUP" && after.pickupBy
          ? { pickupBy: after.pickupBy }
          : {};
    out.push({ detailType, eventId: eventIdFor(after.shipmentId, detailType), occurredAt: change.at, data: { ...base, status: change.status, ...(change.reason ? { reason: change.reason } : {}), ...extra } });
  }
  // Lines taken out while the shipment is still at its location: the location picks less (a cut to nothing is ShipmentCancelled).
  (after.amendments ?? []).forEach((a, i) => {
    if (i < (before?.amendments?.length ?? 0) || after.status === "CANCELLED") return;
    out.push({ detailType: FULFILLMENT_EVENTS.amended, eventId: `${eventIdFor(after.shipmentId, FULFILLMENT_EVENTS.amended)}.${i + 1}`, occurredAt: a.at, data: { ...base, status: after.status, removed: a.removed, reason: a.reason } });
  });
  for (let n = (before?.lateAlerts ?? 0) + 1; n <= (after.lateAlerts ?? 0); n++)
    out.push({ detailType: FULFILLMENT_EVENTS.late, eventId: `${eventIdFor(after.shipmentId, FULFILLMENT_EVENTS.late)}.${n}`, occurredAt: after.updatedAt, data: { ...base, status: after.status, ...tracking, alert: n } });
  return out;
}
