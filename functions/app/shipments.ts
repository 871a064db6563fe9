import { NotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import { followShipments } from "../domain/shipment.js";
import type { CapacityUsage, CaptureStore, CarrierPort, Clock, InventoryReservations, LocationDirectory, OrderRepository, PaymentProvider, PaymentStore, ShipmentStore, StoredShipment, WorkflowTasks } from "./ports.js";

/**
 * What the fulfillment use cases share: their dependencies, the shipment read-change-save loop,
 * and the order following its shipments. The steps themselves live beside it: release-shipment,
 * location-events, ship-shipment, capture-payment, delivery.
 */

export interface FulfillmentDeps {
  orders: OrderRepository;
  shipments: ShipmentStore;
  tasks: WorkflowTasks;
  clock: Clock;
  /** Counts each shipment released against its location's daily capacity. */
  capacity?: Pick<CapacityUsage, "countRelease">;
}
export interface ShipDeps extends FulfillmentDeps {
  inventory: Pick<InventoryReservations, "close" | "releaseOrder">;
  payments: CaptureStore & PaymentStore;
  provider: PaymentProvider;
  carrier: CarrierPort;
  locations: LocationDirectory;
}
export async function orderOf(orders: OrderRepository, orderId: string): Promise<Order> {
  const order = await orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  return order;
}
export async function shipmentOf(shipments: ShipmentStore, orderId: string, shipmentId: string): Promise<StoredShipment> {
  const s = await shipments.get(orderId, shipmentId);
  if (!s) throw new NotFoundError(`Shipment ${shipmentId} does not exist`);
  return s;
}
/** Changes and saves a shipment under its version (starting from `known` when the caller just read it), again if it changed meanwhile. */
export async function updateShipment(deps: Pick<FulfillmentDeps, "shipments">, orderId: string, shipmentId: string, change: (s: StoredShipment) => StoredShipment, known?: StoredShipment): Promise<StoredShipment> {
  return withOptimisticRetry(`Shipment ${shipmentId}`, async (n) => {
    const current = n === 1 && known ? known : await shipmentOf(deps.shipments, orderId, shipmentId);
    const next = change(current);
    // Only the save that ships it indexes the tracking number; later saves (tracking, alerts) leave the index alone.
    const ships = next.status === "SHIPPED" && current.status !== "SHIPPED";
    return next === current || (await deps.shipments.save(next, current.version, ships)) ? next : AGAIN;
  });
}
/** Moves the order to the status its shipments now imply (SHIPPED, PARTIALLY_SHIPPED, DELIVERED); `reason` goes on the first move. */
export async function followOrderShipments(deps: Pick<FulfillmentDeps, "orders" | "clock"> & { shipments: Pick<ShipmentStore, "ofOrder"> }, orderId: string, reason?: string): Promise<Order> {
  return withOptimisticRetry(`Order ${orderId}`, async () => {
    const [order, shipments] = await Promise.all([orderOf(deps.orders, orderId), deps.shipments.ofOrder(orderId)]);
    const next = followShipments(order, shipments, deps.clock.now(), reason);
    return next === order || (await deps.orders.saveHeader(next, order.version)) ? next : AGAIN;
  });
}
/** What the "Release to location" step's token is answered with once the location handed the parcel over (or set a pickup aside). */
export const handoverOutput = (s: StoredShipment) => ({ shipmentId: s.shipmentId, ...(s.pickup ? { readyForPickup: true, pickupBy: s.pickupBy ?? null } : s.handover) });
/** The location's part is done: handed to a carrier, or (pickup) waiting for its customer or beyond. */
export const handedOver = (s: StoredShipment) => !!s.handover || (!!s.pickup && ["READY_FOR_PICKUP", "PICKED_UP", "NOT_COLLECTED"].includes(s.status));
/** "Await delivery" answered: `outcome` DELIVERED (by the carrier) or PICKED_UP (by the customer). */
export const deliveredOutput = (s: StoredShipment) => ({ outcome: s.status, shipmentId: s.shipmentId, deliveredAt: s.history.find((h) => h.status === s.status)?.at ?? null });
