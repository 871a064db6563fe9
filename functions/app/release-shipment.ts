import { type PlannedShipment, reservationLines } from "../domain/allocation.js";
import { ConflictError } from "../domain/errors.js";
import { AwaitingStockError, ORDER_CANCELLED, OrderCancelledError, SHIPMENT_CANCELLED, SHIPMENT_REJECTED } from "../domain/workflow-errors.js";
import type { Order } from "../domain/order.js";
import { type Shipment, moveShipment } from "../domain/shipment.js";
import { dayOf } from "./quote-route.js";
import type { StoredShipment } from "./ports.js";
import { type FulfillmentDeps, type ShipDeps, handedOver, handoverOutput, orderOf, shipmentOf, updateShipment } from "./shipments.js";

/** The workflow's release of a shipment to its location, and its withdrawal after a rejection or a missed SLA. */

/**
 * The workflow's "Release to location" step (waitForTaskToken): creates the shipment, which the
 * table's stream announces as ShipmentReleased (the location's fulfillment request), and keeps the
 * token for the location's callbacks. A step that runs again (a retry, a restart) keeps the
 * shipment and only swaps the token; if the location already answered, it answers at once.
 */
export async function releaseShipment(deps: FulfillmentDeps, orderId: string, planned: PlannedShipment, token: string): Promise<{ shipmentId: string; status: string }> {
  const order = await orderOf(deps.orders, orderId);
  if (order.status === "CANCELLED") throw new OrderCancelledError(`Order ${orderId} was cancelled`);
  const now = deps.clock.now();
  const status = planned.awaitingStock ? "AWAITING_STOCK" : "RELEASED";
  const created = await deps.shipments.create({ shipmentId: planned.shipmentId, orderId, locationId: planned.locationId, round: planned.round ?? 1, lines: planned.lines, externalOrderId: order.externalOrderId, customer: order.customer, ...(order.pickup ? { pickup: true } : {}), status, history: [{ status, at: now }], createdAt: now, updatedAt: now, version: 1 });
  if (planned.awaitingStock && (await shipmentOf(deps.shipments, orderId, planned.shipmentId)).status === "AWAITING_STOCK")
    throw new AwaitingStockError(`Shipment ${planned.shipmentId} waits for stock`);
  // Counted once, by the call that created it (a crash in between undercounts by one: capacity is a planning figure).
  if (created && !planned.awaitingStock) await deps.capacity?.countRelease(planned.locationId, dayOf(now));
  await deps.shipments.setToken(orderId, planned.shipmentId, "release", token);
  const s = await shipmentOf(deps.shipments, orderId, planned.shipmentId);
  if (handedOver(s)) await deps.tasks.succeed(token, handoverOutput(s));
  else if (s.status === "REJECTED") await deps.tasks.fail(token, SHIPMENT_REJECTED, s.history.at(-1)?.reason ?? "rejected by the location");
  else if (s.status === "CANCELLED") await failCancelled(deps, order, s, token);
  return { shipmentId: s.shipmentId, status: s.status };
}
/** A cancelled shipment's waiting step: the whole order was cancelled, or only this shipment's lines. */
async function failCancelled(deps: FulfillmentDeps, order: Order, s: StoredShipment, token: string): Promise<void> {
  const current = order.status === "CANCELLED" ? order : await orderOf(deps.orders, order.orderId);
  if (current.status === "CANCELLED") await deps.tasks.fail(token, ORDER_CANCELLED, `Order ${order.orderId} was cancelled`);
  else await deps.tasks.fail(token, SHIPMENT_CANCELLED, `Every line of shipment ${s.shipmentId} was cancelled`);
}
/**
 * The workflow's answer to a rejection or a missed SLA: the shipment is REJECTED (its location
 * is not used again for this order) and its reservations go back to stock. Its lines are then
 * planned elsewhere (rerouteShipment, in the same step; or the next allocation round).
 */
export async function withdrawShipment(deps: Pick<ShipDeps, "shipments" | "inventory" | "clock">, orderId: string, shipmentId: string, why: { error: string; cause: string }): Promise<{ outcome: "REJECTED"; shipmentId: string; locationId: string; reason: string; lines: Shipment["lines"] }> {
  const reason = why.error === SHIPMENT_REJECTED ? why.cause : why.error === "States.HeartbeatTimeout" ? "no word from the location within its SLA" : why.error === "States.Timeout" ? "not shipped in time" : `${why.error}: ${why.cause}`;
  const s = await updateShipment(deps, orderId, shipmentId, (current) => (current.status === "REJECTED" || current.handover ? current : moveShipment(current, "REJECTED", deps.clock.now(), reason)));
  if (s.status !== "REJECTED") throw new ConflictError(`Shipment ${shipmentId} was handed to the carrier; it cannot be withdrawn`, { status: s.status });
  await deps.inventory.close(orderId, reservationLines([s]), "RELEASED");
  return { outcome: "REJECTED", shipmentId, locationId: s.locationId, reason: s.history.at(-1)?.reason ?? reason, lines: s.lines };
}
