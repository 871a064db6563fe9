import { reservationLines, type PlannedShipment } from "../domain/allocation.js";
import { NotFoundError } from "../domain/errors.js";
import { moveShipment } from "../domain/shipment.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { AllocateDeps } from "./backorders.js";
import { ORDER_CANCELLED } from "../domain/workflow-errors.js";
import { changeOrder, type ChangeOrderDeps } from "./change-order.js";
import { SHIPMENT_CANCELLED } from "../domain/workflow-errors.js";
import { dayOf } from "./quote-route.js";
import { rerouteShipment } from "./reserve-and-route.js";
import type { CapacityUsage, ShipmentStore } from "./ports.js";

export interface AwaitingStockDeps {
  allocate: AllocateDeps;
  shipments: ShipmentStore;
  capacity?: Pick<CapacityUsage, "countRelease">;
}

const lineKey = (lines: PlannedShipment["lines"]) => lines.map((l) => `${l.lineId}:${l.sku}:${l.quantity}`).sort().join(",");
const sameLines = (a: PlannedShipment["lines"], b: PlannedShipment["lines"]) => lineKey(a) === lineKey(b);

/**
 * The workflow's "Wait for stock" step (waitForTaskToken) for the rest of a short order under
 * "ship-available": its token is parked under the SKUs it waits for, beside the order's other
 * shipments, which go on. Stock that came in before parking is not missed: it tries at once.
 */
export async function waitForStock(deps: AwaitingStockDeps, orderId: string, planned: Pick<PlannedShipment, "shipmentId" | "lines">, token: string): Promise<{ outcome: string }> {
  const units: Record<string, number> = {};
  for (const l of planned.lines) units[l.sku] = (units[l.sku] ?? 0) + l.quantity;
  await deps.allocate.backorders.park(orderId, Object.keys(units), token, deps.allocate.clock.now(), planned.shipmentId, units);
  return restock(deps, orderId, planned.shipmentId, token);
}

/**
 * Stock came in (or the step parked): if one location can now take the whole rest, it is reserved
 * there as a round of its own (which names the shipment it fills, so a retry replays it), the
 * shipment is RELEASED there in place (the stream announces ShipmentReleased: the location's
 * request) and the waiting step is answered; its branch then waits on the location like any
 * other. Otherwise it waits on. A cancelled order or shipment ends the wait.
 */
export async function restock(deps: AwaitingStockDeps, orderId: string, shipmentId: string, token: string): Promise<{ outcome: "RELEASED" | "WAITING" | "CANCELLED" }> {
  // Others keep changing it (another resume, a cut): they will answer the step; the next stock event looks again.
  return withOptimisticRetry(`Shipment ${shipmentId}`, () => restockOnce(deps, orderId, shipmentId, token), { otherwise: () => ({ outcome: "WAITING" as const }) });
}

async function restockOnce(deps: AwaitingStockDeps, orderId: string, shipmentId: string, token: string): Promise<{ outcome: "RELEASED" | "WAITING" | "CANCELLED" } | typeof AGAIN> {
  const { orders, tasks, backorders, clock } = deps.allocate;
  const [order, s] = await Promise.all([orders.get(orderId), deps.shipments.get(orderId, shipmentId)]);
  if (!order || !s) throw new NotFoundError(`Shipment ${shipmentId} does not exist`);
  if (order.status === "CANCELLED" || s.status === "CANCELLED") {
    await tasks.fail(token, order.status === "CANCELLED" ? ORDER_CANCELLED : SHIPMENT_CANCELLED, `Shipment ${shipmentId} was cancelled`);
    await backorders.unpark(orderId);
    return { outcome: "CANCELLED" };
  }
  if (s.status !== "AWAITING_STOCK") {
    await tasks.succeed(token, { shipmentId, locationId: s.locationId, round: s.round, lines: s.lines });
    await backorders.unpark(orderId);
    return { outcome: "RELEASED" };
  }
  const planned = await rerouteShipment(deps.allocate, orderId, { shipmentId, lines: s.lines }, { sameId: true, budgetMs: 200 });
  if (!planned) return { outcome: "WAITING" };
  const now = clock.now();
  const released = { ...moveShipment(s, "RELEASED", now, `stock came in at ${planned.locationId}`), locationId: planned.locationId, round: planned.round };
  // Lines cut since the plan was made (a cancellation): give its stock back and plan again.
  if (!sameLines(planned.lines, s.lines)) {
    await deps.allocate.inventory.close(orderId, reservationLines([planned]), "RELEASED");
    await deps.allocate.allocations.discard(orderId, (await deps.allocate.allocations.all(orderId)).find((r) => r.replaces === shipmentId)?.planId ?? "", planned.round);
    return AGAIN;
  }
  // Changed under us (another resume released it with this same plan, or a cut): look again from the top.
  if (!(await deps.shipments.save(released, s.version))) return AGAIN;
  await deps.capacity?.countRelease(planned.locationId, dayOf(now));
  await tasks.succeed(token, planned);
  await backorders.unpark(orderId);
  return { outcome: "RELEASED" };
}

/**
 * The wait for stock ran out (its TimeoutSeconds, 14 days, is the longest a backorder waits): the
 * rest is closed short, an order change that cancels exactly this shipment's units (the totals and
 * the payment follow; the shipment is CANCELLED). The branch ends; the order follows what shipped.
 */
export async function closeRemainder(deps: AwaitingStockDeps & { change: ChangeOrderDeps }, orderId: string, shipmentId: string, reason: string): Promise<{ outcome: string }> {
  const parking = await deps.allocate.backorders.parkingOf(orderId);
  if (parking?.shipmentId === shipmentId) await deps.allocate.backorders.unpark(orderId);
  const s = await deps.shipments.get(orderId, shipmentId);
  if (!s) throw new NotFoundError(`Shipment ${shipmentId} does not exist`);
  if (s.status !== "AWAITING_STOCK" && !(s.status === "CANCELLED" && s.amendments?.length)) return { outcome: s.status };
  const lines = s.status === "CANCELLED" ? s.amendments!.at(-1)!.removed : s.lines;
  await changeOrder(deps.change, orderId, { kind: "close-short", lines: lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })), fromShipment: shipmentId }, { actor: "order workflow", reason, idempotencyKey: `${shipmentId}.close-short` });
  return { outcome: "CLOSED" };
}
