/** Event sources, one per bounded context. Infra rules and publishers import these same constants. */
export const EVENT_SOURCES = {
  orders: "oms.orders",
  inventory: "oms.inventory",
  fulfillment: "oms.fulfillment",
  returns: "oms.returns",
  purchasing: "oms.purchasing",
} as const;

/** Detail types of the purchasing context: purchase orders (from their history) and the planner's alerts. */
export const PURCHASING_EVENTS = {
  drafted: "PurchaseOrderDrafted",
  approved: "PurchaseOrderApproved",
  sent: "PurchaseOrderSent",
  acknowledged: "PurchaseOrderAcknowledged",
  partiallyReceived: "PurchaseOrderPartiallyReceived",
  received: "PurchaseOrderReceived",
  closed: "PurchaseOrderClosed",
  cancelled: "PurchaseOrderCancelled",
  late: "PurchaseOrderLate",
  noSupplier: "ReorderPointWithoutSupplier",
  stockoutForecast: "StockoutForecast",
  planned: "ReplenishmentPlanned",
} as const;
/** Alerts for the purchasing contact (the internal notifications rule matches these). */
export const PURCHASING_ALERTS = [PURCHASING_EVENTS.late, PURCHASING_EVENTS.noSupplier, PURCHASING_EVENTS.stockoutForecast] as const;


/** Detail types published by the order context (past tense). */
export const ORDER_EVENTS = {
  created: "OrderCreated",
  confirmed: "OrderConfirmed",
  rejected: "OrderRejected",
  failed: "OrderFailed",
  allocated: "OrderAllocated",
  backordered: "OrderBackordered",
  cancelled: "OrderCancelled",
  onHold: "OrderOnHold",
  paymentAuthorized: "PaymentAuthorized",
  paymentDeclined: "PaymentDeclined",
  paymentCaptured: "PaymentCaptured",
  paymentVoided: "PaymentVoided",
  partiallyShipped: "OrderPartiallyShipped",
  shipped: "OrderShipped",
  readyForPickup: "OrderReadyForPickup",
  delivered: "OrderDelivered",
  changed: "OrderChanged",
  paymentReduced: "PaymentAuthorizationReduced",
  paymentRefunded: "PaymentRefunded",
} as const;
export type OrderEventType = (typeof ORDER_EVENTS)[keyof typeof ORDER_EVENTS];

/** Order events a customer hears about; the notifications rule matches exactly these. */
export const CUSTOMER_FACING_ORDER_EVENTS: readonly OrderEventType[] = [ORDER_EVENTS.confirmed, ORDER_EVENTS.rejected, ORDER_EVENTS.backordered, ORDER_EVENTS.cancelled, ORDER_EVENTS.delivered, ORDER_EVENTS.changed];

/** Detail types published by the fulfillment context, from changes to shipments. */
export const FULFILLMENT_EVENTS = {
  released: "ShipmentReleased",
  accepted: "ShipmentAccepted",
  picked: "ShipmentPicked",
  packed: "ShipmentPacked",
  shipped: "ShipmentShipped",
  delivered: "ShipmentDelivered",
  rejected: "ShipmentRejected",
  cancelled: "ShipmentCancelled",
  amended: "ShipmentAmended",
  awaitingStock: "ShipmentAwaitingStock",
  readyForPickup: "ShipmentReadyForPickup",
  pickedUp: "ShipmentPickedUp",
  notCollected: "ShipmentNotCollected",
  late: "DeliveryLate",
} as const;
export type FulfillmentEventType = (typeof FULFILLMENT_EVENTS)[keyof typeof FULFILLMENT_EVENTS];

/** Shipment events a customer hears about (tracking, a late parcel, a pickup waiting at the store). */
export const CUSTOMER_FACING_FULFILLMENT_EVENTS: readonly FulfillmentEventType[] = [FULFILLMENT_EVENTS.shipped, FULFILLMENT_EVENTS.late, FULFILLMENT_EVENTS.readyForPickup];

/** Detail types published by the returns context, one per fact a return records (functions/domain/return.ts). */
export const RETURN_EVENTS = {
  requested: "ReturnRequested",
  approved: "ReturnApproved",
  declined: "ReturnDeclined",
  labelCreated: "ReturnLabelCreated",
  inTransit: "ReturnInTransit",
  deliveredToLocation: "ReturnDeliveredToLocation",
  trackingException: "ReturnTrackingException",
  received: "ReturnReceived",
  inspected: "ReturnInspected",
  restocked: "ReturnRestocked",
  lost: "ReturnLost",
  overdue: "ReturnOverdue",
  refundIssued: "RefundIssued",
  refundFailed: "RefundFailed",
  storeCreditIssued: "StoreCreditIssued",
  expired: "ReturnExpired",
  cancelled: "ReturnCancelled",
  closed: "ReturnClosed",
  exchangeCreated: "ExchangeCreated",
  exchangeReleased: "ExchangeReleased",
  exchangeCancelled: "ExchangeCancelled",
  exchangeCharged: "ExchangeCharged",
  exchangeChargeFailed: "ExchangeChargeFailed",
} as const;
export type ReturnEventType = (typeof RETURN_EVENTS)[keyof typeof RETURN_EVENTS];

/** Return events a customer hears about. */
export const CUSTOMER_FACING_RETURN_EVENTS: readonly ReturnEventType[] = [RETURN_EVENTS.requested, RETURN_EVENTS.approved, RETURN_EVENTS.declined, RETURN_EVENTS.labelCreated, RETURN_EVENTS.received, RETURN_EVENTS.refundIssued, RETURN_EVENTS.storeCreditIssued, RETURN_EVENTS.expired, RETURN_EVENTS.cancelled, RETURN_EVENTS.exchangeCreated, RETURN_EVENTS.exchangeCharged];

/** The envelope version of every event's detail. */
export const EVENT_VERSION = 1;

export interface EventMetadata {
  /** Deterministic per (subject, fact) so a retried publish is recognised as the same event. */
  eventId: string;
  version: number;
  occurredAt: string;
  correlationId: string;
}

/** The `detail` of every OMS event. */
export interface EventDetail<T> {
  metadata: EventMetadata;
  data: T;
}

/** Event ids are `<subject id>.<detail type>`: a retry re-publishes the same id and consumers drop it. */
export const eventIdFor = (subjectId: string, detailType: string): string => `${subjectId}.${detailType}`;

/** Detail types published by the inventory context, from changes to stock and the adjustment journal. */
export const INVENTORY_EVENTS = {
  low: "InventoryLow",
  outOfStock: "OutOfStock",
  backInStock: "BackInStock",
  adjusted: "InventoryAdjusted",
  /** Available-to-promise changed at a location (any reservation, receipt or sale): what channels are told, coalesced. */
  availabilityChanged: "AvailabilityChanged",
} as const;
export type InventoryEventType = (typeof INVENTORY_EVENTS)[keyof typeof INVENTORY_EVENTS];
