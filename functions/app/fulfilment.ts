import { reservationLines, type PlannedShipment } from "../domain/allocation.js";
import type { TrackingStatus } from "../domain/carrier.js";
import { ConflictError, NotFoundError } from "../domain/errors.js";
import { AwaitingStockError, OrderCancelledError, SHIPMENT_CANCELLED, SHIPMENT_REJECTED } from "../domain/workflow-errors.js";
import type { Order } from "../domain/order.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { CaptureRecord } from "../domain/payment.js";
import { applyFulfilmentEvent, captureAmountFor, followShipments, moveShipment, orderIdOfShipment, type FulfilmentEvent, type Shipment, type ShipmentStatus } from "../domain/shipment.js";
import { ORDER_CANCELLED } from "../domain/workflow-errors.js";
import { undoOrder } from "./undo-order.js";
import { changeOrderStatus } from "./change-order-status.js";
import { dayOf } from "./quote-route.js";
import type { CapacityUsage, CarrierPort, Clock, InventoryReservations, LocationDirectory, OrderRepository, PaymentProvider, PaymentStore, WorkflowTasks } from "./ports.js";
import type { CaptureStore, ShipmentStore, StoredShipment } from "./ports.js";




export interface FulfilmentDeps {
  orders: OrderRepository;
  shipments: ShipmentStore;
  tasks: WorkflowTasks;
  clock: Clock;
  /** Counts each shipment released against its location's daily capacity. */
  capacity?: Pick<CapacityUsage, "countRelease">;
}

export interface ShipDeps extends FulfilmentDeps {
  inventory: Pick<InventoryReservations, "close" | "releaseOrder">;
  payments: CaptureStore & PaymentStore;
  provider: PaymentProvider;
  carrier: CarrierPort;
  locations: LocationDirectory;
}


async function orderOf(orders: OrderRepository, orderId: string): Promise<Order> {
  const order = await orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  return order;
}

async function shipmentOf(shipments: ShipmentStore, orderId: string, shipmentId: string): Promise<StoredShipment> {
  const s = await shipments.get(orderId, shipmentId);
  if (!s) throw new NotFoundError(`Shipment ${shipmentId} does not exist`);
  return s;
}

/** Changes and saves a shipment under its version (starting from `known` when the caller just read it), again if it changed meanwhile. */
async function updateShipment(deps: Pick<FulfilmentDeps, "shipments">, orderId: string, shipmentId: string, change: (s: StoredShipment) => StoredShipment, known?: StoredShipment): Promise<StoredShipment> {
  return withOptimisticRetry(`Shipment ${shipmentId}`, async (n) => {
    const current = n === 1 && known ? known : await shipmentOf(deps.shipments, orderId, shipmentId);
    const next = change(current);
    // Only the save that ships it indexes the tracking number; later saves (tracking, alerts) leave the index alone.
    const ships = next.status === "SHIPPED" && current.status !== "SHIPPED";
    return next === current || (await deps.shipments.save(next, current.version, ships)) ? next : AGAIN;
  });
}

/** Moves the order to the status its shipments now imply (SHIPPED, PARTIALLY_SHIPPED, DELIVERED); `reason` goes on the first move. */
export async function followOrderShipments(deps: Pick<FulfilmentDeps, "orders" | "clock"> & { shipments: Pick<ShipmentStore, "ofOrder"> }, orderId: string, reason?: string): Promise<Order> {
  return withOptimisticRetry(`Order ${orderId}`, async () => {
    const [order, shipments] = await Promise.all([orderOf(deps.orders, orderId), deps.shipments.ofOrder(orderId)]);
    const next = followShipments(order, shipments, deps.clock.now(), reason);
    return next === order || (await deps.orders.saveHeader(next, order.version)) ? next : AGAIN;
  });
}

/** What the "Release to location" step's token is answered with once the location handed the parcel over (or set a pickup aside). */
const handoverOutput = (s: StoredShipment) => ({ shipmentId: s.shipmentId, ...(s.pickup ? { readyForPickup: true, pickupBy: s.pickupBy ?? null } : s.handover) });
/** The location's part is done: handed to a carrier, or (pickup) waiting for its customer or beyond. */
const handedOver = (s: StoredShipment) => !!s.handover || (!!s.pickup && ["READY_FOR_PICKUP", "PICKED_UP", "NOT_COLLECTED"].includes(s.status));

/**
 * The workflow's "Release to location" step (waitForTaskToken): creates the shipment, which the
 * table's stream announces as ShipmentReleased (the location's fulfilment request), and keeps the
 * token for the location's callbacks. A step that runs again (a retry, a restart) keeps the
 * shipment and only swaps the token; if the location already answered, it answers at once.
 */
export async function releaseShipment(deps: FulfilmentDeps, orderId: string, planned: PlannedShipment, token: string): Promise<{ shipmentId: string; status: string }> {
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
async function failCancelled(deps: FulfilmentDeps, order: Order, s: StoredShipment, token: string): Promise<void> {
  const current = order.status === "CANCELLED" ? order : await orderOf(deps.orders, order.orderId);
  if (current.status === "CANCELLED") await deps.tasks.fail(token, ORDER_CANCELLED, `Order ${order.orderId} was cancelled`);
  else await deps.tasks.fail(token, SHIPMENT_CANCELLED, `Every line of shipment ${s.shipmentId} was cancelled`);
}

/**
 * A location's callback on its fulfilment request. Progress (accepted, picked, packed) is a
 * heartbeat for the step waiting on the location, whose HeartbeatSeconds is the SLA; `rejected`
 * fails that step (the workflow reroutes); `shipped` completes it (the workflow books the
 * carrier, consumes the stock and captures the payment). For a pickup, `ready_for_pickup`
 * completes it (the customer is told; the collection window starts) and `picked_up` consumes
 * the stock, captures the payment and completes the wait for the customer. Repeating a callback
 * is harmless.
 */
export async function recordFulfilmentEvent(deps: ShipDeps, shipmentId: string, event: FulfilmentEvent): Promise<{ shipmentId: string; status: string; handedOver: boolean }> {
  const orderId = orderIdOfShipment(shipmentId);
  if (!orderId) throw new NotFoundError(`Fulfillment ${shipmentId} does not exist`);
  const order = await orderOf(deps.orders, orderId);
  if (order.status === "CANCELLED") throw new ConflictError(`Order ${orderId} was cancelled: do not ${order.pickup ? "hand it over" : "ship it"}`, { status: order.status });
  if (event.type === "picked_up") {
    const s = await collect(deps, order, shipmentId);
    return { shipmentId, status: s.status, handedOver: true };
  }
  const s = await updateShipment(deps, orderId, shipmentId, (current) => applyFulfilmentEvent(current, event, deps.clock.now()));
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
  const collected = await updateShipment(deps, order.orderId, shipmentId, (current) => applyFulfilmentEvent(current, { type: "picked_up" }, now));
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

/**
 * Captures a shipment's part of the authorization. The amount is decided first, under the
 * payment record's version (so two shipments shipping at once cannot both take the remainder),
 * then captured with the key `<shipmentId>.capture`, then recorded as done.
 */
export async function capturePayment(deps: Pick<ShipDeps, "payments" | "provider">, order: Order, s: Pick<Shipment, "shipmentId" | "lines">): Promise<CaptureRecord | undefined> {
  return withOptimisticRetry(`Payment of ${order.orderId}`, async () => {
    const current = await deps.payments.getVersioned(order.orderId);
    const authorizationId = current?.record.authorizationId;
    if (!current || !authorizationId || current.record.status === "VOIDED" || current.record.status === "DECLINED") return undefined;
    const { record, version } = current;
    const planned = record.captures?.[s.shipmentId];
    if (planned?.captureId) return planned;
    if (!planned) {
      const others = Object.values(record.captures ?? {});
      const before = { amount: others.reduce((n, c) => n + c.amount.amount, 0), units: others.reduce((n, c) => n + c.units, 0) };
      const amount = captureAmountFor(order, s, before);
      // Decided (or lost to another writer): either way, read again and capture what is decided.
      await deps.payments.writeCaptures(order.orderId, { captures: { ...record.captures, [s.shipmentId]: { amount, units: s.lines.reduce((n, l) => n + l.quantity, 0) } } }, version);
      return AGAIN;
    }
    const done = await deps.provider.capture({ orderId: order.orderId, authorizationId, amount: planned.amount, idempotencyKey: `${s.shipmentId}.capture` });
    const captures = { ...(record.captures ?? {}), [s.shipmentId]: { ...planned, captureId: done.captureId, at: done.at } };
    const total = Object.values(captures).reduce((n, c) => n + (c.captureId ? c.amount.amount : 0), 0);
    const status = total >= record.amount.amount ? "CAPTURED" : "PARTIALLY_CAPTURED";
    return (await deps.payments.writeCaptures(order.orderId, { captures, captured: { amount: total, currency: record.amount.currency }, status }, version)) ? captures[s.shipmentId] : AGAIN;
  });
}

/**
 * The workflow's "Await delivery" step (waitForTaskToken): keeps the token for the carrier's
 * delivery scan or the customer's collection, or answers at once if that came first (or if the
 * pickup was cancelled meanwhile).
 */
export async function awaitDelivery(deps: FulfilmentDeps, orderId: string, shipmentId: string, token: string): Promise<{ shipmentId: string; status: string }> {
  await deps.shipments.setToken(orderId, shipmentId, "delivery", token);
  const s = await shipmentOf(deps.shipments, orderId, shipmentId);
  if (s.status === "DELIVERED" || s.status === "PICKED_UP") await deps.tasks.succeed(token, deliveredOutput(s));
  else if (s.status === "CANCELLED") await deps.tasks.fail(token, ORDER_CANCELLED, `Order ${orderId} was cancelled`);
  return { shipmentId, status: s.status };
}

/** "Await delivery" answered: `outcome` DELIVERED (by the carrier) or PICKED_UP (by the customer). */
const deliveredOutput = (s: StoredShipment) => ({ outcome: s.status, shipmentId: s.shipmentId, deliveredAt: s.history.find((h) => h.status === s.status)?.at ?? null });

/**
 * A carrier's tracking update (POST /carriers/{carrier}/tracking, signed). `delivered` completes
 * the shipment, and the order when every unit has arrived; the other updates are kept on the
 * shipment. Unknown tracking numbers are a 404 so the carrier's retries stop being silent.
 */
export async function recordTracking(deps: FulfilmentDeps, carrier: string, update: { trackingNumber: string; status: TrackingStatus; at?: string }): Promise<{ shipmentId: string; orderId: string; status: string }> {
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
