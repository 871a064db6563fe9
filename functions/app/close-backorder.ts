import { NotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import type { PaymentProvider } from "../domain/payment.js";
import type { Clock, OrderRepository } from "../domain/ports.js";
import { followShipments, LEFT_LOCATION } from "../domain/shipment.js";
import type { PaymentStore } from "./authorize-payment.js";
import type { BackorderStore } from "./backorders.js";
import { undoOrder } from "./cancel-order.js";
import { changeOrderStatus } from "./change-order-status.js";
import type { ShipmentStore } from "./fulfilment.js";

export interface CloseBackorderDeps {
  orders: OrderRepository;
  shipments: Pick<ShipmentStore, "ofOrder">;
  backorders: Pick<BackorderStore, "unpark">;
  inventory: { releaseOrder(orderId: string): Promise<number> };
  payments: PaymentStore & { markRestReleased(orderId: string, at: string): Promise<void> };
  provider: PaymentProvider;
  clock: Clock;
}

const MAX_ATTEMPTS = 5;

/**
 * The workflow's "Cancel the backorder" step: the missing stock did not come in time. An order
 * nothing of which left a location is CANCELLED (stock released, authorization voided). An order
 * that partly shipped is closed short instead: the units that never left are given up (kept on the
 * order as `closedShort`), the order's status then follows what did ship (DELIVERED once that
 * arrived), and the uncaptured rest of the authorization is released so the customer is charged
 * only for what shipped. Idempotent: run again, it finds the order closed and answers the same.
 */
export async function closeBackorder(deps: CloseBackorderDeps, orderId: string, reason: string): Promise<{ orderId: string; status: Order["status"]; closedShort: number }> {
  await deps.backorders.unpark(orderId);
  const left = (await deps.shipments.ofOrder(orderId)).filter((s) => LEFT_LOCATION.includes(s.status));
  if (left.length === 0) {
    const { status } = await changeOrderStatus(deps, { orderId, status: "CANCELLED", reason });
    await undoOrder(deps, orderId);
    return { orderId, status, closedShort: 0 };
  }
  const shipped = new Map<string, number>();
  for (const l of left.flatMap((s) => s.lines)) shipped.set(l.lineId, (shipped.get(l.lineId) ?? 0) + l.quantity);
  for (let attempt = 1; ; attempt++) {
    const order = await deps.orders.get(orderId);
    if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
    let next = order;
    if (!order.closedShort) {
      const units: Record<string, number> = {};
      for (const l of order.lines) if (l.quantity > (shipped.get(l.lineId) ?? 0)) units[l.lineId] = l.quantity - (shipped.get(l.lineId) ?? 0);
      const now = deps.clock.now();
      next = followShipments({ ...order, closedShort: { units, reason, at: now }, version: order.version + 1 }, left, now, reason);
    }
    if (next === order || (await deps.orders.saveHeader(next, order.version))) {
      await releaseRest(deps, orderId);
      return { orderId, status: next.status, closedShort: Object.values(next.closedShort?.units ?? {}).reduce((a, b) => a + b, 0) };
    }
    if (attempt >= MAX_ATTEMPTS) throw new Error(`Order ${orderId} kept changing under us; gave up after ${attempt} attempts`);
  }
}

/** Releases the authorization's uncaptured rest with the provider (once, by key), then records the payment as final. */
async function releaseRest(deps: CloseBackorderDeps, orderId: string): Promise<void> {
  const payment = await deps.payments.get(orderId);
  if (payment?.status !== "PARTIALLY_CAPTURED" || !payment.authorizationId) return;
  const released = await deps.provider.void({ orderId, authorizationId: payment.authorizationId, idempotencyKey: `${orderId}.release-rest` });
  await deps.payments.markRestReleased(orderId, released.at);
}
