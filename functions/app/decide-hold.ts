import { HOLD_CANCELLED } from "../domain/workflow-errors.js";
import { ConflictError, NotFoundError } from "../domain/errors.js";
import type { FieldIssue } from "../domain/errors.js";
import { transition, type Order, type OrderStatus } from "../domain/order.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Clock, OrderRepository } from "./ports.js";
import type { HoldStore, TaskResponder } from "./ports.js";

/** Where the workflow's task token for a held order is kept. */

/** Answers the workflow task waiting on a hold. */

export interface HoldDeps {
  orders: OrderRepository;
  holds: HoldStore;
  tasks: TaskResponder;
  clock: Clock;
  /** What still stops a held order (checked before a release, so an order held for its channel payload goes on only once fixed). */
  problems(order: Order): Promise<FieldIssue[]>;
}

/**
 * An operator's decision on a held order: release (on to reserve and route) or cancel. The status
 * changes first; then the waiting task is answered if its token is known yet. If the workflow has
 * not parked its token, the step that parks it finds the decision and answers itself
 * (`parkHoldToken`), so the order of the two never matters. Repeating a decision is harmless.
 */
export async function decideHold(deps: HoldDeps, orderId: string, decision: "release" | "cancel", actor: string): Promise<{ orderId: string; status: OrderStatus }> {
  const target: OrderStatus = decision === "release" ? "CONFIRMED" : "CANCELLED";
  return withOptimisticRetry(`Order ${orderId}`, async () => {
    const order = await deps.orders.get(orderId);
    if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
    const decided = order.statusHistory.some((h, i) => i > 0 && order.statusHistory[i - 1]?.status === "ON_HOLD" && h.status === target);
    if (order.status !== "ON_HOLD" && !decided) throw new ConflictError(`Order ${orderId} is ${order.status}, not on hold`, { status: order.status });
    if (order.status === "ON_HOLD") {
      const problems = decision === "release" ? await deps.problems(order) : [];
      if (problems.length > 0)
        throw new ConflictError(`Order ${orderId} cannot be released yet: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}; change the order (PATCH /orders/${orderId}) first`, { problems });
      const next = transition(order, target, deps.clock.now(), `hold ${decision === "release" ? "released" : "cancelled"} by ${actor}`);
      if (!(await deps.orders.saveHeader(next, order.version))) return AGAIN;
    }
    const token = await deps.holds.getToken(orderId);
    if (token) await answer(deps.tasks, token, target);
    // Decided earlier: the order may have moved on since (e.g. to ALLOCATED).
    return { orderId, status: order.status === "ON_HOLD" ? target : order.status };
  });
}

/** The workflow's "Wait for hold release" step: keeps the token, and answers at once if the decision came first. */
export async function parkHoldToken(deps: HoldDeps, orderId: string, token: string): Promise<void> {
  await deps.holds.putToken(orderId, token, deps.clock.now());
  const order = await deps.orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  if (order.status === "ON_HOLD") return;
  await answer(deps.tasks, token, order.status === "CANCELLED" ? "CANCELLED" : "CONFIRMED");
}

async function answer(tasks: TaskResponder, token: string, status: OrderStatus): Promise<void> {
  if (status === "CANCELLED") await tasks.fail(token, HOLD_CANCELLED, "The hold was cancelled by an operator");
  else await tasks.succeed(token, { released: true });
}
