import { NotFoundError } from "../domain/errors.js";
import { cancellableUnits } from "../domain/order-change.js";
import type { Order } from "../domain/order.js";
import { LEFT_LOCATION } from "../domain/shipment.js";
import { undoOrder } from "./undo-order.js";
import { applyChange, changeOrder, type ChangeOrderDeps } from "./change-order.js";
import { changeOrderStatus } from "./change-order-status.js";
import type { BackorderStore, Clock, InventoryReservations, OrderRepository, PaymentProvider, PaymentStore, ShipmentStore } from "./ports.js";

export interface CloseBackorderDeps {
  orders: OrderRepository;
  shipments: Pick<ShipmentStore, "ofOrder">;
  backorders: Pick<BackorderStore, "unpark">;
  inventory: Pick<InventoryReservations, "releaseOrder">;
  payments: PaymentStore;
  provider: PaymentProvider;
  clock: Clock;
  /** Closing short is an order change (the units that never left are cancelled out of the lines). */
  change: ChangeOrderDeps;
}

const closedUnits = (order: Order) => Object.values(order.closedShort?.units ?? {}).reduce((a, b) => a + b, 0);

/**
 * The workflow's "Cancel the backorder" step: the missing stock did not come in time. An order
 * nothing of which left a location is CANCELLED (stock released, authorization voided). An order
 * that partly shipped is closed short instead: a versioned change (kind `close-short`, kept on the
 * order with `closedShort`) cancels the units that never left out of its lines, so its totals are
 * what the customer now buys (tax and discount scaled, shipping kept); its status then follows
 * what did ship (DELIVERED once that arrived); and its payment is settled at the new total (the
 * difference captured or refunded, the authorization's rest released). Idempotent: run again, it
 * finds the change by its key and finishes it. A regular exchange's replacement still waiting for
 * its return's goods is not cancelled: AWAITING_RETURN sends it back to wait (its return ends it).
 */
export async function closeBackorder(deps: CloseBackorderDeps, orderId: string, reason: string): Promise<{ orderId: string; status: Order["status"] | "AWAITING_RETURN"; closedShort: number }> {
  await deps.backorders.unpark(orderId);
  // A regular exchange's replacement waits for its return's goods, which may take longer than a backorder: it waits again (its return ends it).
  const waiting = await deps.orders.get(orderId);
  if (waiting?.exchangeOf?.awaitingReturn && waiting.status !== "CANCELLED") return { orderId, status: "AWAITING_RETURN", closedShort: 0 };
  const shipments = await deps.shipments.ofOrder(orderId);
  if (!shipments.some((s) => LEFT_LOCATION.includes(s.status))) {
    const { status } = await changeOrderStatus(deps, { orderId, status: "CANCELLED", reason });
    await undoOrder(deps, orderId);
    return { orderId, status, closedShort: 0 };
  }
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  const idempotencyKey = `${orderId}.close-short`;
  const done = order.changes?.find((c) => c.idempotencyKey === idempotencyKey);
  if (done) {
    const result = await applyChange(deps.change, orderId, done.revision);
    return { orderId, status: result?.status ?? order.status, closedShort: closedUnits(order) };
  }
  const lines = [...cancellableUnits(order, shipments)].filter(([, q]) => q > 0).map(([lineId, quantity]) => ({ lineId, quantity }));
  if (lines.length === 0) return { orderId, status: order.status, closedShort: 0 };
  const result = await changeOrder(deps.change, orderId, { kind: "close-short", lines }, { actor: "order workflow", reason, idempotencyKey });
  return { orderId, status: result.status, closedShort: lines.reduce((n, l) => n + l.quantity, 0) };
}
