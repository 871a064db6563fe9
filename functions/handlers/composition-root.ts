// The functions' one composition root: every client, repository, provider and use-case
// dependency set is built here, once per cold start, from the environment the stack gave the
// function. Each is a lazy builder marked pure, so a handler's bundle carries only what it uses,
// and a missing variable fails at the cold start of the handlers that need it, naming it.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SFNClient } from "@aws-sdk/client-sfn";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LocalCarrier } from "../adapters/carriers/local-carrier.js";
import { GeoPlacesClient } from "@aws-sdk/client-geo-places";
import { AmazonLocationGeocoder } from "../adapters/geocoding/amazon-location.js";
import { OfflineGeocoder } from "../adapters/geocoding/offline.js";
import { DynamoAllocationStore } from "../adapters/dynamodb/allocation-store.js";
import { DynamoBackorderStore } from "../adapters/dynamodb/backorder-store.js";
import { DynamoCatalog } from "../adapters/dynamodb/catalog-repository.js";
import { DynamoChannelStore } from "../adapters/dynamodb/channel-store.js";
import { DynamoProductStore } from "../adapters/dynamodb/product-store.js";
import { documentClient } from "../adapters/dynamodb/client.js";
import { DynamoHoldStore } from "../adapters/dynamodb/hold-store.js";
import { DynamoNotificationOutbox } from "../adapters/dynamodb/notification-outbox.js";
import { DynamoOrderRepository } from "../adapters/dynamodb/order-repository.js";
import { DynamoPaymentStore } from "../adapters/dynamodb/payment-store.js";
import { DynamoReservations } from "../adapters/dynamodb/reservations.js";
import { DynamoReturnPolicies } from "../adapters/dynamodb/return-policy-store.js";
import { DynamoReturnStock } from "../adapters/dynamodb/return-stock.js";
import { DynamoReturnStore } from "../adapters/dynamodb/return-store.js";
import { DynamoRoutingRules } from "../adapters/dynamodb/routing-rules-repository.js";
import { DynamoShipmentStore } from "../adapters/dynamodb/shipment-store.js";
import { DynamoStockLedger } from "../adapters/dynamodb/stock-ledger.js";
import { DynamoDemandHistory } from "../adapters/dynamodb/demand-history.js";
import { DynamoPurchasing } from "../adapters/dynamodb/purchasing-store.js";
import { renderPurchaseOrder } from "../adapters/purchasing/po-document.js";
import { signWebhook } from "../adapters/channels/signature.js";
import type { PlanningDeps, RecordDemandDeps } from "../app/replenishment.js";
import type { PurchasingDeps } from "../app/purchasing.js";
import type { SendPurchaseOrderDeps } from "../app/send-purchase-order.js";
import { optionalEnv } from "../shared/env.js";
import { EventBridgePublisher } from "../adapters/eventbridge/event-publisher.js";
import { LocalPaymentProvider } from "../adapters/payments/local-provider.js";
import { SecretsManagerChannelCredentials, SecretsManagerChannelSecrets } from "../adapters/secrets/channel-secrets.js";
import { SpApiOrders } from "../adapters/channels/sp-api.js";
import { ShopifyAdmin } from "../adapters/channels/shopify-admin.js";
import { WooCommerceApi } from "../adapters/channels/woocommerce-api.js";
import { DynamoChannelStockLevels, DynamoReconcileCursors } from "../adapters/dynamodb/channel-state.js";
import { DynamoChannelSyncLog } from "../adapters/dynamodb/channel-sync-log.js";
import type { ReconcileDeps } from "../app/reconcile-channels.js";
import type { ChannelStockDeps } from "../app/channel-stock.js";
import type { ChannelSyncDeps } from "../app/channel-sync.js";
import { StepFunctionsTaskResponder } from "../adapters/stepfunctions/task-responder.js";
import { StepFunctionsWorkflowStarter } from "../adapters/stepfunctions/workflow-starter.js";
import { restock, type AwaitingStockDeps } from "../app/awaiting-stock.js";
import type { AllocateDeps } from "../app/backorders.js";
import type { CancelOrderDeps } from "../app/cancel-order.js";
import type { ChannelOrderDeps } from "../app/channel-orders.js";
import type { ChangeOrderDeps } from "../app/change-order.js";
import type { HoldDeps } from "../app/decide-hold.js";
import type { ReturnDeps } from "../app/returns.js";
import type { ShipDeps } from "../app/shipments.js";
import type { CarrierPort, Geocoder, PaymentProvider } from "../app/ports.js";
import { routingDataFrom } from "../app/quote-route.js";
import { problemsOf } from "../app/validate-order.js";
import { requireEnv } from "../shared/env.js";
import { CARRIERS, GEOCODERS, PAYMENT_PROVIDERS, PROVIDER_ENV, type GeocoderName } from "../shared/providers.js";
import { systemClock, ulidIds } from "../shared/runtime.js";

/** A value built on first use and kept for the life of the execution environment. */
function once<T>(build: () => T): () => T {
  let cell: { value: T } | undefined;
  return () => (cell ??= { value: build() }).value;
}

export const tableName = /* @__PURE__ */ once(() => requireEnv("TABLE_NAME"));
const db = /* @__PURE__ */ once(() => documentClient());
const sfnClient = /* @__PURE__ */ once(() => new SFNClient({}));

export const orders = /* @__PURE__ */ once(() => new DynamoOrderRepository(db(), tableName()));
export const catalog = /* @__PURE__ */ once(() => new DynamoCatalog(db(), tableName()));
/** Reservations: reserve, release, consume, resize, move, expire. */
export const reservations = /* @__PURE__ */ once(() => new DynamoReservations(db(), tableName(), systemClock));
/** Stock records, their adjustments journal and planning figures, and the reads of stock. */
export const stock = /* @__PURE__ */ once(() => new DynamoStockLedger(db(), tableName(), systemClock, ulidIds));
export const routingRules = /* @__PURE__ */ once(() => new DynamoRoutingRules(db(), tableName()));
export const shipments = /* @__PURE__ */ once(() => new DynamoShipmentStore(db(), tableName()));
export const allocations = /* @__PURE__ */ once(() => new DynamoAllocationStore(db(), tableName()));
/** The payment records (authorization, captures, voids, the released rest). */
export const payments = /* @__PURE__ */ once(() => new DynamoPaymentStore(db(), tableName()));
export const holds = /* @__PURE__ */ once(() => new DynamoHoldStore(db(), tableName()));
export const backorders = /* @__PURE__ */ once(() => new DynamoBackorderStore(db(), tableName()));
export const outbox = /* @__PURE__ */ once(() => new DynamoNotificationOutbox(db(), tableName()));
export const tasks = /* @__PURE__ */ once(() => new StepFunctionsTaskResponder(sfnClient()));
export const workflowStarter = /* @__PURE__ */ once(() => new StepFunctionsWorkflowStarter(sfnClient(), requireEnv("STATE_MACHINE_ARN")));
/** Starts the return workflow (one execution per return, named by the return id). */
export const returnWorkflowStarter = /* @__PURE__ */ once(() => new StepFunctionsWorkflowStarter(sfnClient(), requireEnv("RETURN_STATE_MACHINE_ARN")));
export const returns = /* @__PURE__ */ once(() => new DynamoReturnStore(db(), tableName()));
export const returnPolicies = /* @__PURE__ */ once(() => new DynamoReturnPolicies(db(), tableName()));
/** The product catalog and its channel listings. */
export const products = /* @__PURE__ */ once(() => new DynamoProductStore(db(), tableName()));
/** Sales channels (versioned), the shop identities that pick them, and the webhook deliveries they handled. */
export const channels = /* @__PURE__ */ once(() => new DynamoChannelStore(db(), tableName()));
export const eventPublisher = /* @__PURE__ */ once(() => new EventBridgePublisher(new EventBridgeClient({}), requireEnv("EVENT_BUS_NAME")));
export const channelSecrets = /* @__PURE__ */ once(() => new SecretsManagerChannelSecrets(requireEnv("CHANNEL_SECRETS_ARN")));
export const carrierSecrets = /* @__PURE__ */ once(() => new SecretsManagerChannelSecrets(requireEnv("CARRIER_SECRETS_ARN")));
/** Each channel's API credentials, from the secret its registration names. */
export const channelCredentials = /* @__PURE__ */ once(() => new SecretsManagerChannelCredentials());
/** Amazon orders by id through SP-API, as each channel's credentials allow. */
export const amazonOrders = /* @__PURE__ */ once(() => new SpApiOrders(channelCredentials()));
/** The delivery log of each order's outbound channel calls. */
export const channelSyncLog = /* @__PURE__ */ once(() => new DynamoChannelSyncLog(db(), tableName()));
/** The Shopify Admin API client (fulfillments, stock, cancellations, refunds, delivery methods). */
export const shopifyAdmin = /* @__PURE__ */ once(() => new ShopifyAdmin(channelCredentials()));
const wooCommerceApi = /* @__PURE__ */ once(() => new WooCommerceApi(channelCredentials()));
/** Telling marketplaces what shipped: each type's fulfillment API. */
export const channelSyncDeps = /* @__PURE__ */ once(
  (): ChannelSyncDeps => ({
    orders: orders(),
    channels: channels(),
    log: channelSyncLog(),
    fulfillments: { shopify: shopifyAdmin(), woocommerce: wooCommerceApi(), amazon: amazonOrders() },
    cancellations: { shopify: shopifyAdmin(), woocommerce: wooCommerceApi() },
    refunds: { shopify: shopifyAdmin(), woocommerce: wooCommerceApi() },
    clock: systemClock,
  }),
);
/** Each marketplace's order list, for reconciliation. */
export const channelOrderFeeds = /* @__PURE__ */ once((): ReconcileDeps["feeds"] => ({ shopify: shopifyAdmin(), woocommerce: wooCommerceApi(), amazon: amazonOrders() }));
export const reconcileCursors = /* @__PURE__ */ once(() => new DynamoReconcileCursors(db(), tableName()));
/** Setting the marketplaces' stock levels. */
export const channelStockDeps = /* @__PURE__ */ once(
  (): ChannelStockDeps => ({
    channels: channels(),
    products: products(),
    stock: stock(),
    levels: new DynamoChannelStockLevels(db(), tableName()),
    inventories: { shopify: shopifyAdmin(), woocommerce: wooCommerceApi(), amazon: amazonOrders() },
    clock: systemClock,
  }),
);

/** Suppliers, purchase orders, receipts and alerts. */
export const purchasing = /* @__PURE__ */ once(() => new DynamoPurchasing(db(), tableName()));
/** Daily demand per SKU and location. */
export const demandHistory = /* @__PURE__ */ once(() => new DynamoDemandHistory(db(), tableName()));
export const recordDemandDeps = /* @__PURE__ */ once((): RecordDemandDeps => ({ allocations: allocations(), demand: demandHistory(), clock: systemClock }));
export const purchasingDeps = /* @__PURE__ */ once((): PurchasingDeps => ({ purchasing: purchasing(), stock: stock(), clock: systemClock }));
/** The nightly plan: its settings come from the stack (PLANNING_*), with documented defaults. */
export const planningDeps = /* @__PURE__ */ once(
  (): PlanningDeps => ({
    locations: catalog(),
    stock: stock(),
    demand: demandHistory(),
    backorders: backorders(),
    purchasing: purchasing(),
    events: eventPublisher(),
    clock: systemClock,
    ids: ulidIds,
    settings: {
      segmentSize: Number(optionalEnv("PLANNING_SEGMENT_SIZE", "1000")),
      coverDays: Number(optionalEnv("PLANNING_COVER_DAYS", "14")),
      holdingRate: Number(optionalEnv("PLANNING_HOLDING_RATE", "0.25")),
      defaultLeadTimeDays: Number(optionalEnv("PLANNING_DEFAULT_LEAD_TIME_DAYS", "7")),
    },
  }),
);
export const sendPurchaseOrderDeps = /* @__PURE__ */ once(
  (): SendPurchaseOrderDeps => ({
    purchasing: purchasing(),
    deliveries: purchasing().deliveries,
    sign: signWebhook,
    render: async (po, supplier) => renderPurchaseOrder(po, supplier, { name: (await catalog().getLocation(po.locationId))?.name ?? po.locationId, locationId: po.locationId }),
    post: async (url, body, headers) => ({ status: (await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(10_000) })).status }),
    clock: systemClock,
  }),
);

/** The geocoder the stage named (GEOCODER); the offline one reads the tables bundled beside the function (`geo/`). */
export const geocoder = /* @__PURE__ */ once((): Geocoder => {
  const name = requireEnv(PROVIDER_ENV.geocoder);
  switch (name as GeocoderName) {
    case "offline":
      return new OfflineGeocoder(path.join(path.dirname(fileURLToPath(import.meta.url)), "geo"));
    case "amazon-location":
      return new AmazonLocationGeocoder(new GeoPlacesClient({}));
    default:
      throw new Error(`Unknown geocoder ${name} (${PROVIDER_ENV.geocoder}); this build has: ${GEOCODERS.join(", ")}`);
  }
});

/** The payment provider the stage named (PAYMENT_PROVIDER); an unknown name fails the cold start. */
export const paymentProvider = /* @__PURE__ */ once((): PaymentProvider => {
  const name = requireEnv(PROVIDER_ENV.payments);
  switch (name as (typeof PAYMENT_PROVIDERS)[number]) {
    case "local":
      return new LocalPaymentProvider(db(), tableName(), systemClock, ulidIds);
    default:
      throw new Error(`${PROVIDER_ENV.payments}=${name} is not a payment provider this build has (${PAYMENT_PROVIDERS.join(", ")})`);
  }
});

/** The carrier the stage named (CARRIER); an unknown name fails the cold start. */
export const carrier = /* @__PURE__ */ once((): CarrierPort => {
  const name = requireEnv(PROVIDER_ENV.carrier);
  switch (name as (typeof CARRIERS)[number]) {
    case "local":
      return new LocalCarrier(systemClock);
    default:
      throw new Error(`${PROVIDER_ENV.carrier}=${name} is not a carrier this build has (${CARRIERS.join(", ")})`);
  }
});

/** What the fulfillment steps and callbacks use. */
export const shipDeps = /* @__PURE__ */ once(
  (): ShipDeps => ({
    orders: orders(),
    shipments: shipments(),
    tasks: tasks(),
    clock: systemClock,
    inventory: reservations(),
    payments: payments(),
    provider: paymentProvider(),
    carrier: carrier(),
    locations: catalog(),
    capacity: catalog(),
  }),
);

/** What allocation (and the backorders waiting on it) uses. */
export const allocateDeps = /* @__PURE__ */ once(
  (): AllocateDeps => ({
    orders: orders(),
    allocations: allocations(),
    routing: routingDataFrom(catalog(), stock(), routingRules(), systemClock),
    inventory: reservations(),
    shipments: shipments(),
    backorders: backorders(),
    tasks: tasks(),
    clock: systemClock,
    ids: ulidIds,
  }),
);

/** What deciding a hold uses. */
export const holdDeps = /* @__PURE__ */ once((): HoldDeps => ({ orders: orders(), holds: holds(), tasks: tasks(), clock: systemClock, problems: (order) => problemsOf(catalog(), order) }));

/** What cancelling an order uses: the order, its payment, its stock, and the workflow steps waiting on it. */
export const cancelDeps = /* @__PURE__ */ once(
  (): CancelOrderDeps => ({
    orders: orders(),
    payments: payments(),
    provider: paymentProvider(),
    inventory: reservations(),
    clock: systemClock,
    hold: { holds: holds(), tasks: tasks() },
    fulfillment: { shipments: shipments(), backorders: backorders(), tasks: tasks() },
  }),
);

/** What a marketplace's order messages use: capture, cancellation, and the catalog's listings to map their lines. */
export const channelOrderDeps = /* @__PURE__ */ once(
  (): ChannelOrderDeps => ({
    place: { orders: orders(), workflow: workflowStarter(), clock: systemClock, ids: ulidIds },
    cancel: cancelDeps(),
    change: changeDeps(),
    catalog: { skuForListing: (channelId, key) => products().skuForListing(channelId, key), unsellable: (skus) => catalog().unsellable(skus) },
  }),
);

/** What the awaiting rest of a short order uses (its wait for stock, its release where stock came in). */
export const awaitingDeps = /* @__PURE__ */ once((): AwaitingStockDeps => ({ allocate: allocateDeps(), shipments: shipments(), capacity: catalog() }));

/** What order changes (lines cancelled, edits before release) use. */
export const changeDeps = /* @__PURE__ */ once(
  (): ChangeOrderDeps => ({
    orders: orders(),
    shipments: shipments(),
    allocations: allocations(),
    inventory: reservations(),
    payments: payments(),
    provider: paymentProvider(),
    catalog: catalog(),
    clock: systemClock,
    allocate: allocateDeps(),
    cancel: cancelDeps(),
    restock: (orderId, shipmentId, token) => restock(awaitingDeps(), orderId, shipmentId, token),
  }),
);

/**
 * What the return use cases use. The workflow starter is only built when a return is requested
 * (the steps and callbacks never start one), so only the request handler needs its ARN.
 */
export const returnDeps = /* @__PURE__ */ once(
  (): ReturnDeps => ({
    orders: orders(),
    shipments: shipments(),
    returns: returns(),
    policies: returnPolicies(),
    locations: catalog(),
    carrier: carrier(),
    tasks: tasks(),
    stock: new DynamoReturnStock(db(), tableName()),
    payments: payments(),
    provider: paymentProvider(),
    workflow: { start: (name, input) => returnWorkflowStarter().start(name, input) },
    clock: systemClock,
    // Exchanges place a replacement order (its workflow started lazily: only the return steps place one).
    exchange: {
      orders: orders(),
      orderWorkflow: { start: (name, input) => workflowStarter().start(name, input) },
      ids: ulidIds,
      allocations: allocations(),
      backorders: backorders(),
      cancel: cancelDeps(),
      payments: payments(),
      provider: paymentProvider(),
      tasks: tasks(),
      clock: systemClock,
    },
  }),
);
