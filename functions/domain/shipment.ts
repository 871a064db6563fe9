import * as z from "zod/mini";
import "./schema.js";
import { ConflictError, InvalidTransitionError } from "./errors.js";
import type { Money } from "./money.js";
import { transition, type Customer, type Order, type OrderStatus } from "./order.js";

/**
 * Where one shipment of an order is. RELEASED: the location was asked to fulfill it; ACCEPTED,
 * PICKED, PACKED: the location's progress; SHIPPED: handed to the carrier, the reservation
 * consumed and the payment for it captured; DELIVERED: the carrier delivered it. REJECTED: the
 * location refused it (or missed its SLA) and the lines were routed elsewhere; CANCELLED: the
 * order was cancelled before it shipped. A pickup shipment (buy online, pick up in store) never
 * meets a carrier: READY_FOR_PICKUP: set aside at the store, the customer told; PICKED_UP: the
 * customer collected it (stock consumed, payment captured); NOT_COLLECTED: the collection window
 * passed (stock back, authorization voided). AWAITING_STOCK: the rest of a short order under the
 * "ship-available" policy, waiting beside the other shipments for stock (no location, nothing
 * reserved); it is RELEASED at the location stock came in at.
 */
export const SHIPMENT_STATUSES = ["AWAITING_STOCK", "RELEASED", "ACCEPTED", "PICKED", "PACKED", "SHIPPED", "DELIVERED", "READY_FOR_PICKUP", "PICKED_UP", "NOT_COLLECTED", "REJECTED", "CANCELLED"] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** The allowed edges. A location may skip its progress steps (straight from RELEASED to PACKED), never go back. */
export const SHIPMENT_TRANSITIONS: Readonly<Record<ShipmentStatus, readonly ShipmentStatus[]>> = {
  // The rest of a short order: released where stock comes in, or given up (cancelled, closed short).
  AWAITING_STOCK: ["RELEASED", "CANCELLED"],
  RELEASED: ["ACCEPTED", "PICKED", "PACKED", "SHIPPED", "READY_FOR_PICKUP", "REJECTED", "CANCELLED"],
  ACCEPTED: ["PICKED", "PACKED", "SHIPPED", "READY_FOR_PICKUP", "REJECTED", "CANCELLED"],
  PICKED: ["PACKED", "SHIPPED", "READY_FOR_PICKUP", "REJECTED", "CANCELLED"],
  PACKED: ["SHIPPED", "READY_FOR_PICKUP", "REJECTED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  READY_FOR_PICKUP: ["PICKED_UP", "NOT_COLLECTED", "CANCELLED"],
  PICKED_UP: [],
  NOT_COLLECTED: [],
  REJECTED: [],
  CANCELLED: [],
};

export const TERMINAL_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ["DELIVERED", "PICKED_UP", "NOT_COLLECTED", "REJECTED", "CANCELLED"];

/**
 * How long a pickup waits at the store for its customer. The workflow's "Await delivery" step
 * times out after the same 7 days (statemachines/order-fulfillment.asl.json, checked by a test).
 */
export const COLLECTION_WINDOW_SECONDS = 7 * 86_400;

export const canShipmentTransition = (from: ShipmentStatus, to: ShipmentStatus): boolean => SHIPMENT_TRANSITIONS[from].includes(to);

export interface ShipmentLine {
  lineId: string;
  sku: string;
  quantity: number;
}

/** What the location reported when it handed the parcel over (the `shipped` callback). */
export interface Handover {
  carrier: string;
  trackingNumber?: string;
  weightGrams: number;
  at: string;
}

/** The carrier's shipment: created by the Ship step, with the label's data. */
export interface CarrierShipment {
  carrier: string;
  service: string;
  trackingNumber: string;
  labelCreatedAt: string;
  /** Delivery promised by this time; past it without delivery, DeliveryLate is raised. */
  promisedBy: string;
}

export interface ShipmentChange {
  status: ShipmentStatus;
  at: string;
  reason?: string;
}

/** One shipment of an order: a location, the lines it ships, and how far it got. */
export interface Shipment {
  shipmentId: string;
  orderId: string;
  locationId: string;
  /** Which allocation round planned it (1, then one more per reroute or backorder fill). */
  round: number;
  lines: ShipmentLine[];
  status: ShipmentStatus;
  history: ShipmentChange[];
  createdAt: string;
  updatedAt: string;
  handover?: Handover;
  carrierShipment?: CarrierShipment;
  capture?: { amount: Money; captureId: string; at: string };
  /** A pickup order's shipment: the store hands it to the customer, no carrier. */
  pickup?: boolean;
  /** When a pickup waiting at the store is given up (ready + the collection window). */
  pickupBy?: string;
  /** Lines taken out of the shipment while it was at its location (the order's lines were cancelled), oldest first. */
  amendments?: { at: string; reason: string; removed: ShipmentLine[] }[];
  /** How many times delivery was flagged late. */
  lateAlerts?: number;
  /** Copied from the order, so shipment events can tell the customer (tracking, a late parcel). */
  externalOrderId?: string;
  customer?: Customer;
  version: number;
}

/** The callbacks a location sends on POST /fulfillments/{fulfillmentId}/events. */
export const fulfillmentEventSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("accepted") }),
  z.strictObject({ type: z.literal("rejected"), reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) }),
  z.strictObject({ type: z.literal("picked") }),
  z.strictObject({ type: z.literal("packed") }),
  z.strictObject({
    type: z.literal("shipped"),
    carrier: z.string().check(z.trim(), z.minLength(1), z.maxLength(40), z.regex(/^[a-z0-9-]+$/, "lower-case letters, digits and dashes")),
    trackingNumber: z.optional(z.string().check(z.trim(), z.minLength(4), z.maxLength(40), z.regex(/^[A-Za-z0-9-]+$/, "letters, digits and dashes"))),
    weightGrams: z.int().check(z.positive(), z.lte(70_000)),
  }),
  z.strictObject({ type: z.literal("ready_for_pickup") }),
  z.strictObject({ type: z.literal("picked_up") }),
]);
export type FulfillmentEvent = z.infer<typeof fulfillmentEventSchema>;

const STATUS_OF_EVENT: Record<FulfillmentEvent["type"], ShipmentStatus | undefined> = {
  accepted: "ACCEPTED",
  rejected: "REJECTED",
  picked: "PICKED",
  packed: "PACKED",
  // The Ship step moves it to SHIPPED once the carrier has it and the payment is captured.
  shipped: undefined,
  ready_for_pickup: "READY_FOR_PICKUP",
  picked_up: "PICKED_UP",
};

/** The shipment moved to `to`, or InvalidTransitionError when the model forbids it. */
export function moveShipment(s: Shipment, to: ShipmentStatus, at: string, reason?: string): Shipment {
  if (!canShipmentTransition(s.status, to)) throw new InvalidTransitionError(s.status, to);
  const change: ShipmentChange = reason === undefined ? { status: to, at } : { status: to, at, reason };
  return { ...s, status: to, history: [...s.history, change], updatedAt: at, version: s.version + 1 };
}

/**
 * A location's callback applied to its shipment. Repeating the latest event is a no-op (the
 * shipment comes back unchanged); going back, or anything after the handover, is a conflict.
 */
export function applyFulfillmentEvent(s: Shipment, event: FulfillmentEvent, at: string): Shipment {
  const forPickup = event.type === "ready_for_pickup" || event.type === "picked_up";
  if (s.pickup && event.type === "shipped") throw new ConflictError(`Shipment ${s.shipmentId} is a pickup: the store hands it to the customer ("ready_for_pickup", then "picked_up")`, { status: s.status });
  if (!s.pickup && forPickup) throw new ConflictError(`Shipment ${s.shipmentId} goes to a carrier; "${event.type}" is for pickup orders`, { status: s.status });
  if (event.type === "shipped") {
    if (s.handover) return s;
    if (!canShipmentTransition(s.status, "SHIPPED")) throw new ConflictError(`Shipment ${s.shipmentId} is ${s.status}; it cannot be shipped`, { status: s.status });
    return { ...s, handover: { carrier: event.carrier, weightGrams: event.weightGrams, at, ...(event.trackingNumber ? { trackingNumber: event.trackingNumber } : {}) }, updatedAt: at, version: s.version + 1 };
  }
  const to = STATUS_OF_EVENT[event.type]!;
  if (s.status === to) return s;
  if (s.handover) throw new ConflictError(`Shipment ${s.shipmentId} was already handed to the carrier`, { status: s.status });
  if (!canShipmentTransition(s.status, to)) throw new ConflictError(`Shipment ${s.shipmentId} is ${s.status}; "${event.type}" is not allowed now`, { status: s.status });
  const moved = moveShipment(s, to, at, event.type === "rejected" ? event.reason : undefined);
  return to === "READY_FOR_PICKUP" ? { ...moved, pickupBy: new Date(Date.parse(at) + COLLECTION_WINDOW_SECONDS * 1000).toISOString() } : moved;
}

const units = (lines: { quantity: number }[]) => lines.reduce((n, l) => n + l.quantity, 0);

/** The units the order still has to deliver: its lines (cancelled and closed-short units are out of them). */
export const openUnits = (order: Pick<Order, "lines">): number => units(order.lines);

/**
 * The order's status once its shipments are where they are: SHIPPED when every unit is in a
 * shipped or delivered shipment, DELIVERED when every unit is delivered, PARTIALLY_SHIPPED when
 * some are; otherwise unchanged.
 */
export function orderStatusFromShipments(order: Pick<Order, "status" | "lines">, shipments: Pick<Shipment, "status" | "lines">[]): OrderStatus {
  const total = openUnits(order);
  const delivered = units(shipments.filter((s) => s.status === "DELIVERED" || s.status === "PICKED_UP").flatMap((s) => s.lines));
  const shipped = delivered + units(shipments.filter((s) => s.status === "SHIPPED").flatMap((s) => s.lines));
  const waiting = units(shipments.filter((s) => s.status === "READY_FOR_PICKUP").flatMap((s) => s.lines));
  if (delivered >= total) return "DELIVERED";
  if (shipped >= total) return "SHIPPED";
  if (waiting > 0 && delivered + waiting >= total) return order.status === "ALLOCATED" ? "READY_FOR_PICKUP" : order.status;
  if (shipped > 0) return order.status === "ALLOCATED" || order.status === "BACKORDERED" ? "PARTIALLY_SHIPPED" : order.status;
  return order.status;
}

/** Statuses of a shipment that left its location (to a carrier, or into the customer's hands). */
export const LEFT_LOCATION: readonly ShipmentStatus[] = ["SHIPPED", "DELIVERED", "PICKED_UP"];

/**
 * The order moved, edge by edge, to the status its shipments imply: through SHIPPED (a pickup
 * order: READY_FOR_PICKUP) before DELIVERED, so the history and the events pass through both.
 * `reason` goes on the first move.
 */
export function followShipments(order: Order, shipments: Pick<Shipment, "status" | "lines">[], at: string, reason?: string): Order {
  let next = order;
  for (let target = orderStatusFromShipments(next, shipments); target !== next.status; target = orderStatusFromShipments(next, shipments)) {
    const via = next.pickup ? "READY_FOR_PICKUP" : "SHIPPED";
    next = transition(next, target === "DELIVERED" && next.status !== via ? via : target, at, next === order ? reason : undefined);
  }
  return next;
}

/**
 * What to capture for a shipment: its lines' share of the grand total (shipping, tax and
 * discount spread by merchandise value, rounded down), and the exact remainder of the authorized
 * amount for the shipment that completes the order, so the captures add up to the authorization.
 */
export function captureAmountFor(order: Pick<Order, "lines" | "totals">, shipment: Pick<Shipment, "lines">, capturedBefore: { amount: number; units: number }): Money {
  const currency = order.totals.grandTotal.currency;
  const total = units(order.lines);
  const shipped = units(shipment.lines);
  if (capturedBefore.units + shipped >= total) return { amount: Math.max(0, order.totals.grandTotal.amount - capturedBefore.amount), currency };
  const unitPrice = new Map(order.lines.map((l) => [l.lineId, l.unitPrice.amount]));
  const merchandise = shipment.lines.reduce((n, l) => n + (unitPrice.get(l.lineId) ?? 0) * l.quantity, 0);
  const subtotal = order.totals.subtotal.amount;
  const amount = subtotal > 0 ? Math.floor((order.totals.grandTotal.amount * merchandise) / subtotal) : 0;
  return { amount: Math.max(0, Math.min(amount, order.totals.grandTotal.amount - capturedBefore.amount)), currency };
}

/** `<orderId>-S<n>`: a shipment (fulfillment) id names its order. */
export const orderIdOfShipment = (shipmentId: string): string | undefined => /^([0-9A-HJKMNP-TV-Z]{26})-S\d{1,3}$/.exec(shipmentId)?.[1];
