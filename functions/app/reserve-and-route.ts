import { allocationOf, deliveryFor, plannedShipments, reservationLines, shipmentsPlanned, type AllocationRecord, type PlannedShipment } from "../domain/allocation.js";
import { revisionOf } from "../domain/order-change.js";
import { NotFoundError } from "../domain/errors.js";
import { OrderCancelledError } from "../domain/workflow-errors.js";
import { InsufficientStockError } from "../domain/inventory.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import { transition, type Order } from "../domain/order.js";
import { TERMINAL_SHIPMENT_STATUSES, type Shipment } from "../domain/shipment.js";
import { loadRouter, stopwatch } from "./quote-route.js";
import type { Clock, IdGenerator, InventoryReservations, OrderRepository, RoutingData } from "./ports.js";
import type { AllocationStore } from "./ports.js";


export interface ReserveAndRouteDeps {
  orders: OrderRepository;
  allocations: AllocationStore;
  routing: RoutingData;
  inventory: Pick<InventoryReservations, "reserve" | "releaseOrder" | "close">;
  /** The order's shipments so far (absent: none yet). */
  shipments?: { ofOrder(orderId: string): Promise<Pick<Shipment, "shipmentId" | "locationId" | "status" | "lines">[]> };
  clock: Clock;
  ids: IdGenerator;
}

/** Reroutes tried before the lines wait for the next full round. */
const MAX_PLANS = 3;
/** Statuses that follow the order's shipments; a later allocation round leaves them as they are. */
const PAST_ALLOCATION: readonly Order["status"][] = ["PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED", "READY_FOR_PICKUP"];
const LIVE = (s: { status: string }) => s.status !== "REJECTED" && s.status !== "CANCELLED";

/**
 * Routes an order with the optimizer and reserves the plan, all or nothing. The plan is recorded
 * before anything is reserved, so a retry (after a timeout or a crash) reserves the same plan
 * again, which the reservations recognise as a replay: never a second reservation. If stock
 * moved between planning and reserving, the plan is discarded and made again. When stock is short
 * the channel's policy decides: "backorder" reserves nothing and waits; "ship-available" reserves
 * what can go now and records the rest as backordered.
 *
 * An order is allocated in rounds. Round 1 plans every line. When every shipment of a round has
 * ended (delivered, or rejected by its location) and lines are left (rejected, or backordered
 * under "ship-available"), the next call opens the next round: it plans only those lines, never
 * at a location that rejected this order. `replan` plans a backordered round again (stock came in).
 */
export async function reserveAndRoute(deps: ReserveAndRouteDeps, orderId: string, options: { budgetMs?: number; replan?: boolean } = {}): Promise<AllocationRecord> {
  const found = await deps.orders.get(orderId);
  if (!found) throw new NotFoundError(`Order ${orderId} does not exist`);
  let order: Order = found;
  if (order.status === "CANCELLED") throw new OrderCancelledError(`Order ${orderId} was cancelled`);
  const shipments = (await deps.shipments?.ofOrder(orderId)) ?? [];
  const latest = await deps.allocations.get(orderId);
  const closed = latest?.outcome === "ALLOCATED" && latest.shipments.every((p) => shipments.some((s) => s.shipmentId === p.shipmentId && TERMINAL_SHIPMENT_STATUSES.includes(s.status)));
  const round = !latest ? 1 : closed ? latest.round + 1 : latest.round;
  // A backorder planned again: the new plan replaces the old in one write, so readers never see none.
  let replacing = latest && !closed && latest.outcome === "BACKORDERED" && options.replan ? latest.planId : undefined;
  // Stock taken by another order since planning, or the order changed meanwhile: plan again.
  return withOptimisticRetry(`Routing of order ${orderId}`, async (n) => {
    const current = n === 1 ? latest : await deps.allocations.get(orderId);
    const record = current && current.round === round && current.planId !== replacing ? current : await plan(deps, order, round, shipments, options, replacing);
    replacing = undefined;
    if (record.outcome === "ALLOCATED") {
      try {
        await deps.inventory.reserve(allocationOf(record));
      } catch (error) {
        if (!(error instanceof InsufficientStockError)) throw error;
        await deps.allocations.discard(orderId, record.planId, round);
        return AGAIN;
      }
    }
    if (await moveTo(deps, orderId, record)) return record;
    // The order's lines or address changed since this plan was made: give its stock back and plan the order as it is now.
    if (record.outcome === "ALLOCATED") await deps.inventory.close(orderId, reservationLines(record.shipments), "RELEASED");
    await deps.allocations.discard(orderId, record.planId, round);
    order = (await deps.orders.get(orderId))!;
    return AGAIN;
  });
}

/**
 * A location rejected (or missed its SLA on) a shipment: its lines are planned again at once, as
 * a round of their own, so they need not wait for the order's other shipments. Only a plan that
 * puts every withdrawn unit in one shipment at one location is taken, and reserved; the workflow's
 * branch then releases it in place of the withdrawn one. Anything else (no stock, a split) answers
 * undefined and the lines wait for the next full round. Run again (a retry), it returns the same
 * shipment: the round records which shipment it replaces, and reserving it again is a replay.
 */
export async function rerouteShipment(deps: ReserveAndRouteDeps, orderId: string, withdrawn: Pick<Shipment, "shipmentId" | "lines">, options: { budgetMs?: number; sameId?: boolean } = {}): Promise<PlannedShipment | undefined> {
  const order = await deps.orders.get(orderId);
  if (!order || order.status === "CANCELLED") return undefined;
  return withOptimisticRetry(`Rerouting of shipment ${withdrawn.shipmentId}`, async (): Promise<PlannedShipment | undefined | typeof AGAIN> => {
    const rounds = await deps.allocations.all(orderId);
    let record = rounds.find((r) => r.replaces === withdrawn.shipmentId);
    if (!record) {
      const shipments = (await deps.shipments?.ofOrder(orderId)) ?? [];
      const destination = destinationOf(order);
      if (!destination) return undefined;
      const excludedLocations = [...new Set(shipments.filter((s) => s.status === "REJECTED").map((s) => s.locationId))];
      const { router, rules } = await loadRouter(deps.routing, { channel: order.channel, lines: withdrawn.lines, delivery: destination.delivery, excludeLocations: excludedLocations });
      const p = router.optimize({ budgetMs: options.budgetMs, stopwatch });
      if (p.backordered.length > 0 || p.shipments.length !== 1) return undefined;
      const round = (rounds.at(-1)?.round ?? 0) + 1;
      // The waiting rest of an order keeps its shipment id (its workflow branch follows it); a reroute gets a new one.
      const next = plannedShipments(orderId, p, round, shipmentsPlanned(rounds)).map((s) => (options.sameId ? { ...s, shipmentId: withdrawn.shipmentId } : s));
      const candidate: AllocationRecord = { orderId, planId: deps.ids.next(), round, createdAt: deps.clock.now(), approximateDestination: destination.approximate, excludedLocations, replaces: withdrawn.shipmentId, outcome: "ALLOCATED", shipments: next, backordered: [], cost: p.cost, algorithm: p.algorithm, rulesVersion: rules.version, shortagePolicy: rules.shortagePolicy };
      // Another branch may have taken this round number at the same moment: plan again under the next.
      if (!(await deps.allocations.create(candidate))) return AGAIN;
      record = candidate;
    }
    try {
      await deps.inventory.reserve(allocationOf(record));
    } catch (error) {
      if (!(error instanceof InsufficientStockError)) throw error;
      // Stock moved since planning: give the round up; the lines wait for the next full round.
      await deps.allocations.discard(orderId, record.planId, record.round);
      return undefined;
    }
    return record.shipments[0];
  }, { attempts: MAX_PLANS, otherwise: () => undefined });
}

/** Where the order goes: a pickup order to its store, any other to its address. */
function destinationOf(order: Order) {
  // A pickup order is served by its store alone (routing filters every other location out).
  if (order.pickup) return { delivery: { kind: "pickup" as const, locationId: order.pickup.locationId }, approximate: false };
  return order.shippingAddress ? deliveryFor(order.shippingAddress) : undefined;
}

/** Lines of the order not yet in a live shipment (one not rejected or cancelled). */
export function remainingLines(order: Pick<Order, "lines">, shipments: Pick<Shipment, "status" | "lines">[]): { lineId: string; sku: string; quantity: number }[] {
  const taken = new Map<string, number>();
  for (const s of shipments.filter(LIVE)) for (const l of s.lines) taken.set(l.lineId, (taken.get(l.lineId) ?? 0) + l.quantity);
  return order.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity - (taken.get(l.lineId) ?? 0) })).filter((l) => l.quantity > 0);
}

async function plan(deps: ReserveAndRouteDeps, order: Order, round: number, shipments: Pick<Shipment, "shipmentId" | "locationId" | "status" | "lines">[], options: { budgetMs?: number }, replacing?: string): Promise<AllocationRecord> {
  const destination = destinationOf(order);
  const lines = remainingLines(order, shipments);
  const excludedLocations = [...new Set(shipments.filter((s) => s.status === "REJECTED").map((s) => s.locationId))];
  const planned = round === 1 ? 0 : shipmentsPlanned((await deps.allocations.all(order.orderId)).filter((r) => r.round < round));
  const now = deps.clock.now();
  const base = { orderId: order.orderId, planId: deps.ids.next(), round, createdAt: now, orderRevision: revisionOf(order), approximateDestination: destination?.approximate ?? false, ...(excludedLocations.length ? { excludedLocations } : {}), ...(order.exchangeOf ? { exchangeOf: order.exchangeOf.returnId } : {}) };
  let record: AllocationRecord;
  const nothing = { currency: order.currency, total: 0, shipments: 0, handling: 0, carriage: 0, splitPenalty: 0, late: 0, unfulfilled: 0 };
  if (lines.length === 0) {
    // Every unit left is in a shipment already (the rest was cancelled): nothing to route.
    record = { ...base, outcome: "ALLOCATED", shipments: [], backordered: [], cost: nothing, algorithm: "optimizer", rulesVersion: 0, shortagePolicy: "backorder" };
  } else if (!destination) {
    record = { ...base, outcome: "BACKORDERED", shipments: [], backordered: lines, cost: nothing, algorithm: "optimizer", rulesVersion: 0, shortagePolicy: "backorder" };
  } else {
    const { router, rules } = await loadRouter(deps.routing, { channel: order.channel, lines, delivery: destination.delivery, excludeLocations: excludedLocations });
    const p = router.optimize({ budgetMs: options.budgetMs, stopwatch });
    const short = p.backordered.length > 0;
    const holdAll = p.shipments.length === 0 || (short && rules.shortagePolicy === "backorder");
    const shipments = holdAll ? [] : plannedShipments(order.orderId, p, round, planned);
    record = {
      ...base,
      outcome: holdAll ? "BACKORDERED" : "ALLOCATED",
      shipments,
      backordered: holdAll ? lines : p.backordered,
      // What can go now goes; the rest waits for stock beside it, as a shipment of its own.
      ...(!holdAll && short ? { awaiting: { shipmentId: `${order.orderId}-S${planned + shipments.length + 1}`, locationId: "", round, lines: p.backordered.map((l) => ({ ...l })), awaitingStock: true } } : {}),
      cost: p.cost,
      algorithm: p.algorithm,
      rulesVersion: rules.version,
      shortagePolicy: rules.shortagePolicy,
    };
  }
  // A concurrent attempt may have recorded its plan first: that one wins.
  if (replacing ? await deps.allocations.replace(record, replacing) : await deps.allocations.create(record)) return record;
  return (await deps.allocations.get(order.orderId))!;
}

/** Moves the order to the plan's outcome; false when the plan is stale (the order changed since it was made). */
async function moveTo(deps: ReserveAndRouteDeps, orderId: string, record: AllocationRecord): Promise<boolean> {
  return withOptimisticRetry(`Order ${orderId}`, async () => {
    const order = (await deps.orders.get(orderId))!;
    if (order.status === "CANCELLED") {
      // Cancelled while we reserved: give the stock back, and stop the workflow.
      await deps.inventory.releaseOrder(orderId);
      throw new OrderCancelledError(`Order ${orderId} was cancelled while it was being routed`);
    }
    if (revisionOf(order) !== (record.orderRevision ?? 1)) return false;
    // Once something shipped, the order's status follows its shipments, not its allocation rounds.
    if (order.status === record.outcome || PAST_ALLOCATION.includes(order.status)) return true;
    const reason = record.backordered.length ? `${record.backordered.reduce((t, b) => t + b.quantity, 0)} unit(s) backordered` : undefined;
    const next = transition(order, record.outcome, deps.clock.now(), reason);
    return (await deps.orders.saveHeader(next, order.version)) ? true : AGAIN;
  });
}
