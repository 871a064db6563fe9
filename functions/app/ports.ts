// The application's ports: every interface a use case needs from the outside world (stores,
// the workflow, the bus, payment and carrier providers), declared once, here. Adapters implement
// them; use cases and their tests depend only on them.
import type { AllocationRecord } from "../domain/allocation.js";
import type { CarrierShipmentRequest, TrackingStatus } from "../domain/carrier.js";
import type { Location, Sku, Stock } from "../domain/catalog.js";
import type { FieldIssue } from "../domain/errors.js";
import type { Allocation, AllocationLine, ReservationStatus } from "../domain/inventory.js";
import type { Money } from "../domain/money.js";
import type { Notification } from "../domain/notifications.js";
import type { Address, Order, OrderStatus } from "../domain/order.js";
import type { AuthorizeRequest, AuthorizeResult, PaymentRecord } from "../domain/payment.js";
import type { ReturnLedger } from "../domain/return-eligibility.js";
import type { ReturnPolicy, ReturnPolicyInput } from "../domain/return-policy.js";
import type { Return, ReturnStatus, StockEffect } from "../domain/return.js";
import type { RoutingRules } from "../domain/routing-rules.js";
import type { CarrierShipment, Shipment } from "../domain/shipment.js";
import type { Listing } from "../domain/product.js";
import type { Channel } from "../domain/channel.js";
import type { Geocode } from "../domain/geocoding.js";
import type { PurchaseOrder, Supplier, SupplierInput, SupplyTerms } from "../domain/purchasing.js";

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
  /** The id of the order a channel knows as `externalOrderId`, if it was captured. */
  findByExternalId(channel: string, externalOrderId: string): Promise<string | undefined>;
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

/** Places an address on the map (for routing) when its channel sent no coordinates. */
export interface Geocoder {
  locate(address: Pick<Address, "country" | "city" | "postalCode" | "region"> & Partial<Pick<Address, "line1">>): Promise<Geocode | undefined>;
}

/** The registered sales channels, by id and by the shop identity their webhooks carry, and the webhook deliveries they handled. */
export interface ChannelDirectory {
  get(channelId: string): Promise<Channel | undefined>;
  byIdentity(type: Channel["type"], identity: string): Promise<Channel | undefined>;
  seenDelivery(channelId: string, deliveryId: string): Promise<boolean>;
  /** False when the delivery had been recorded already. */
  recordDelivery(channelId: string, deliveryId: string, detail: { topic: string; at: string; orderId?: string }): Promise<boolean>;
}

/** A channel's API credentials (the JSON object its credentials secret holds), or undefined when it names none. */
export interface ChannelCredentials {
  credentialsFor(channel: Channel): Promise<Record<string, unknown> | undefined>;
}

/** What a channel is told when one of its orders ships: the channel's own ids for the order and the lines. */
export interface ChannelShipment {
  shipmentId: string;
  externalOrderId: string;
  carrier: string;
  service?: string;
  trackingNumber: string;
  shippedAt: string;
  lines: { channelLineId: string; sku: string; quantity: number }[];
  /** The order's channel data as captured (Amazon: the marketplace id). */
  channelData?: Record<string, unknown>;
}

/** One marketplace's fulfillment API: tells it a shipment left, with carrier and tracking. */
export interface ChannelFulfillments {
  /** `already`: the channel had every line fulfilled already (a retry after a lost answer); `call` names the API call, for the delivery log. */
  fulfill(channel: Channel, shipment: ChannelShipment): Promise<{ call: string; remoteIds: string[]; already?: boolean }>;
}

/** One marketplace's cancellation API: tells it we cancelled one of its orders (and, where the channel took the money, to refund it). */
export interface ChannelCancellations {
  cancel(channel: Channel, order: { externalOrderId: string; reason: string }): Promise<{ call: string; remoteIds: string[]; already?: boolean }>;
}

/**
 * One marketplace's refund API: gives the customer back money the channel collected (a return's
 * refund owed by the channel). `key` names the refund for good (our return id): a retry finds the
 * refund made under it and makes none.
 */
export interface ChannelRefunds {
  refund(channel: Channel, refund: { externalOrderId: string; key: string; amount: Money; reason: string }): Promise<{ call: string; remoteIds: string[]; already?: boolean }>;
}

/** How a marketplace delivers each part of an order (Shopify: its fulfillment orders' delivery methods), with the channel's location for a pickup. */
export interface ChannelDeliveryMethods {
  deliveryMethods(channel: Channel, externalOrderId: string): Promise<{ methodType: string; channelLocationId?: string }[]>;
}

/** One outbound call to a channel about an order, as the order's delivery log shows it. */
export interface ChannelSyncEntry {
  /** What it is about, unique per order (`shipped#<shipmentId>`, `cancelled`). */
  key: string;
  channelId: string;
  call: string;
  status: "SENT" | "FAILED" | "SKIPPED";
  attempts: number;
  at: string;
  remoteIds?: string[];
  error?: string;
  reason?: string;
}

/** The delivery log of an order's outbound channel calls. */
export interface ChannelSyncLog {
  get(orderId: string, key: string): Promise<ChannelSyncEntry | undefined>;
  put(orderId: string, entry: ChannelSyncEntry): Promise<void>;
  ofOrder(orderId: string): Promise<ChannelSyncEntry[]>;
}

/** One marketplace's stock API: sets what it may sell of a listed SKU, per channel location ("" where it has one quantity). */
export interface ChannelInventory {
  setAvailable(channel: Channel, listing: Listing, levels: { channelLocationId: string; quantity: number }[]): Promise<void>;
}

/** The last stock level each channel was sent per SKU and channel location, so an unchanged level is not sent again. */
export interface ChannelStockLevels {
  get(channelId: string, sku: string): Promise<Record<string, number>>;
  put(channelId: string, sku: string, levels: Record<string, number>, at: string): Promise<void>;
}

/** A channel's orders updated since a time, as its API lists them (raw, for the channel's own normalizer). */
export interface ChannelOrderFeed {
  updatedSince(channel: Channel, since: string): AsyncIterable<Record<string, unknown>>;
}

/** Where each channel's reconciliation got to. */
export interface ReconcileCursors {
  get(channelId: string): Promise<{ cursor: string } | undefined>;
  put(channelId: string, state: { cursor: string; ranAt: string; seen: number; outcomes: Record<string, number>; error?: string }): Promise<void>;
}

/** Amazon orders read by id (SP-API getOrder and getOrderItems), as the API returns them. */
export interface AmazonOrderSource {
  fetchOrder(channel: Channel, amazonOrderId: string): Promise<{ order: Record<string, unknown>; items: Record<string, unknown>[] }>;
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

/** Orders waiting for stock, by SKU (oldest first), each with the token of its waiting workflow step. */
export interface BackorderStore {
  /** Parks the token of the order's waiting step: "Reserve and route", or (with `shipmentId`) the "Wait for stock" of its awaiting rest. */
  park(orderId: string, skus: string[], token: string, at: string, shipmentId?: string, units?: Record<string, number>): Promise<void>;
  unpark(orderId: string): Promise<void>;
  tokenOf(orderId: string): Promise<string | undefined>;
  /** The parked token, and the awaiting shipment it waits for (absent: the order's allocation waits). */
  parkingOf(orderId: string): Promise<{ token: string; shipmentId?: string } | undefined>;
  waitingFor(sku: string, limit: number): Promise<string[]>;
  /** Units of the SKU the parked orders wait for. */
  unitsWaitingFor?(sku: string): Promise<number>;
}

/** Where allocation decisions are kept: one record per round of an order. */
export interface AllocationStore {
  /** The latest round's record. */
  get(orderId: string): Promise<AllocationRecord | undefined>;
  /** Every round, first to last. */
  all(orderId: string): Promise<AllocationRecord[]>;
  /** Stores the record unless its round already has one; false when it had. */
  create(record: AllocationRecord): Promise<boolean>;
  /** Removes the round's record if it is still the given plan (a plan that lost its race for stock). */
  discard(orderId: string, planId: string, round?: number): Promise<void>;
  /** Puts a new plan in place of the round's record if that is still `previousPlanId` (a backorder planned again); false when it was not. */
  replace(record: AllocationRecord, previousPlanId: string): Promise<boolean>;
}

export interface PaymentStore {
  get(orderId: string): Promise<PaymentRecord | undefined>;
  /** Stores the record unless one exists; returns what is stored afterwards. */
  save(record: PaymentRecord): Promise<PaymentRecord>;
  /** Marks an authorized payment voided (no-op when it already is). */
  markVoided(orderId: string, at: string): Promise<void>;
}

export interface HoldStore {
  getToken(orderId: string): Promise<string | undefined>;
  putToken(orderId: string, token: string, at: string): Promise<void>;
}

export interface TaskResponder {
  succeed(token: string, output: unknown): Promise<boolean>;
  fail(token: string, error: string, cause: string): Promise<boolean>;
}

/** A shipment as stored: the domain shipment and the task tokens of the workflow steps waiting on it. */
export type StoredShipment = Shipment & { tokens?: { release?: string; delivery?: string }; tracking?: { status: TrackingStatus; at: string }[] };

export interface ShipmentStore {
  get(orderId: string, shipmentId: string): Promise<StoredShipment | undefined>;
  ofOrder(orderId: string): Promise<StoredShipment[]>;
  /** Stores a new shipment unless it exists; false when it did. */
  create(shipment: Shipment): Promise<boolean>;
  /** Saves the shipment if it is still at `expectedVersion`; with `indexTracking` (the save that ships it), its tracking number is indexed in the same write. */
  save(shipment: StoredShipment, expectedVersion: number, indexTracking?: boolean): Promise<boolean>;
  setToken(orderId: string, shipmentId: string, kind: "release" | "delivery", token: string): Promise<void>;
  byTracking(carrier: string, trackingNumber: string): Promise<StoredShipment | undefined>;
}

/** The payment record with its optimistic-lock version, and the capture writes (functions/adapters/dynamodb/payment-store.ts). */
export interface CaptureStore {
  getVersioned(orderId: string): Promise<{ record: PaymentRecord; version: number } | undefined>;
  /** Writes the captures (with the captured total and status once one completed) if the record is still at `expectedVersion`. */
  writeCaptures(orderId: string, update: Pick<PaymentRecord, "captures"> & Partial<Pick<PaymentRecord, "captured" | "status">>, expectedVersion: number): Promise<boolean>;
}

/** The refund side of the payment record: the ledger that keeps refunds within the captures. */
export interface RefundStore {
  getVersioned(orderId: string): Promise<{ record: PaymentRecord; version: number } | undefined>;
  /** Writes the refunds (with the refunded total) if the record is still at `expectedVersion`: one conditional write per refund step. */
  writeRefunds(orderId: string, update: Pick<PaymentRecord, "refunds"> & Partial<Pick<PaymentRecord, "refunded">>, expectedVersion: number): Promise<boolean>;
}

/** What routing reads: the catalog, stock per SKU, and a channel's rules. */
export interface RoutingData {
  getSkus(skus: string[]): Promise<Sku[]>;
  listLocations(): Promise<Location[]>;
  stockOf(sku: string): Promise<Stock[]>;
  rulesFor(channel: string): Promise<RoutingRules>;
  /** Shipments released to each location today (absent: capacity is the configured one). */
  releasedToday?(locationIds: string[]): Promise<Map<string, number>>;
}

/** Shipments released per location and day (UTC): what a location's daily capacity is spent on. */
export interface CapacityUsage {
  countRelease(locationId: string, day: string): Promise<void>;
  releasedOn(day: string, locationIds: string[]): Promise<Map<string, number>>;
}

/** A reservation line's identity: which line of the order, which SKU, at which location. */
export type ReservationLineRef = Pick<AllocationLine, "lineId" | "sku" | "locationId">;

/** Stock reservations (functions/adapters/dynamodb/reservations.ts): every change all or nothing, never below zero available. */
export interface InventoryReservations {
  /** Reserves a plan's lines all or nothing; the same plan again is a replay, not a second reservation. */
  reserve(allocation: Allocation): Promise<unknown>;
  /** Ends the lines' active reservations (consumed at shipment, released, expired); returns how many it ended. */
  close(orderId: string, lines: ReservationLineRef[], to: Exclude<ReservationStatus, "ACTIVE" | "MOVED">): Promise<number>;
  /** Shrinks a line's active reservation to `quantity` (lines cancelled); returns the units given back. */
  resize(orderId: string, line: ReservationLineRef, quantity: number): Promise<number>;
  /** Releases every active reservation of the order; returns how many. */
  releaseOrder(orderId: string): Promise<number>;
}

/** Locations by id (a pickup store, the location a shipment leaves from). */
export interface LocationDirectory {
  getLocation(locationId: string): Promise<Location | undefined>;
}

/** Answers and keeps alive the workflow steps waiting on a task token. */
export interface WorkflowTasks extends TaskResponder {
  heartbeat(token: string): Promise<boolean>;
}

/** A payment service provider. */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Releases an authorization nothing was captured from; the same key voids once. */
  void(request: { orderId: string; authorizationId: string; idempotencyKey: string }): Promise<{ status: "VOIDED"; at: string }>;
  /** Captures part of an authorization; the same key captures once (and answers the same). */
  capture(request: { orderId: string; authorizationId: string; amount: Money; idempotencyKey: string }): Promise<{ status: "CAPTURED"; captureId: string; amount: Money; at: string }>;
  /** Lowers what the authorization holds to `amount` (lines were cancelled); the same key reduces once. */
  reduceAuthorization(request: { orderId: string; authorizationId: string; amount: Money; idempotencyKey: string }): Promise<{ status: "REDUCED"; amount: Money; at: string }>;
  /** Gives back part of what was captured; the same key refunds once. */
  refund(request: { orderId: string; authorizationId: string; amount: Money; idempotencyKey: string }): Promise<{ status: "REFUNDED"; refundId: string; amount: Money; at: string }>;
}

/** A parcel carrier: books the shipment (the same shipment id books once) and says when it will arrive. */
export interface CarrierPort {
  createShipment(request: CarrierShipmentRequest): Promise<CarrierShipment>;
  /** Books a return parcel from the customer to the receiving location (the same return id books once). */
  bookReturn(request: { returnId: string; from: Address; to: { name: string; country: string; lat: number; lon: number } }): Promise<{ carrier: string; service: string; trackingNumber: string; createdAt: string }>;
}

/** A return as stored: the domain return and the task tokens of the workflow steps waiting on it. */
export type StoredReturn = Return & { tokens?: { approval?: string; goods?: string; manual?: string } };

/** Where returns live (functions/adapters/dynamodb/return-store.ts). */
export interface ReturnStore {
  get(returnId: string): Promise<StoredReturn | undefined>;
  ofOrder(orderId: string): Promise<StoredReturn[]>;
  /** Which units the order's returns hold, with the ledger's version. */
  ledger(orderId: string): Promise<{ ledger: ReturnLedger; version: number }>;
  /** The return an Idempotency-Key already made for this order. */
  byRequestKey(orderId: string, idempotencyKey: string): Promise<{ returnId: string; requestHash: string } | undefined>;
  /** Stores a new return, the ledger after it and its request key, all or nothing, if the ledger is still at `ledgerVersion`; false when it was not. */
  create(r: Return, ledger: ReturnLedger, ledgerVersion: number): Promise<boolean>;
  /** Saves the return if still at `expectedVersion` (and the ledger with it, all or nothing, if given). */
  save(r: Return, expectedVersion: number, ledger?: { ledger: ReturnLedger; version: number }): Promise<boolean>;
  setToken(returnId: string, kind: "approval" | "goods" | "manual", token: string): Promise<void>;
  indexTracking(carrier: string, trackingNumber: string, returnId: string): Promise<void>;
  byTracking(carrier: string, trackingNumber: string): Promise<StoredReturn | undefined>;
  list(query: { status?: ReturnStatus; channel?: string; from?: string; to?: string; limit: number; cursor?: string }): Promise<Page<StoredReturn>>;
  issueStoreCredit(email: string, returnId: string, amount: Money, at: string): Promise<void>;
}

/** Return policies per channel, versioned. */
export interface ReturnPolicies {
  current(channel: string): Promise<ReturnPolicy>;
  get(channel: string, version?: number): Promise<ReturnPolicy | undefined>;
  put(channel: string, input: ReturnPolicyInput, actor: string, at: string, expectedVersion?: number): Promise<{ policy: ReturnPolicy; changed: boolean }>;
}

/** Returned units into stock, each effect exactly once. */
export interface ReturnStock {
  apply(effect: StockEffect, actor: string, at: string): Promise<"applied" | "already">;
}

/** One day's demand of a SKU in a scope (a location, or "*" for the network). */
export interface DemandPoint {
  sku: string;
  scope: string;
  day: string;
  demand?: number;
  unserved?: number;
  returned?: number;
}

/** Dense daily series from `from` to `to` (inclusive), oldest first. */
export interface DemandSeries {
  from: string;
  to: string;
  demand: number[];
  unserved: number[];
  returned: number[];
}

/** Daily demand history per SKU and location (and the network), counted once per source. */
export interface DemandHistory {
  /** Counts a source's demand; false when it was counted before. */
  record(source: "order" | "return", id: string, points: DemandPoint[], now: string): Promise<boolean>;
  series(sku: string, scope: string, from: string, to: string): Promise<DemandSeries>;
}

/** A stock record as read for planning: its version guards the planner's write. */
export type VersionedStock = Stock & { version: number };

/** What a purchase order expects at its location per SKU (0: nothing more): the stock records' incoming entries under its reference. */
export type IncomingTarget = Map<string, { quantity: number; expectedAt: string }>;

/** A purchase order change to save: the order, its incoming stock, a receipt recorded with it, and whether its draft pointer goes. */
export interface PurchaseOrderChange {
  po: PurchaseOrder;
  incoming?: IncomingTarget;
  receipt?: { receiptId: string; body: Record<string, unknown> };
  dropDraftPointer?: boolean;
}

/** Suppliers, their SKUs' terms, purchase orders (one open draft per supplier and location), receipts, deliveries and once-only alerts. */
export interface PurchasingStore {
  putSupplier(supplierId: string, input: SupplierInput, now: string): Promise<Supplier>;
  getSupplier(supplierId: string): Promise<Supplier | undefined>;
  listSuppliers(limit: number, cursor?: string): Promise<{ items: Supplier[]; cursor?: string }>;
  supplyOf(sku: string): Promise<SupplyTerms[]>;
  get(poId: string): Promise<PurchaseOrder | undefined>;
  list(filter: { status?: string; supplierId?: string }, limit: number, cursor?: string): Promise<{ items: PurchaseOrder[]; cursor?: string }>;
  draftOf(supplierId: string, locationId: string): Promise<PurchaseOrder | undefined>;
  pointerOf(supplierId: string, locationId: string): Promise<string | undefined>;
  createDraft(po: PurchaseOrder, replacing?: string): Promise<boolean>;
  /** Saves the change if the order is still at `expectedVersion` (and its stock records unchanged); false otherwise. */
  save(change: PurchaseOrderChange, expectedVersion: number): Promise<boolean>;
  /** Runs `change` on the current order until it saves; NotFoundError when it does not exist. */
  update(poId: string, change: (po: PurchaseOrder) => Promise<PurchaseOrderChange | undefined>): Promise<PurchaseOrder>;
  receipt(poId: string, receiptId: string): Promise<Record<string, unknown> | undefined>;
  receipts(poId: string): Promise<Record<string, unknown>[]>;
  alertRaised(kind: string, id: string): Promise<boolean>;
  raiseOnce(kind: string, id: string, body: Record<string, unknown>): Promise<boolean>;
  deliveries: PurchaseOrderDeliveries;
}

/** Each sending of a purchase order to its supplier, per event: claimed before the call, done after. */
export interface PurchaseOrderDeliveries {
  claimed(poId: string, eventId: string): Promise<boolean>;
  claim(poId: string, eventId: string, at: string): Promise<void>;
  done(poId: string, eventId: string, outcome: Record<string, unknown>): Promise<void>;
  of(poId: string): Promise<Record<string, unknown>[]>;
}
