import { allocationOf, deliveryFor, plannedShipments, type AllocationRecord } from "../domain/allocation.js";
import { NotFoundError, OrderCancelledError } from "../domain/errors.js";
import { InsufficientStockError, type Allocation } from "../domain/inventory.js";
import { transition, type Order } from "../domain/order.js";
import type { Clock, IdGenerator, OrderRepository } from "../domain/ports.js";
import { loadRouter, type RoutingData } from "./quote-route.js";

/** Where allocation decisions are kept, one per order. */
export interface AllocationStore {
  get(orderId: string): Promise<AllocationRecord | undefined>;
  /** Stores the record unless the order already has one; false when it had. */
  create(record: AllocationRecord): Promise<boolean>;
  /** Removes the record if it is still the given plan (a plan that lost its race for stock). */
  discard(orderId: string, planId: string): Promise<void>;
}

export interface ReserveAndRouteDeps {
  orders: OrderRepository;
  allocations: AllocationStore;
  routing: RoutingData;
  inventory: { reserve(a: Allocation): Promise<unknown>; releaseOrder(orderId: string): Promise<number> };
  clock: Clock;
  ids: IdGenerator;
}

const MAX_PLANS = 3;
const MAX_STATUS_ATTEMPTS = 5;

/**
 * Routes a confirmed order with the optimizer and reserves the plan, all or nothing. The plan is
 * recorded before anything is reserved, so a retry (after a timeout or a crash) reserves the
 * same plan again, which the reservations recognise as a replay: never a second reservation. If
 * stock moved between planning and reserving, the plan is discarded and made again. When stock is
 * short the channel's policy decides: "backorder" reserves nothing and waits; "ship-available"
 * reserves what can go now and records the rest as backordered.
 */
export async function reserveAndRoute(deps: ReserveAndRouteDeps, orderId: string, options: { budgetMs?: number } = {}): Promise<AllocationRecord> {
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  if (order.status === "CANCELLED") throw new OrderCancelledError(`Order ${orderId} was cancelled`);
  for (let attempt = 1; ; attempt++) {
    const record = (await deps.allocations.get(orderId)) ?? (await plan(deps, order, options));
    if (record.outcome === "ALLOCATED") {
      try {
        await deps.inventory.reserve(allocationOf(record));
      } catch (error) {
        if (!(error instanceof InsufficientStockError) || attempt >= MAX_PLANS || order.status === "ALLOCATED") throw error;
        await deps.allocations.discard(orderId, record.planId);
        continue;
      }
    }
    await moveTo(deps, orderId, record);
    return record;
  }
}

async function plan(deps: ReserveAndRouteDeps, order: Order, options: { budgetMs?: number }): Promise<AllocationRecord> {
  const destination = deliveryFor(order.shippingAddress);
  const lines = order.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity }));
  const now = deps.clock.now();
  const base = { orderId: order.orderId, planId: deps.ids.next(), createdAt: now, approximateDestination: destination?.approximate ?? false };
  let record: AllocationRecord;
  if (!destination) {
    record = { ...base, outcome: "BACKORDERED", shipments: [], backordered: lines, cost: { currency: order.currency, total: 0, shipments: 0, handling: 0, carriage: 0, splitPenalty: 0, late: 0, unfulfilled: 0 }, algorithm: "optimizer", rulesVersion: 0, shortagePolicy: "backorder" };
  } else {
    const { router, rules } = await loadRouter(deps.routing, { channel: order.channel, lines, delivery: destination.delivery });
    const p = router.optimize(options);
    const short = p.backordered.length > 0;
    const holdAll = p.shipments.length === 0 || (short && rules.shortagePolicy === "backorder");
    record = {
      ...base,
      outcome: holdAll ? "BACKORDERED" : "ALLOCATED",
      shipments: holdAll ? [] : plannedShipments(order.orderId, p),
      backordered: holdAll ? lines : p.backordered,
      cost: p.cost,
      algorithm: p.algorithm,
      rulesVersion: rules.version,
      shortagePolicy: rules.shortagePolicy,
    };
  }
  // A concurrent attempt may have recorded its plan first: that one wins.
  if (await deps.allocations.create(record)) return record;
  return (await deps.allocations.get(order.orderId))!;
}

async function moveTo(deps: ReserveAndRouteDeps, orderId: string, record: AllocationRecord): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const order = (await deps.orders.get(orderId))!;
    if (order.status === record.outcome) return;
    if (order.status === "CANCELLED") {
      // Cancelled while we reserved: give the stock back, and stop the workflow.
      await deps.inventory.releaseOrder(orderId);
      throw new OrderCancelledError(`Order ${orderId} was cancelled while it was being routed`);
    }
    const reason = record.backordered.length ? `${record.backordered.reduce((t, b) => t + b.quantity, 0)} unit(s) backordered` : undefined;
    const next = transition(order, record.outcome, deps.clock.now(), reason);
    if (await deps.orders.saveHeader(next, order.version)) return;
    if (attempt >= MAX_STATUS_ATTEMPTS) throw new Error(`Order ${orderId} kept changing under us; gave up after ${attempt} attempts`);
  }
}
