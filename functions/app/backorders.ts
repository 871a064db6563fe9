import { branchesOf, type AllocationRecord } from "../domain/allocation.js";
import { OrderCancelledError } from "../domain/workflow-errors.js";
import { reserveAndRoute, type ReserveAndRouteDeps } from "./reserve-and-route.js";
import type { Clock, TaskResponder } from "./ports.js";
import type { BackorderStore } from "./ports.js";


export interface AllocateDeps extends ReserveAndRouteDeps {
  backorders: BackorderStore;
  tasks: TaskResponder;
  clock: Clock;
}

/** What the workflow's "Reserve and route" step continues with. */
export const allocationOutput = (r: AllocationRecord) => ({ outcome: r.outcome, round: r.round, shipments: branchesOf(r), backordered: r.awaiting ? [] : r.backordered, at: r.createdAt });

/**
 * The workflow's "Reserve and route" step (waitForTaskToken). Reserved: the step is answered at
 * once. Short of stock under the "backorder" policy: the order is parked under each missing SKU
 * and the step waits (its TimeoutSeconds is the longest a backorder waits) until stock comes in
 * (`resumeBackorders`). Stock that arrived between planning and parking is not missed: after
 * parking, the order is planned once more.
 */
export async function allocateOrWait(deps: AllocateDeps, orderId: string, token: string, options: { budgetMs?: number } = {}): Promise<{ outcome: AllocationRecord["outcome"] }> {
  const record = await reserveAndRoute(deps, orderId, options);
  if (record.outcome === "ALLOCATED" && record.exchangeOf && (await deps.orders.get(orderId))?.exchangeOf?.awaitingReturn) return awaitReturn(deps, orderId, token, record);
  if (record.outcome === "ALLOCATED") {
    await deps.tasks.succeed(token, allocationOutput(record));
    return { outcome: record.outcome };
  }
  const units: Record<string, number> = {};
  for (const l of record.backordered) units[l.sku] = (units[l.sku] ?? 0) + l.quantity;
  await deps.backorders.park(orderId, Object.keys(units), token, deps.clock.now(), undefined, units);
  return tryAgain(deps, orderId, token, options);
}

/**
 * A regular exchange's replacement, reserved: it waits here (parked under no SKU, so no stock
 * resumes it) until its return's goods are accepted (functions/app/exchanges.ts answers it).
 * Accepted between the check and the parking: it goes on at once.
 */
async function awaitReturn(deps: AllocateDeps, orderId: string, token: string, record: AllocationRecord): Promise<{ outcome: AllocationRecord["outcome"] }> {
  await deps.backorders.park(orderId, [], token, deps.clock.now());
  const order = await deps.orders.get(orderId);
  if (order && (!order.exchangeOf?.awaitingReturn || order.status === "CANCELLED")) {
    await deps.backorders.unpark(orderId);
    if (order.status === "CANCELLED") await deps.tasks.fail(token, "OrderCancelledError", `Order ${orderId} was cancelled`);
    else await deps.tasks.succeed(token, allocationOutput(record));
  }
  return { outcome: record.outcome };
}

/** Plans a parked order again; answers its waiting step when it can now be reserved (or was cancelled). */
export async function tryAgain(deps: AllocateDeps, orderId: string, token: string, options: { budgetMs?: number }): Promise<{ outcome: AllocationRecord["outcome"] }> {
  let record: AllocationRecord;
  try {
    record = await reserveAndRoute(deps, orderId, { ...options, replan: true });
  } catch (error) {
    if (!(error instanceof OrderCancelledError)) throw error;
    await deps.backorders.unpark(orderId);
    await deps.tasks.fail(token, "OrderCancelledError", error.message);
    return { outcome: "BACKORDERED" };
  }
  if (record.outcome === "ALLOCATED" && record.exchangeOf && (await deps.orders.get(orderId))?.exchangeOf?.awaitingReturn) {
    // The replacement's stock came in before its return's goods: it waits for them now, reserved.
    await deps.backorders.unpark(orderId);
    return awaitReturn(deps, orderId, token, record);
  }
  if (record.outcome === "ALLOCATED") {
    await deps.tasks.succeed(token, allocationOutput(record));
    await deps.backorders.unpark(orderId);
  }
  return { outcome: record.outcome };
}

/**
 * Stock of a SKU came in (BackInStock, a receipt): the orders waiting for it, oldest first, are
 * planned again; each one that can now be reserved goes on with its workflow.
 */
export async function resumeBackorders(deps: AllocateDeps, sku: string, options: { budgetMs?: number; limit?: number; restock?: (orderId: string, shipmentId: string, token: string) => Promise<{ outcome: string }> } = {}): Promise<{ resumed: string[]; waiting: string[] }> {
  const resumed: string[] = [];
  const waiting: string[] = [];
  for (const orderId of await deps.backorders.waitingFor(sku, options.limit ?? 50)) {
    const parking = await deps.backorders.parkingOf(orderId);
    if (!parking) continue;
    // The awaiting rest of an order that is shipping the rest of it, or the order's whole allocation.
    const { outcome } = parking.shipmentId && options.restock ? await options.restock(orderId, parking.shipmentId, parking.token) : await tryAgain(deps, orderId, parking.token, options);
    (outcome === "ALLOCATED" || outcome === "RELEASED" ? resumed : waiting).push(orderId);
  }
  return { resumed, waiting };
}
