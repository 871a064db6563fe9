import { ConflictError, NotFoundError } from "../domain/errors.js";
import { canTransition, transition } from "../domain/order.js";
import { LEFT_LOCATION, moveShipment } from "../domain/shipment.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import { HOLD_CANCELLED, ORDER_CANCELLED } from "../domain/workflow-errors.js";
import { undoOrder } from "./undo-order.js";
import type { BackorderStore, Clock, HoldStore, InventoryReservations, OrderRepository, PaymentProvider, PaymentStore, ShipmentStore, StoredShipment, TaskResponder } from "./ports.js";

export interface CancelOrderDeps {
  orders: OrderRepository;
  payments: PaymentStore;
  provider: PaymentProvider;
  inventory: Pick<InventoryReservations, "releaseOrder">;
  clock: Clock;
  /** To end a workflow waiting on a hold decision. */
  hold?: { holds: HoldStore; tasks: TaskResponder };
  /** To refuse once something shipped, and to end a workflow waiting on stock or on its locations. */
  fulfillment?: { shipments: ShipmentStore; backorders: BackorderStore; tasks: TaskResponder };
}

/**
 * Cancels an order that has not shipped and undoes exactly what was done: the status moves to
 * CANCELLED first (so a workflow step running at the same moment sees it and stops), then every
 * active reservation is released and an authorized payment voided. Each part is idempotent, so a
 * repeated cancel, or one that crashed halfway, finishes the job and answers the same.
 */
export async function cancelOrder(deps: CancelOrderDeps, orderId: string, reason: string): Promise<{ orderId: string; status: "CANCELLED"; released: number; payment: string }> {
  return withOptimisticRetry(`Order ${orderId}`, async () => {
    const order = await deps.orders.get(orderId);
    if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
    const shipments = (await deps.fulfillment?.shipments.ofOrder(orderId)) ?? [];
    const gone = shipments.find((s) => s.handover || LEFT_LOCATION.includes(s.status));
    if (gone && order.status !== "CANCELLED")
      throw new ConflictError(`Order ${orderId} has shipped (shipment ${gone.shipmentId}); it can no longer be cancelled, start a return instead`, { status: order.status, shipmentId: gone.shipmentId, returns: `/orders/${orderId}/returns` });
    if (order.status !== "CANCELLED") {
      if (!canTransition(order.status, "CANCELLED"))
        throw new ConflictError(`Order ${orderId} is ${order.status} and can no longer be cancelled${order.status === "REJECTED" || order.status === "FAILED" ? "" : "; shipped orders are returned instead"}`, { status: order.status });
      if (!(await deps.orders.saveHeader(transition(order, "CANCELLED", deps.clock.now(), reason), order.version))) return AGAIN;
    }
    const token = deps.hold && (await deps.hold.holds.getToken(orderId));
    if (token) await deps.hold?.tasks.fail(token, HOLD_CANCELLED, "The order was cancelled");
    const undone = await undoOrder(deps, orderId);
    if (deps.fulfillment) await stopFulfillment(deps.fulfillment, orderId, shipments, deps.clock.now());
    return { orderId, status: "CANCELLED" as const, ...undone };
  });
}


/** Ends what waits for the cancelled order: its backorder, and its locations (their shipments are CANCELLED). */
async function stopFulfillment(f: NonNullable<CancelOrderDeps["fulfillment"]>, orderId: string, shipments: StoredShipment[], at: string): Promise<void> {
  const parked = await f.backorders.tokenOf(orderId);
  if (parked) {
    await f.tasks.fail(parked, ORDER_CANCELLED, `Order ${orderId} was cancelled`);
    await f.backorders.unpark(orderId);
  }
  for (const known of shipments) {
    // A workflow step may park its token on the shipment meanwhile (a new version): read again and retry, so no step is left waiting.
    await withOptimisticRetry(`Shipment ${known.shipmentId}`, async (n) => {
      const s = n === 1 ? known : await f.shipments.get(orderId, known.shipmentId);
      if (!s || s.status === "CANCELLED" || s.status === "REJECTED" || s.status === "NOT_COLLECTED" || s.status === "PICKED_UP" || s.handover) return;
      if (!(await f.shipments.save(moveShipment(s, "CANCELLED", at, "the order was cancelled"), s.version))) return AGAIN;
      if (s.tokens?.release) await f.tasks.fail(s.tokens.release, ORDER_CANCELLED, `Order ${orderId} was cancelled`);
      // A pickup waiting at the store: the workflow waits for the customer, not the location.
      if (s.status === "READY_FOR_PICKUP" && s.tokens?.delivery) await f.tasks.fail(s.tokens.delivery, ORDER_CANCELLED, `Order ${orderId} was cancelled`);
    });
  }
}
