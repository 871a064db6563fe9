import type { Location } from "./catalog.js";
import type { FieldIssue } from "./errors.js";
import type { Money } from "./money.js";
import type { Notification } from "./notifications.js";
import type { Order, OrderStatus } from "./order.js";

/** Outcome of storing a new order under its channel dedupe key. */
export type CreateOrderResult =
  | { created: true }
  | { created: false; existingOrderId: string; existingPayloadHash: string };

/** One row of an order listing (what the list indexes project). */
export interface OrderListItem {
  orderId: string;
  status: OrderStatus;
  channel: string;
  externalOrderId: string;
  placedAt: string;
  createdAt: string;
  updatedAt: string;
  grandTotal: Money;
  itemCount: number;
}

export interface OrderQuery {
  status?: OrderStatus;
  channel?: string;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** Where orders live. */
export interface OrderRepository {
  /** Stores the order and its lines, all or nothing, unless (channel, externalOrderId) is already taken. */
  create(order: Order, payloadHash: string): Promise<CreateOrderResult>;
  get(orderId: string): Promise<Order | undefined>;
  /** Replaces the order header if it is still at `expectedVersion`; false when someone else changed it first. */
  saveHeader(order: Order, expectedVersion: number): Promise<boolean>;
  list(query: OrderQuery): Promise<Page<OrderListItem>>;
}

/** Starts the per-order workflow; starting the same name with the same input again is not an error. */
export interface WorkflowStarter {
  start(executionName: string, input: unknown): Promise<{ alreadyStarted: boolean }>;
}

/** What the OMS knows of its sellable SKUs. */
export interface Catalog {
  /** SKUs among `skus` that are unknown or not sellable, each with why. */
  unsellable(skus: string[]): Promise<FieldIssue[]>;
  /** A location (a pickup store, say), or undefined when unknown. */
  getLocation(locationId: string): Promise<Location | undefined>;
}

/** The customer notifications the OMS has decided to send. */
export interface NotificationOutbox {
  /** Records each notification once per (eventId, channel, template); returns how many were new. */
  record(orderId: string, eventId: string, notifications: Notification[], at: string): Promise<number>;
}

/** Shared HMAC secrets per sales channel. */
export interface ChannelSecrets {
  secretFor(channel: string): Promise<string | undefined>;
}

export interface Clock {
  /** ISO-8601 UTC. */
  now(): string;
}

export interface IdGenerator {
  next(): string;
}

/** A domain event to publish: source, detail type and the `{ metadata, data }` detail. */
export interface OutgoingEvent {
  source: string;
  detailType: string;
  detail: { metadata: { eventId: string; version: number; occurredAt: string; correlationId: string }; data: unknown };
}

/** Publishes events to the bus; returns the indexes (into `events`) that could not be published. */
export interface EventPublisher {
  publish(events: OutgoingEvent[]): Promise<number[]>;
}
