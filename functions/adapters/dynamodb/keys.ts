/**
 * The ONLY place where single-table keys are built. Access patterns (README has the table):
 *  - order by id with its lines: PK = ORDER#<id>, SK begins_with ORDER (header ORDER, lines ORDER#LINE#nnn)
 *  - notifications of an order: PK = ORDER#<id>, SK begins_with NOTIFICATION#
 *  - the order's outbound channel calls (its delivery log): PK = ORDER#<id>, SK = CHANNELSYNC#<key>
 *  - the stock levels last sent to a channel for a SKU: PK = CHANNEL#<id>, SK = STOCK#<sku>
 *  - where a channel's reconciliation got to: PK = CHANNEL#<id>, SK = RECONCILE
 *  - the allocations (plan per round) of an order: PK = ORDER#<id>, SK begins_with ALLOCATION (round 1: ALLOCATION, then ALLOCATION#nnn)
 *  - the shipments of an order: PK = ORDER#<id>, SK begins_with SHIPMENT#
 *  - orders waiting for a SKU (backorders), oldest first: PK = BACKORDER#<sku>, SK = <parkedAt>#<orderId>; the order's own parking: PK = ORDER#<id>, SK = BACKORDER
 *  - a carrier's tracking number → shipment: PK = TRACKING#<carrier>#<trackingNumber>
 *  - the payment of an order: PK = ORDER#<id>, SK = PAYMENT
 *  - the local payment provider's answers by idempotency key: PK = PSP#<operation>#<key>
 *  - channel dedupe: PK = CHANNEL#<channel>#EXT#<externalOrderId>
 *  - orders by channel, newest first: GSI1 (GSI1PK = ORDERS#CHANNEL#<channel>)
 *  - orders by status, newest first: GSI2 (GSI2PK = ORDERS#STATUS#<status>)
 *  - all orders, newest first: GSI3 (GSI3PK = ORDERS)
 *  - SKU and its stock per location: PK = SKU#<sku>
 *  - locations: PK = LOCATION#<id>, listed via GSI1 (GSI1PK = LOCATIONS); shipments released per day: SK = USAGE#<yyyy-mm-dd>
 *  - reservations of a SKU at a location: PK = SKU#<sku>, SK begins_with RES#<location>#
 *  - reservations of an order: GSI1 (GSI1PK = RESERVATIONS#<orderId>)
 *  - reservations with a hold-until time, soonest first: GSI2 (GSI2PK = HOLDS, GSI2SK = <holdUntil>#<orderId>#<lineId>)
 *  - stock of a location: GSI1 (GSI1PK = STOCK#LOCATION#<location>, GSI1SK = sku)
 *  - adjustment journal of a SKU at a location: PK = SKU#<sku>, SK begins_with ADJ#<location>#
 *  - a channel's routing rules: PK = ROUTING#<channel>, SK = RULES (current), RULES#v<nnnnnn> (every version)
 *  - a channel's return policy: PK = RETURNPOLICY#<channel>, SK = POLICY (current), POLICY#v<nnnnnn> (every version)
 *  - the returns of an order: PK = ORDER#<id>, SK begins_with RETURN#; the units they hold: SK = RETURNS
 *  - returns by channel / by status / all, newest first: GSI1 (RETURNS#CHANNEL#<channel>), GSI2 (RETURNS#STATUS#<status>), GSI3 (RETURNS)
 *  - a return label's tracking number → return: PK = TRACKING#<carrier>#<trackingNumber> (with returnId)
 *  - store credit issued to a customer: PK = CUSTOMER#<email>, SK = CREDIT#<returnId>
 *  - a sales channel: PK = CHANNEL#<id>, SK = CONFIG (current), CONFIG#v<nnnnnn> (every version); all channels: GSI1 (GSI1PK = CHANNELS)
 *  - the channel a shop identity belongs to (Shopify domain, WooCommerce site, Amazon seller): PK = CHANNELIDENTITY#<type>#<identity>
 *  - a channel's webhook deliveries already handled: PK = WEBHOOK#<channel>#<deliveryId> (kept 30 days)
 *  - products by state / all, by SKU: GSI1 (GSI1PK = PRODUCTS#active | PRODUCTS#inactive), GSI3 (GSI3PK = PRODUCTS); GSI1SK = GSI3SK = sku
 *  - a channel's listing → its SKU: PK = LISTING#<channel>#<variant:… | variation:… | product:… | seller-sku:… | asin:…>
 *  - a SKU's daily demand per month, at a location or the network ("*"): PK = DEMAND#<sku>, SK = <location|*>#<yyyy-mm> (attributes dNN, uNN, rNN)
 *  - demand already counted for an order / a return: PK = DEMANDREC#<order|return>#<id> (kept 30 days)
 *  - suppliers: PK = SUPPLIER#<id>, listed via GSI1 (GSI1PK = SUPPLIERS); a SKU's sources: PK = SKU#<sku>, SK begins_with SUPPLY#
 *  - purchase orders: PK = PO#<id>, SK = PO (receipts SK = RECEIPT#<id>); by supplier / status / all, newest first: GSI1 (POS#SUPPLIER#<id>), GSI2 (POS#STATUS#<status>), GSI3 (POS)
 *  - the open draft purchase order of a supplier for a location: PK = DRAFTPO#<supplier>#<location>
 *  - a planning run: PK = PLANRUN#<runId>; an alert raised once: PK = ALERT#<kind>#<id>
 */
export interface Key {
  PK: string;
  SK: string;
}

export const ITEM_TYPES = {
  order: "Order",
  orderLine: "OrderLine",
  channelOrder: "ChannelOrder",
  notification: "Notification",
  sku: "Sku",
  stock: "Stock",
  reservation: "Reservation",
  adjustment: "Adjustment",
  idempotency: "Idempotency",
  location: "Location",
  locationUsage: "LocationUsage",
  routingRules: "RoutingRules",
  allocation: "Allocation",
  payment: "Payment",
  hold: "Hold",
  providerRequest: "ProviderRequest",
  shipment: "Shipment",
  backorder: "Backorder",
  tracking: "Tracking",
  routingRulesVersion: "RoutingRulesVersion",
  return: "Return",
  returnLedger: "ReturnLedger",
  returnPolicy: "ReturnPolicy",
  returnPolicyVersion: "ReturnPolicyVersion",
  storeCredit: "StoreCredit",
  channel: "Channel",
  channelVersion: "ChannelVersion",
  channelIdentity: "ChannelIdentity",
  webhookDelivery: "WebhookDelivery",
  listing: "Listing",
  demand: "Demand",
  demandRecord: "DemandRecord",
  supplier: "Supplier",
  supply: "Supply",
  purchaseOrder: "PurchaseOrder",
  draftPurchaseOrder: "DraftPurchaseOrder",
  purchaseOrderReceipt: "PurchaseOrderReceipt",
  planningRun: "PlanningRun",
  alert: "Alert",
  channelSync: "ChannelSync",
  channelStock: "ChannelStock",
  reconcileCursor: "ReconcileCursor",
} as const;

export const INDEXES = { byChannel: "GSI1", byStatus: "GSI2", all: "GSI3" } as const;

const orderPk = (orderId: string) => `ORDER#${orderId}`;
/** Sort keys in the order indexes: time first, then id, so pages are stable. */
const orderSortKey = (createdAt: string, orderId: string) => `${createdAt}#${orderId}`;

const HOLDS_PARTITION = "HOLDS";

/** The three listings of orders and of returns: by channel (GSI1), by status (GSI2), all (GSI3), each newest first. */
const listingIndexes = (kind: "ORDERS" | "RETURNS", id: string, x: { channel: string; status: string; createdAt: string }) => ({
  GSI1PK: `${kind}#CHANNEL#${x.channel}`,
  GSI1SK: orderSortKey(x.createdAt, id),
  GSI2PK: `${kind}#STATUS#${x.status}`,
  GSI2SK: orderSortKey(x.createdAt, id),
  GSI3PK: kind,
  GSI3SK: orderSortKey(x.createdAt, id),
});

export const keys = {
  order: (orderId: string): Key => ({ PK: orderPk(orderId), SK: "ORDER" }),
  orderPartition: (orderId: string): string => orderPk(orderId),
  reconcileCursor: (channelId: string): Key => ({ PK: `CHANNEL#${channelId}`, SK: "RECONCILE" }),
  channelStock: (channelId: string, sku: string): Key => ({ PK: `CHANNEL#${channelId}`, SK: `STOCK#${sku}` }),
  channelSync: (orderId: string, key: string): Key => ({ PK: orderPk(orderId), SK: `CHANNELSYNC#${key}` }),
  /** Lines sort right after the header, so one begins_with("ORDER") query reads both. */
  orderLine: (orderId: string, lineId: string): Key => ({ PK: orderPk(orderId), SK: `ORDER#LINE#${lineId}` }),
  orderWithLinesPrefix: "ORDER",
  notificationPrefix: "NOTIFICATION#",
  channelSyncPrefix: "CHANNELSYNC#",
  /** Round 1 sorts first; later rounds after it, in order, so the last item of the prefix is the latest. */
  allocation: (orderId: string, round = 1): Key => ({ PK: orderPk(orderId), SK: round <= 1 ? "ALLOCATION" : `ALLOCATION#${String(round).padStart(3, "0")}` }),
  allocationPrefix: "ALLOCATION",
  shipment: (orderId: string, shipmentId: string): Key => ({ PK: orderPk(orderId), SK: `SHIPMENT#${shipmentId}` }),
  shipmentPrefix: "SHIPMENT#",
  backorderOfOrder: (orderId: string): Key => ({ PK: orderPk(orderId), SK: "BACKORDER" }),
  backorderOfSku: (sku: string, parkedAt: string, orderId: string): Key => ({ PK: `BACKORDER#${sku}`, SK: `${parkedAt}#${orderId}` }),
  backordersOfSku: (sku: string): string => `BACKORDER#${sku}`,
  tracking: (carrier: string, trackingNumber: string): Key => ({ PK: `TRACKING#${carrier}#${trackingNumber}`, SK: "TRACKING" }),
  payment: (orderId: string): Key => ({ PK: orderPk(orderId), SK: "PAYMENT" }),
  /** The task token of an order waiting on an operator's hold decision. */
  hold: (orderId: string): Key => ({ PK: orderPk(orderId), SK: "HOLD" }),
  providerRequest: (operation: string, idempotencyKey: string): Key => ({ PK: `PSP#${operation}#${idempotencyKey}`, SK: "PSP" }),
  channelOrder: (channel: string, externalOrderId: string): Key => ({
    PK: `CHANNEL#${channel}#EXT#${externalOrderId}`,
    SK: "CHANNEL_ORDER",
  }),
  orderIndexes: (o: { orderId: string; channel: string; status: string; createdAt: string }) => listingIndexes("ORDERS", o.orderId, o),
  ordersByChannel: (channel: string) => ({ index: INDEXES.byChannel, pk: "GSI1PK", value: `ORDERS#CHANNEL#${channel}` }),
  ordersByStatus: (status: string) => ({ index: INDEXES.byStatus, pk: "GSI2PK", value: `ORDERS#STATUS#${status}` }),
  allOrders: () => ({ index: INDEXES.all, pk: "GSI3PK", value: "ORDERS" }),
  notification: (orderId: string, eventId: string, channel: string, template: string): Key => ({
    PK: orderPk(orderId),
    SK: `NOTIFICATION#${eventId}#${channel}#${template}`,
  }),
  sku: (sku: string): Key => ({ PK: `SKU#${sku}`, SK: "PRODUCT" }),
  stock: (sku: string, locationId: string): Key => ({ PK: `SKU#${sku}`, SK: `STOCK#${locationId}` }),
  /** Stock of a location, through GSI1; none of GSI1's projected attributes change on a reservation, so it costs no index write there. */
  stockIndex: (sku: string, locationId: string) => ({ GSI1PK: `STOCK#LOCATION#${locationId}`, GSI1SK: sku }),
  stockOfLocation: (locationId: string) => ({ index: INDEXES.byChannel, pk: "GSI1PK", value: `STOCK#LOCATION#${locationId}` }),
  locations: () => ({ index: INDEXES.byChannel, pk: "GSI1PK", value: "LOCATIONS" }),
  /** A reservation held until a time, indexed so the expiry sweep finds what fell due (GSI2, soonest first). */
  holdIndex: (holdUntil: string, orderId: string, lineId: string) => ({ GSI2PK: HOLDS_PARTITION, GSI2SK: `${holdUntil}#${orderId}#${lineId}` }),
  /** Holds due at or before `now` (ISO): the GSI2 partition and the sort-key bound. */
  holdsDue: (now: string) => ({ index: INDEXES.byStatus, pk: HOLDS_PARTITION, upTo: `${now}~` }),
  skuPartition: (sku: string): string => `SKU#${sku}`,
  stockPrefix: "STOCK#",
  /** Reservations live in their SKU's partition, so the reserved counter can be recomputed from one query. */
  reservation: (sku: string, locationId: string, orderId: string, lineId: string): Key => ({ PK: `SKU#${sku}`, SK: `RES#${locationId}#${orderId}#${lineId}` }),
  reservationPrefix: "RES#",
  /** (sku, locationId, lineId) of a reservation item's key. */
  parseReservation: (k: Key): { sku: string; locationId: string; orderId: string; lineId: string } => {
    const [, locationId = "", orderId = "", lineId = ""] = k.SK.split("#");
    return { sku: k.PK.slice("SKU#".length), locationId, orderId, lineId };
  },
  /** Reservations of an order, through GSI1. */
  reservationsOfOrder: (orderId: string) => ({ index: INDEXES.byChannel, pk: "GSI1PK", value: `RESERVATIONS#${orderId}` }),
  adjustment: (sku: string, locationId: string, id: string): Key => ({ PK: `SKU#${sku}`, SK: `ADJ#${locationId}#${id}` }),
  idempotency: (scope: string, key: string): Key => ({ PK: `IDEMPOTENCY#${scope}#${key}`, SK: "IDEMPOTENCY" }),
  routingRules: (channel: string): Key => ({ PK: `ROUTING#${channel}`, SK: "RULES" }),
  /** Zero-padded so versions sort numerically; a query on the prefix lists the history. */
  routingRulesVersion: (channel: string, version: number): Key => ({ PK: `ROUTING#${channel}`, SK: `RULES#v${String(version).padStart(6, "0")}` }),
  routingRulesPartition: (channel: string): string => `ROUTING#${channel}`,
  routingRulesVersionPrefix: "RULES#v",
  /** Shipments released to a location on a day (UTC), beside the location: what its daily capacity is spent on. */
  locationUsage: (locationId: string, day: string): Key => ({ PK: `LOCATION#${locationId}`, SK: `USAGE#${day}` }),
  returnOf: (orderId: string, returnId: string): Key => ({ PK: orderPk(orderId), SK: `RETURN#${returnId}` }),
  returnPrefix: "RETURN#",
  returnLedger: (orderId: string): Key => ({ PK: orderPk(orderId), SK: "RETURNS" }),
  returnIndexes: (r: { returnId: string; channel: string; status: string; createdAt: string }) => listingIndexes("RETURNS", r.returnId, r),
  returnsByChannel: (channel: string) => ({ index: INDEXES.byChannel, pk: "GSI1PK", sk: "GSI1SK", value: `RETURNS#CHANNEL#${channel}` }),
  returnsByStatus: (status: string) => ({ index: INDEXES.byStatus, pk: "GSI2PK", sk: "GSI2SK", value: `RETURNS#STATUS#${status}` }),
  allReturns: () => ({ index: INDEXES.all, pk: "GSI3PK", sk: "GSI3SK", value: "RETURNS" }),
  returnPolicy: (channel: string): Key => ({ PK: `RETURNPOLICY#${channel}`, SK: "POLICY" }),
  returnPolicyVersion: (channel: string, version: number): Key => ({ PK: `RETURNPOLICY#${channel}`, SK: `POLICY#v${String(version).padStart(6, "0")}` }),
  storeCredit: (email: string, returnId: string): Key => ({ PK: `CUSTOMER#${email.toLowerCase()}`, SK: `CREDIT#${returnId}` }),
  channel: (channelId: string): Key => ({ PK: `CHANNEL#${channelId}`, SK: "CONFIG" }),
  channelVersion: (channelId: string, version: number): Key => ({ PK: `CHANNEL#${channelId}`, SK: `CONFIG#v${String(version).padStart(6, "0")}` }),
  channelIndex: (channelId: string) => ({ GSI1PK: "CHANNELS", GSI1SK: channelId }),
  channels: () => ({ index: INDEXES.byChannel, pk: "GSI1PK", value: "CHANNELS" }),
  channelIdentity: (type: string, identity: string): Key => ({ PK: `CHANNELIDENTITY#${type}#${identity}`, SK: "IDENTITY" }),
  productIndex: (sku: string, active: boolean) => ({ GSI1PK: `PRODUCTS#${active ? "active" : "inactive"}`, GSI1SK: sku, GSI3PK: "PRODUCTS", GSI3SK: sku }),
  products: (active?: boolean) => (active === undefined ? { index: INDEXES.all, pk: "GSI3PK", value: "PRODUCTS" } : { index: INDEXES.byChannel, pk: "GSI1PK", value: `PRODUCTS#${active ? "active" : "inactive"}` }),
  listing: (channelId: string, listingKey: string): Key => ({ PK: `LISTING#${channelId}#${listingKey}`, SK: "LISTING" }),
  webhookDelivery: (channelId: string, deliveryId: string): Key => ({ PK: `WEBHOOK#${channelId}#${deliveryId}`, SK: "DELIVERY" }),
  /** A SKU's demand in one month at a location (or "*" for the network): one counter attribute per day. */
  demandMonth: (sku: string, scope: string, month: string): Key => ({ PK: `DEMAND#${sku}`, SK: `${scope}#${month}` }),
  demandPartition: (sku: string): string => `DEMAND#${sku}`,
  /** The marker that a source's demand (an order's allocation, a return's restock) was counted. */
  demandRecord: (source: string, id: string): Key => ({ PK: `DEMANDREC#${source}#${id}`, SK: "DEMANDREC" }),
  supplier: (supplierId: string): Key => ({ PK: `SUPPLIER#${supplierId}`, SK: "SUPPLIER" }),
  supplierIndex: (supplierId: string) => ({ GSI1PK: "SUPPLIERS", GSI1SK: supplierId }),
  suppliers: () => ({ index: INDEXES.byChannel, pk: "GSI1PK", value: "SUPPLIERS" }),
  /** A supplier's terms for a SKU, in the SKU's partition, so planning finds a SKU's sources in one query. */
  supply: (sku: string, supplierId: string): Key => ({ PK: `SKU#${sku}`, SK: `SUPPLY#${supplierId}` }),
  supplyPrefix: "SUPPLY#",
  purchaseOrder: (poId: string): Key => ({ PK: `PO#${poId}`, SK: "PO" }),
  purchaseOrderPartition: (poId: string): string => `PO#${poId}`,
  purchaseOrderIndexes: (po: { poId: string; supplierId: string; status: string; createdAt: string }) => ({
    GSI1PK: `POS#SUPPLIER#${po.supplierId}`,
    GSI1SK: orderSortKey(po.createdAt, po.poId),
    GSI2PK: `POS#STATUS#${po.status}`,
    GSI2SK: orderSortKey(po.createdAt, po.poId),
    GSI3PK: "POS",
    GSI3SK: orderSortKey(po.createdAt, po.poId),
  }),
  purchaseOrdersBySupplier: (supplierId: string) => ({ index: INDEXES.byChannel, pk: "GSI1PK", sk: "GSI1SK", value: `POS#SUPPLIER#${supplierId}` }),
  purchaseOrdersByStatus: (status: string) => ({ index: INDEXES.byStatus, pk: "GSI2PK", sk: "GSI2SK", value: `POS#STATUS#${status}` }),
  allPurchaseOrders: () => ({ index: INDEXES.all, pk: "GSI3PK", sk: "GSI3SK", value: "POS" }),
  /** The one open draft purchase order of a supplier for a location. */
  draftPurchaseOrder: (supplierId: string, locationId: string): Key => ({ PK: `DRAFTPO#${supplierId}#${locationId}`, SK: "DRAFT" }),
  purchaseOrderReceipt: (poId: string, receiptId: string): Key => ({ PK: `PO#${poId}`, SK: `RECEIPT#${receiptId}` }),
  planningRun: (runId: string): Key => ({ PK: `PLANRUN#${runId}`, SK: "RUN" }),
  /** An alert raised once (a late purchase order, a reorder point with no supplier today). */
  alert: (kind: string, id: string): Key => ({ PK: `ALERT#${kind}#${id}`, SK: "ALERT" }),
  location: (locationId: string) => ({
    PK: `LOCATION#${locationId}`,
    SK: "LOCATION",
    GSI1PK: "LOCATIONS",
    GSI1SK: locationId,
  }),
};
