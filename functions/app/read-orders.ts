import { NotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import { ENDED_WITHOUT_GOODS } from "../domain/return.js";
import type { OrderListItem, OrderQuery, OrderRepository, Page, StoredReturn } from "./ports.js";

/** One order with its lines and status history. */
export async function getOrder(orders: OrderRepository, orderId: string): Promise<Order> {
  const order = await orders.get(orderId);
  if (!order) throw new NotFoundError(`Order ${orderId} does not exist`);
  return order;
}

/** A page of orders, newest first, optionally by status and/or channel. */
export function listOrders(orders: OrderRepository, query: OrderQuery): Promise<Page<OrderListItem>> {
  return orders.list(query);
}

/** The returns part of an order's view: how many, which are open, units returned, what was refunded in all (returns and changes). */
export function returnsSummary(returns: Pick<StoredReturn, "returnId" | "status" | "lines">[], currency: string, refunded: number) {
  const open = returns.filter((r) => r.status !== "CLOSED" && !ENDED_WITHOUT_GOODS.includes(r.status));
  return { count: returns.length, open: open.map((r) => ({ returnId: r.returnId, status: r.status })), units: returns.filter((r) => !ENDED_WITHOUT_GOODS.includes(r.status)).reduce((n, r) => n + r.lines.reduce((a, l) => a + l.quantity, 0), 0), refunded: { amount: refunded, currency }, items: returns.map((r) => ({ returnId: r.returnId, status: r.status, url: `/returns/${r.returnId}` })) };
}
