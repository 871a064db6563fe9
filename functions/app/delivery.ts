import { reservationLines } from "../domain/allocation.js";
import type { TrackingStatus } from "../domain/carrier.js";
import { NotFoundError } from "../domain/errors.js";
import { ORDER_CANCELLED } from "../domain/workflow-errors.js";
import { type ShipmentStatus, moveShipment } from "../domain/shipment.js";
import { undoOrder } from "./undo-order.js";
import { changeOrderStatus } from "./change-order-status.js";
import { type FulfillmentDeps, type ShipDeps, deliveredOutput, followOrderShipments, shipmentOf, updateShipment } from "./shipments.js";

/** The order's last mile: the wait for delivery or collection, carrier tracking, late and uncollected parcels. */

/**
 * The workflow's "Await delivery" step (waitForTaskToken): keeps the token for the carrier's
 * delivery scan or the customer's collection, or answers at once if that came first (or if the
 * pickup was cancelled meanwhile).
 */
export async function awaitDelivery(deps: FulfillmentDeps, orderId: string, shipmentId: string, token: string): Promise<{ shipmentId: string; status: string }> {
  await deps.shipments.setToken(orderId, shipmentId, "delivery", token);
  const s = await shipmentOf(deps.shipments, orderId, shipmentId);
  if (s.status === "DELIVERED" || s.status === "PICKED_UP") await deps.tasks.succeed(token, deliveredOutput(s));
  else if (s.status === "CANCELLED") await deps.tasks.fail(token, ORDER_CANCELLED, `Order ${orderId} was cancelled`);
  return { shipmentId, status: s.status };
}
/**
 * A carrier's tracking update (POST /carriers/{carrier}/tracking, signed). `delivered` completes
 * the shipment, and the order when every unit has arrived; the other updates are kept on the
 * shipment. Unknown tracking numbers are a 404 so the carrier's retries stop being silent.
 */
export async function recordTracking(deps: FulfillmentDeps, carrier: string, update: { trackingNumber: string; status: TrackingStatus; at?: string }): Promise<{ shipmentId: string; orderId: string; status: string }> {
  const found = await deps.shipments.byTracking(carrier, update.trackingNumber);
  if (!found) throw new NotFoundError(`No shipment with ${carrier} tracking number ${update.trackingNumber}`);
  const at = update.at ?? deps.clock.now();
  const s = await updateShipment(deps, found.orderId, found.shipmentId, (current) => {
    if (update.status === "delivered") return current.status === "DELIVERED" ? current : moveShipment(current, "DELIVERED", at);
    if (current.tracking?.some((t) => t.status === update.status && t.at === at)) return current;
    return { ...current, tracking: [...(current.tracking ?? []), { status: update.status, at }], updatedAt: deps.clock.now(), version: current.version + 1 };
  });
  if (s.status === "DELIVERED") {
    await followOrderShipments(deps, s.orderId);
    if (s.tokens?.delivery) await deps.tasks.succeed(s.tokens.delivery, deliveredOutput(s));
  }
  return { shipmentId: s.shipmentId, orderId: s.orderId, status: s.status };
}
/**
 * The wait for delivery ran out. A parcel without a delivery scan is counted late on the
 * shipment (the stream announces DeliveryLate) and the workflow waits again. A pickup nobody
 * collected is NOT_COLLECTED: its stock goes back and, when nothing of the order was collected,
 * the order is cancelled and its authorization voided; the workflow ends (outcome NOT_COLLECTED).
 * `alertsBefore` is the count the workflow saw before this alert, so a retried step counts once.
 */
export async function flagLateDelivery(deps: ShipDeps, orderId: string, shipmentId: string, alertsBefore = 0): Promise<{ shipmentId: string; lateAlerts: number; outcome: "LATE" | "NOT_COLLECTED" | ShipmentStatus }> {
  const now = deps.clock.now();
  const s = await updateShipment(deps, orderId, shipmentId, (current) => {
    if (current.status === "DELIVERED" || current.status === "PICKED_UP" || current.status === "NOT_COLLECTED") return current;
    // The step ran again (a retry after its answer was lost): this alert was already counted.
    if ((current.lateAlerts ?? 0) > alertsBefore) return current;
    if (current.pickup && current.status === "READY_FOR_PICKUP") return moveShipment(current, "NOT_COLLECTED", now, "not collected within the pickup window");
    return { ...current, lateAlerts: (current.lateAlerts ?? 0) + 1, updatedAt: now, version: current.version + 1 };
  });
  if (s.status !== "NOT_COLLECTED") return { shipmentId, lateAlerts: s.lateAlerts ?? 0, outcome: s.status === "DELIVERED" || s.status === "PICKED_UP" ? s.status : "LATE" };
  await deps.inventory.close(orderId, reservationLines([s]), "RELEASED");
  const shipments = await deps.shipments.ofOrder(orderId);
  if (!shipments.some((x) => x.status === "PICKED_UP" || x.status === "READY_FOR_PICKUP")) await cancelUncollected(deps, orderId);
  return { shipmentId, lateAlerts: s.lateAlerts ?? 0, outcome: "NOT_COLLECTED" };
}
/** Nothing of a pickup order was collected: the order is CANCELLED and everything it held is given back. */
async function cancelUncollected(deps: ShipDeps, orderId: string): Promise<void> {
  await changeOrderStatus(deps, { orderId, status: "CANCELLED", reason: "not collected within the pickup window" });
  await undoOrder(deps, orderId);
}
