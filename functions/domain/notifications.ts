import { ORDER_EVENTS } from "./events.js";
import { format, type Money } from "./money.js";
import type { Customer } from "./order.js";

export type NotificationChannel = "email" | "sms";

/** A message the OMS sends (or, until senders exist, records) for a customer. */
export interface Notification {
  channel: NotificationChannel;
  template: string;
  recipient: string;
  subject?: string;
  text: string;
}

/** The part of an order event's data the templates read. */
export interface NotifiableOrder {
  orderId: string;
  externalOrderId: string;
  customer: Customer;
  grandTotal: Money;
  itemCount: number;
  problems?: { path: string; message: string }[];
}

/** Notifications for one order event; an event no customer hears about renders none. */
export function renderOrderNotifications(detailType: string, order: NotifiableOrder): Notification[] {
  const first = order.customer.name.split(/\s+/)[0] ?? order.customer.name;
  const ref = order.externalOrderId;
  switch (detailType) {
    case ORDER_EVENTS.confirmed: {
      const items = `${order.itemCount} item${order.itemCount === 1 ? "" : "s"}`;
      const out: Notification[] = [
        {
          channel: "email",
          template: "order-confirmed",
          recipient: order.customer.email,
          subject: `Your order ${ref} is confirmed`,
          text: `Hi ${first}, thank you for your order ${ref} (${items}, ${format(order.grandTotal)}). We will let you know when it ships.`,
        },
      ];
      if (order.customer.phone)
        out.push({
          channel: "sms",
          template: "order-confirmed-sms",
          recipient: order.customer.phone,
          text: `Order ${ref} confirmed: ${items}, ${format(order.grandTotal)}. We'll text you when it ships.`,
        });
      return out;
    }
    case ORDER_EVENTS.rejected:
      return [
        {
          channel: "email",
          template: "order-rejected",
          recipient: order.customer.email,
          subject: `We could not accept your order ${ref}`,
          text: `Hi ${first}, we are sorry: we could not accept your order ${ref}${
            order.problems?.length ? ` (${order.problems.map((p) => p.message).join("; ")})` : ""
          }. You have not been charged.`,
        },
      ];
    default:
      return [];
  }
}
