import type { Geocode } from "./geocoding.js";
import { InvalidTransitionError, type FieldIssue } from "./errors.js";
import { add, multiply, subtract, sum, zero, type Money } from "./money.js";

/**
 * Every status an order can be in. ALLOCATED: routed and its stock reserved (all of it, or what
 * the channel's shortage policy lets ship now); BACKORDERED: waiting for stock, nothing reserved.
 * PARTIALLY_SHIPPED / SHIPPED: some / every unit left a location; DELIVERED: every unit arrived
 * (or, for a pickup order, was collected). READY_FOR_PICKUP: a pickup order waits at its store.
 * The shipments' own statuses (functions/domain/shipment.ts) say where each part is.
 */
export const ORDER_STATUSES = ["RECEIVED", "ON_HOLD", "CONFIRMED", "ALLOCATED", "BACKORDERED", "READY_FOR_PICKUP", "PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED", "REJECTED", "FAILED", "CANCELLED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The allowed edges of the order lifecycle; nothing moves along an edge missing here. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  RECEIVED: ["ON_HOLD", "CONFIRMED", "REJECTED", "CANCELLED", "FAILED"],
  ON_HOLD: ["CONFIRMED", "CANCELLED", "FAILED"],
  CONFIRMED: ["ALLOCATED", "BACKORDERED", "CANCELLED", "FAILED"],
  BACKORDERED: ["ALLOCATED", "CANCELLED", "FAILED"],
  // Back to BACKORDERED when a location rejects and nothing else has the stock.
  ALLOCATED: ["BACKORDERED", "READY_FOR_PICKUP", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED", "FAILED"],
  // Collected, or not collected in time (cancelled: the stock goes back, the authorization is voided).
  READY_FOR_PICKUP: ["DELIVERED", "CANCELLED", "FAILED"],
  // Nothing shipped can be cancelled: returns take over from here.
  PARTIALLY_SHIPPED: ["SHIPPED", "FAILED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  REJECTED: [],
  FAILED: [],
  CANCELLED: [],
};

/** True when the lifecycle allows moving from `from` to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export interface Customer {
  email: string;
  name: string;
  phone?: string;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  lat?: number;
  lon?: number;
}

export interface OrderLine {
  lineId: string;
  sku: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
  /** The channel's own id for the line (Shopify line item, WooCommerce line item, Amazon order item): how its updates and our fulfillments name it. */
  channelLineId?: string;
  /** Units cancelled after capture (POST /orders/{id}/cancel with lines); `quantity` is what is left. */
  cancelledQuantity?: number;
}

export interface OrderTotals {
  subtotal: Money;
  shipping: Money;
  tax: Money;
  discount: Money;
  grandTotal: Money;
}

export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

/** An order as the OMS keeps it, whatever channel it came from. */
export interface Order {
  orderId: string;
  channel: string;
  externalOrderId: string;
  placedAt: string;
  createdAt: string;
  updatedAt: string;
  status: OrderStatus;
  currency: string;
  customer: Customer;
  /** Where the order ships; a pickup order may have none. */
  shippingAddress?: Address;
  /** A pickup order: the store the customer collects it from. */
  pickup?: { locationId: string };
  /** How the shipping address's coordinates were found (set when the order is validated): `exact` from the channel, or a geocoder's postal, city or country precision. */
  geocode?: Omit<Geocode, "lat" | "lon">;
  lines: OrderLine[];
  totals: OrderTotals;
  statusHistory: StatusChange[];
  payment: PaymentMethod;
  /** A replacement order: the return it replaces goods for, and what the returned goods pay of it (functions/domain/exchange.ts). */
  exchangeOf?: ExchangeLink;
  /** Units given up after part of the order shipped (its backorder expired), by line id: they are cancelled out of the lines by a close-short change. */
  closedShort?: { units: Record<string, number>; reason: string; at: string };
  /** Why validation refused the order (set with REJECTED), or what an operator must fix on a held order. */
  problems?: FieldIssue[];
  /** What the channel sent that the OMS does not model but keeps: its order name, notes and attributes, line ids and properties, tax lines, gift and company fields (see functions/adapters/channels/). */
  channelData?: Record<string, unknown>;
  /** Why the channel's payload could not be taken as it came: the order waits ON_HOLD with these reasons until an operator fixes or releases it. */
  intakeHolds?: string[];
  /** 1 as captured (absent), one more per change (functions/domain/order-change.ts). */
  revision?: number;
  /** The changes since capture, oldest first: lines cancelled, address or lines edited. */
  changes?: OrderChange[];
  /** What the channel changed that the OMS could not apply (the order had moved on): for an operator, with the difference. */
  channelTasks?: ChannelTask[];
  version: number;
}

/** A change from the channel that could not be applied as it came. */
export interface ChannelTask {
  at: string;
  /** What the channel sent (`orders/updated`), and its version of the order (`updated_at`). */
  source: string;
  reason: string;
  difference: { lines: { lineId?: string; channelLineId: string; sku: string; ours: number; theirs: number }[]; address?: { ours?: Address; theirs: Address } };
}

/** What a channel adapter hands over after verifying and normalizing a channel's payload. */
export interface ChannelOrder {
  channel: string;
  externalOrderId: string;
  placedAt: string;
  currency: string;
  customer: Customer;
  shippingAddress?: Address;
  pickup?: { locationId: string };
  /** `listingKey`: what the channel calls the line's product (`variant:123`), matched to a SKU by the catalog's listings. */
  lines: { sku: string; quantity: number; unitPrice: Money; listingKey?: string; channelLineId?: string }[];
  shippingPrice?: Money;
  taxTotal?: Money;
  discountTotal?: Money;
  payment?: PaymentMethod;
  exchangeOf?: ExchangeLink;
  channelData?: Record<string, unknown>;
  intakeHolds?: string[];
}

/**
 * What links a replacement order to the return it replaces goods for. `credit` is what the
 * returned goods pay of its grand total (the rest is charged on the original payment method
 * before release); while `awaitingReturn` (a regular exchange), its reservation waits for the
 * goods and nothing is charged or released.
 */
export interface ExchangeLink {
  orderId: string;
  returnId: string;
  mode: "regular" | "advanced";
  credit: Money;
  awaitingReturn: boolean;
}

/** How an order is paid: a provider card token, or collected by the sales channel (marketplace). */
export type PaymentMethod = { method: "card"; token: string } | { method: "marketplace" };

/** Line ids are stable, sortable and short: "001", "002", ... */
export const lineIdFor = (index: number): string => String(index + 1).padStart(3, "0");

/** Totals in minor units: subtotal + shipping + tax − discount. */
export function computeTotals(input: ChannelOrder): OrderTotals {
  const c = input.currency;
  const subtotal = sum(
    input.lines.map((l) => multiply(l.unitPrice, l.quantity)),
    c,
  );
  const shipping = input.shippingPrice ?? zero(c);
  const tax = input.taxTotal ?? zero(c);
  const discount = input.discountTotal ?? zero(c);
  const grandTotal = subtract(add(add(subtotal, shipping), tax), discount);
  return { subtotal, shipping, tax, discount, grandTotal };
}

/** A new order in status RECEIVED, built from a normalized channel order. */
export function createOrder(input: ChannelOrder, orderId: string, now: string): Order {
  return {
    orderId,
    channel: input.channel,
    externalOrderId: input.externalOrderId,
    placedAt: input.placedAt,
    createdAt: now,
    updatedAt: now,
    status: "RECEIVED",
    currency: input.currency,
    customer: input.customer,
    ...(input.shippingAddress ? { shippingAddress: input.shippingAddress } : {}),
    ...(input.pickup ? { pickup: { locationId: input.pickup.locationId } } : {}),
    lines: input.lines.map((l, i) => ({
      lineId: lineIdFor(i),
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      lineTotal: multiply(l.unitPrice, l.quantity),
      ...(l.channelLineId ? { channelLineId: l.channelLineId } : {}),
    })),
    totals: computeTotals(input),
    payment: input.payment ?? { method: "marketplace" },
    ...(input.exchangeOf ? { exchangeOf: input.exchangeOf } : {}),
    ...(input.channelData ? { channelData: input.channelData } : {}),
    ...(input.intakeHolds?.length ? { intakeHolds: input.intakeHolds } : {}),
    statusHistory: [{ status: "RECEIVED", at: now }],
    version: 1,
  };
}

/** The order moved to `to`, or InvalidTransitionError when the lifecycle forbids it. */
export function transition(order: Order, to: OrderStatus, at: string, reason?: string): Order {
  if (!canTransition(order.status, to)) throw new InvalidTransitionError(order.status, to);
  const change: StatusChange = reason === undefined ? { status: to, at } : { status: to, at, reason };
  return { ...order, status: to, updatedAt: at, statusHistory: [...order.statusHistory, change], version: order.version + 1 };
}

/** The small, stable view of an order carried by the workflow input and by order events. */
export interface OrderSummary {
  orderId: string;
  channel: string;
  externalOrderId: string;
  placedAt: string;
  createdAt: string;
  customer: Customer;
  grandTotal: Money;
  lineCount: number;
  itemCount: number;
}

/** Deterministic for a given order, so a re-sent StartExecution carries the identical input. */
export function summarize(order: Order): OrderSummary {
  return {
    orderId: order.orderId,
    channel: order.channel,
    externalOrderId: order.externalOrderId,
    placedAt: order.placedAt,
    createdAt: order.createdAt,
    customer: order.customer,
    grandTotal: order.totals.grandTotal,
    lineCount: order.lines.length,
    itemCount: order.lines.reduce((n, l) => n + l.quantity, 0),
  };
}

/**
 * A versioned change of an order after it was captured: some lines cancelled (any time before they
 * left a location), or an edit of the address or the lines (before the order was released to a
 * location). Each change raises the order's revision by one and is kept on the order, with the
 * totals before and after, so an operator can read what changed, when, by whom and why.
 */
export interface OrderChange {
  revision: number;
  /** cancel-lines: an operator's; close-short: the workflow's, for a backorder that never came after part of the order shipped. */
  kind: "cancel-lines" | "close-short" | "edit";
  at: string;
  actor: string;
  reason: string;
  /** The caller's Idempotency-Key: the same key finds this change again instead of making a second one. */
  idempotencyKey: string;
  /** A hash of the request that made it: the same key with another request is refused. */
  requestHash?: string;
  /** Lines whose quantity changed: from → to (0: the line is cancelled or removed). */
  lines: { lineId: string; sku: string; from: number; to: number }[];
  /** An edited shipping address: the one before, and the new one. */
  address?: { from?: Address; to: Address };
  /** Shipments of the order whose lines this change cut (a shipment cut to nothing is CANCELLED). */
  shipments: { shipmentId: string; locationId: string; round: number; removed: { lineId: string; sku: string; quantity: number }[] }[];
  totalsBefore: OrderTotals;
  totalsAfter: OrderTotals;
}
