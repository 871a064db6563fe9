import { reservationLines } from "../domain/allocation.js";
import { ConflictError } from "../domain/errors.js";
import { OrderCancelledError } from "../domain/workflow-errors.js";
import type { Order } from "../domain/order.js";
import { type Shipment, moveShipment } from "../domain/shipment.js";
import type { StoredShipment } from "./ports.js";
import { type ShipDeps, followOrderShipments, handedOver, orderOf, shipmentOf, updateShipment } from "./shipments.js";
import { capturePayment } from "./capture-payment.js";

/** The workflow's "Ship" step: carrier booking, stock consumed, payment captured, SHIPPED. */

/**
 * The workflow's "Ship" step, after the handover: books the carrier (label), consumes the
 * shipment's reservations, captures its part of the payment, and marks it SHIPPED (the stream
 * publishes ShipmentShipped). Every part is idempotent, so a retry finishes what a crash left.
 */
export async function shipShipment(deps: ShipDeps, orderId: string, shipmentId: string): Promise<{ shipmentId: string; carrier: string | null; trackingNumber: string | null; promisedBy: string; captured: number }> {
  const [order, s] = await Promise.all([orderOf(deps.orders, orderId), shipmentOf(deps.shipments, orderId, shipmentId)]);
  if (s.status === "CANCELLED") throw new OrderCancelledError(`Order ${orderId} was cancelled`);
  if (s.pickup) {
    // Nothing to book: the pickup waits at the store; the order shows READY_FOR_PICKUP.
    if (!handedOver(s)) throw new ConflictError(`Shipment ${shipmentId} is not ready for pickup yet`, { status: s.status });
    await followOrderShipments(deps, orderId);
    return { shipmentId, carrier: null, trackingNumber: null, promisedBy: s.pickupBy ?? deps.clock.now(), captured: s.capture?.amount.amount ?? 0 };
  }
  if (!s.handover) throw new ConflictError(`Shipment ${shipmentId} was not handed over yet`, { status: s.status });
  const booking = s.carrierShipment ?? (await book(deps, order, s, s.handover));
  await deps.inventory.close(orderId, reservationLines([s]), "CONSUMED");
  const capture = await capturePayment(deps, order, s);
  const shipped = await updateShipment(
    deps,
    orderId,
    shipmentId,
    (current) =>
      current.status === "SHIPPED" || current.status === "DELIVERED"
        ? current
        : { ...moveShipment(current, "SHIPPED", deps.clock.now()), carrierShipment: booking, ...(capture?.captureId ? { capture: { amount: capture.amount, captureId: capture.captureId, at: capture.at ?? deps.clock.now() } } : {}) },
    s,
  );
  await followOrderShipments(deps, orderId);
  const cs = shipped.carrierShipment ?? booking;
  return { shipmentId, carrier: cs.carrier, trackingNumber: cs.trackingNumber, promisedBy: cs.promisedBy, captured: capture?.amount.amount ?? 0 };
}
/** Books the handed-over parcel with the carrier, from the location to the order's address. */
async function book(deps: Pick<ShipDeps, "carrier" | "locations">, order: Order, s: StoredShipment, handover: NonNullable<Shipment["handover"]>) {
  if (!order.shippingAddress) throw new ConflictError(`Order ${order.orderId} has no shipping address: it cannot go to a carrier`);
  const to = order.shippingAddress;
  const location = await deps.locations.getLocation(s.locationId);
  return deps.carrier.createShipment({
    shipmentId: s.shipmentId,
    orderId: order.orderId,
    carrier: handover.carrier,
    ...(handover.trackingNumber ? { trackingNumber: handover.trackingNumber } : {}),
    weightGrams: handover.weightGrams,
    from: { name: location?.name ?? s.locationId, country: location?.country ?? "", lat: location?.lat ?? 0, lon: location?.lon ?? 0 },
    to,
    handedOverAt: handover.at,
  });
}
