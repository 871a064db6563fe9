import { reservationLines } from "../domain/allocation.js";
import { ConflictError, NotFoundError } from "../domain/errors.js";
import { SHIPMENT_REJECTED } from "../domain/workflow-errors.js";
import type { Order } from "../domain/order.js";
import { type FulfillmentEvent, applyFulfillmentEvent, orderIdOfShipment } from "../domain/shipment.js";
import type { StoredShipment } from "./ports.js";
import { type ShipDeps, deliveredOutput, followOrderShipments, handedOver, handoverOutput, orderOf, updateShipment } from "./shipments.js";
import { capturePayment } from "./capture-payment.js";

/** What a location tells us about its fulfillment request (POST /fulfillments/{id}/events). */

/**
 * A location's callback on its fulfillment request. Progress (accepted, picked, packed) is a
 * heartbeat for the step waiting on the location, whose HeartbeatSeconds is the SLA; `rejected`
 * fails that step (the workflow reroutes); `shipped` completes it (the workflow books the
 * carrier, consumes the stock and captures the payment). For a pickup, `ready_for_pickup`
 * completes it (the customer is told; the collection window starts) and `picked_up` consumes
 * the stock, captures the payment and completes the wait for the customer. Repeating a callback
 * is harmless.
 */
export async function recordFulfillmentEvent(deps: ShipDeps, shipmentId: string, event: FulfillmentEvent): Promise<{ shipmentId: string; status: string; handedOver: boolean }> {
  const orderId = orderIdOfShipment(shipmentId);
  if (!orderId) throw new NotFoundError(`Fulfillment ${shipmentId} does not exist`);
  const order = await orderOf(deps.orders, orderId);
  if (order.status === "CANCELLED") throw new ConflictError(`Order ${orderId} was cancelled: do not ${order.pickup ? "hand it over" : "ship it"}`, { status: order.status });
  if (event.type === "picked_up") {
    const s = await collect(deps, order, shipmentId);
    return { shipmentId, status: s.status, handedOver: true };
  }
  const s = await updateShipment(deps, orderId, shipmentId, (current) => applyFulfillmentEvent(current, event, deps.clock.now()));
  const token = s.tokens?.release;
  if (token) {
    if (event.type === "rejected") await deps.tasks.fail(token, SHIPMENT_REJECTED, event.reason);
    else if (event.type === "shipped" || event.type === "ready_for_pickup") await deps.tasks.succeed(token, handoverOutput(s));
    else await deps.tasks.heartbeat(token);
  }
  return { shipmentId, status: s.status, handedOver: handedOver(s) };
}
/**
 * The customer collected a pickup: the stock is consumed, the payment captured (key
 * `<shipmentId>.capture`, as for a parcel), the shipment PICKED_UP, the order DELIVERED once
 * everything was collected, and the workflow's wait for the customer answered. PICKED_UP is
 * saved first, under the shipment's version: from then on the collection window can no longer
 * give the pickup up (and once it has, this is a 409 before anything moves). The rest is
 * idempotent, so the store's retry after a failure finishes the job.
 */
async function collect(deps: ShipDeps, order: Order, shipmentId: string): Promise<StoredShipment> {
  const now = deps.clock.now();
  const collected = await updateShipment(deps, order.orderId, shipmentId, (current) => applyFulfillmentEvent(current, { type: "picked_up" }, now));
  await deps.inventory.close(order.orderId, reservationLines([collected]), "CONSUMED");
  const capture = await capturePayment(deps, order, collected);
  const s =
    capture?.captureId && !collected.capture
      ? await updateShipment(deps, order.orderId, shipmentId, (latest) => (latest.capture ? latest : { ...latest, capture: { amount: capture.amount, captureId: capture.captureId!, at: capture.at ?? now }, updatedAt: now, version: latest.version + 1 }), collected)
      : collected;
  await followOrderShipments(deps, order.orderId);
  if (s.tokens?.delivery) await deps.tasks.succeed(s.tokens.delivery, deliveredOutput(s));
  return s;
}
