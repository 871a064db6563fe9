import { NotFoundError } from "../domain/errors.js";
import type { Order } from "../domain/order.js";
import type { OrderListItem, OrderQuery, OrderRepository, Page } from "./ports.js";

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
