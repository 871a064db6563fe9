import { FULFILLMENT_EVENTS, ORDER_EVENTS, RETURN_EVENTS } from "./events.js";
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
  /** Order events carry it; shipment events do not. */
  grandTotal?: Money;
  itemCount: number;
  problems?: { path: string; message: string }[];
  /** Why the order was cancelled or backordered. */
  reason?: string;
  /** Shipment events: where the parcel is. */
  carrier?: string;
  trackingNumber?: string;
  promisedBy?: string;
  /** Pickup events: the store, and until when it keeps the order. */
  locationId?: string;
  pickupBy?: string;
  /** OrderChanged: what kind of change it was. */
  kind?: "cancel-lines" | "close-short" | "edit";
  /** Return events: the return, its label's link, the amount refunded or credited. */
  returnId?: string;
  /** ExchangeCreated: regular (ships after the goods are back) or advanced (ships at once). */
  mode?: string;
  label?: string;
  amount?: Money;
}

/** Notifications for one order event; an event no customer hears about renders none. */
export function renderOrderNotifications(detailType: string, order: NotifiableOrder): Notification[] {
  const first = order.customer.name.split(/\s+/)[0] ?? order.customer.name;
  const ref = order.externalOrderId;
  const total = order.grandTotal ? format(order.grandTotal) : "";
  const email = (template: string, subject: string, text: string): Notification => ({ channel: "email", template, recipient: order.customer.email, subject, text });
  const sms = (template: string, text: string): Notification[] => (order.customer.phone ? [{ channel: "sms", template, recipient: order.customer.phone, text }] : []);
  const items = `${order.itemCount} item${order.itemCount === 1 ? "" : "s"}`;
  switch (detailType) {
    case ORDER_EVENTS.backordered:
      return [email("order-backordered", `Your order ${ref} is waiting for stock`, `Hi ${first}, part of your order ${ref} is out of stock right now. We will ship it as soon as it arrives and let you know; you will not be charged for anything that does not ship.`)];
    case ORDER_EVENTS.cancelled:
      return [email("order-cancelled", `Your order ${ref} was cancelled`, `Hi ${first}, your order ${ref} was cancelled${order.reason ? ` (${order.reason})` : ""}. Any amount held on your card has been released.`), ...sms("order-cancelled-sms", `Order ${ref} was cancelled. Any card hold has been released.`)];
    case ORDER_EVENTS.changed:
      return [
        email(
          "order-changed",
          `Your order ${ref} was changed`,
          `Hi ${first}, ${order.kind === "edit" ? "your order was updated" : order.kind === "close-short" ? "we could not get the rest of your order in time, so it was cancelled" : "some items of your order were cancelled"}${order.reason ? ` (${order.reason})` : ""}. It now has ${items}, ${total} in all${order.kind === "edit" ? "" : "; you are charged only for what we ship, and any difference is released or refunded to your card"}.`,
        ),
      ];
    case ORDER_EVENTS.delivered:
      return [email("order-delivered", `Your order ${ref} was delivered`, `Hi ${first}, every item of your order ${ref} has been delivered. Enjoy!`)];
    case FULFILLMENT_EVENTS.shipped:
      return [
        email("shipment-shipped", `Your order ${ref} is on its way`, `Hi ${first}, ${items} of your order ${ref} shipped with ${order.carrier ?? "our carrier"}, tracking number ${order.trackingNumber ?? "to follow"}, expected by ${order.promisedBy?.slice(0, 10) ?? "soon"}.`),
        ...sms("shipment-shipped-sms", `Order ${ref} shipped: ${order.carrier ?? ""} ${order.trackingNumber ?? ""}`.trim()),
      ];
    case FULFILLMENT_EVENTS.late:
      return [email("delivery-late", `Your order ${ref} is running late`, `Hi ${first}, your parcel (${order.carrier ?? "carrier"} ${order.trackingNumber ?? ""}) was due by ${order.promisedBy?.slice(0, 10) ?? "now"} and has not arrived yet. We are on it and will keep you posted.`)];
    case FULFILLMENT_EVENTS.readyForPickup:
      return [
        email("ready-for-pickup", `Your order ${ref} is ready for pickup`, `Hi ${first}, ${items} of your order ${ref} ${order.itemCount === 1 ? "is" : "are"} ready for you at store ${order.locationId ?? ""}. Please collect ${order.itemCount === 1 ? "it" : "them"} by ${order.pickupBy?.slice(0, 10) ?? "within 7 days"}; after that the order is cancelled and the hold on your card released.`),
        ...sms("ready-for-pickup-sms", `Order ${ref} is ready for pickup at store ${order.locationId ?? ""} until ${order.pickupBy?.slice(0, 10) ?? "7 days from now"}.`),
      ];
    case ORDER_EVENTS.confirmed: {
      const out: Notification[] = [
        {
          channel: "email",
          template: "order-confirmed",
          recipient: order.customer.email,
          subject: `Your order ${ref} is confirmed`,
          text: `Hi ${first}, thank you for your order ${ref} (${items}, ${total}). We will let you know when it ships.`,
        },
      ];
      if (order.customer.phone)
        out.push({
          channel: "sms",
          template: "order-confirmed-sms",
          recipient: order.customer.phone,
          text: `Order ${ref} confirmed: ${items}, ${total}. We'll text you when it ships.`,
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
      return renderReturnNotifications(detailType, order, { first, ref, email, items });
  }
}

/** The customer's messages about a return. */
function renderReturnNotifications(detailType: string, r: NotifiableOrder, t: { first: string; ref: string; items: string; email: (template: string, subject: string, text: string) => Notification }): Notification[] {
  const { first, ref, email, items } = t;
  const id = r.returnId ?? "";
  const amount = r.amount ? format(r.amount) : "";
  switch (detailType) {
    case RETURN_EVENTS.requested:
      return [email("return-requested", `We received your return request for order ${ref}`, `Hi ${first}, your return ${id} (${items}) is registered. We will tell you what happens next.`)];
    case RETURN_EVENTS.approved:
      return [email("return-approved", `Your return ${id} is approved`, `Hi ${first}, your return ${id} for order ${ref} is approved.`)];
    case RETURN_EVENTS.declined:
      return [email("return-declined", `Your return ${id} was declined`, `Hi ${first}, we are sorry: your return ${id} for order ${ref} was declined${r.reason ? ` (${r.reason})` : ""}.`)];
    case RETURN_EVENTS.labelCreated:
      return [email("return-label", `Your return label for order ${ref}`, `Hi ${first}, here is your prepaid return label for return ${id}: ${r.label ?? ""} (${r.carrier ?? "carrier"} ${r.trackingNumber ?? ""}). Pack the items and hand the parcel to the carrier.`)];
    case RETURN_EVENTS.received:
      return [email("return-received", `We received your return ${id}`, `Hi ${first}, your return ${id} arrived. We are checking it and will refund you as soon as it is inspected.`)];
    case RETURN_EVENTS.refundIssued:
      return [email("refund-issued", `Your refund of ${amount} is on its way`, `Hi ${first}, we refunded ${amount} for your return ${id} (order ${ref}) to your original payment method.`)];
    case RETURN_EVENTS.storeCreditIssued:
      return [email("store-credit-issued", `${amount} store credit for your return`, `Hi ${first}, ${amount} of store credit was added to your account for return ${id} (order ${ref}).`)];
    case RETURN_EVENTS.expired:
      return [email("return-expired", `Your return ${id} expired`, `Hi ${first}, we did not receive the parcel for return ${id} in time, so the return was closed and its label voided. Contact us if you still want to return the items.`)];
    case RETURN_EVENTS.cancelled:
      return [email("return-cancelled", `Your return ${id} was cancelled`, `Hi ${first}, your return ${id} for order ${ref} was cancelled${r.reason ? ` (${r.reason})` : ""}.`)];
    case RETURN_EVENTS.exchangeCreated:
      return [email("exchange-created", `Your exchange for order ${ref}`, `Hi ${first}, your exchange (return ${id}) is set up: ${r.mode === "advanced" ? "the replacement ships now" : "the replacement ships as soon as your return arrives"}.${r.amount && r.amount.amount > 0 ? ` The price difference of ${amount} is charged to your original payment method before it ships.` : ""}`)];
    case RETURN_EVENTS.exchangeCharged:
      return [email("exchange-charged", `${amount} charged for your exchange`, `Hi ${first}, the items of return ${id} did not come back, so the replacement you received was charged to your original payment method: ${amount}.`)];
    default:
      return [];
  }
}
