import { NotFoundError } from "../domain/errors.js";
import { transition, type OrderStatus } from "../domain/order.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Clock, OrderRepository } from "./ports.js";

export interface ChangeStatusDeps {
  orders: OrderRepository;
  clock: Clock;
}

export interface ChangeStatusCommand {
  orderId: string;
  status: OrderStatus;
  reason?: string;
}

/**
 * Moves an order along an allowed edge with optimistic locking. Re-applying a change the order
 * already shows is a no-op, so a workflow step retried after a timeout does not fail.
 */
export async function changeOrderStatus(
  deps: ChangeStatusDeps,
  command: ChangeStatusCommand,
): Promise<{ orderId: string; status: OrderStatus; changed: boolean; at: string }> {
  return withOptimisticRetry(`Order ${command.orderId}`, async () => {
    const order = await deps.orders.get(command.orderId);
    if (!order) throw new NotFoundError(`Order ${command.orderId} does not exist`);
    const last = order.statusHistory.at(-1);
    if (order.status === command.status)
      return { orderId: order.orderId, status: order.status, changed: false, at: last?.at ?? order.updatedAt };
    const next = transition(order, command.status, deps.clock.now(), command.reason);
    if (await deps.orders.saveHeader(next, order.version))
      return { orderId: next.orderId, status: next.status, changed: true, at: next.updatedAt };
    return AGAIN;
  });
}
