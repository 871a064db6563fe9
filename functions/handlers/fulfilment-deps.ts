import { SFNClient } from "@aws-sdk/client-sfn";
import { LocalCarrier } from "../adapters/carriers/local-carrier.js";
import { DynamoAllocationStore } from "../adapters/dynamodb/allocation-store.js";
import { DynamoBackorderStore } from "../adapters/dynamodb/backorder-store.js";
import { DynamoCatalog } from "../adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../adapters/dynamodb/client.js";
import { DynamoInventory } from "../adapters/dynamodb/inventory-repository.js";
import { DynamoOrderRepository } from "../adapters/dynamodb/order-repository.js";
import { DynamoPaymentStore } from "../adapters/dynamodb/payment-store.js";
import { DynamoRoutingRules } from "../adapters/dynamodb/routing-rules-repository.js";
import { DynamoShipmentStore } from "../adapters/dynamodb/shipment-store.js";
import { LocalPaymentProvider } from "../adapters/payments/local-provider.js";
import { StepFunctionsTaskResponder } from "../adapters/stepfunctions/task-responder.js";
import { restock, type AwaitingStockDeps } from "../app/awaiting-stock.js";
import type { AllocateDeps } from "../app/backorders.js";
import type { CancelOrderDeps } from "../app/cancel-order.js";
import type { ChangeOrderDeps } from "../app/change-order.js";
import { DynamoHoldStore } from "../adapters/dynamodb/hold-store.js";
import type { ShipDeps } from "../app/fulfilment.js";
import { routingDataFrom } from "../app/quote-route.js";
import { requireEnv } from "../shared/env.js";
import { systemClock, ulidIds } from "../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
/** The catalog (SKUs and locations). */
export const catalog = new DynamoCatalog(db, table);
export const inventory = new DynamoInventory(db, table, systemClock, ulidIds);
export const orders = new DynamoOrderRepository(db, table);
export const shipments = new DynamoShipmentStore(db, table);
export const tasks = new StepFunctionsTaskResponder(new SFNClient({}));
/** The payment records (captures, voids, the released rest). */
export const payments = new DynamoPaymentStore(db, table);

/** What the fulfilment steps and callbacks use, built once per cold start. */
export const shipDeps: ShipDeps = {
  orders,
  shipments,
  tasks,
  clock: systemClock,
  inventory,
  payments,
  provider: new LocalPaymentProvider(db, table, systemClock, ulidIds),
  carrier: new LocalCarrier(systemClock),
  locations: catalog,
  capacity: catalog,
};

const allocations = new DynamoAllocationStore(db, table);

/** What allocation (and the backorders waiting on it) uses. */
export const allocateDeps: AllocateDeps = {
  orders,
  allocations,
  routing: routingDataFrom(catalog, inventory, new DynamoRoutingRules(db, table), systemClock),
  inventory,
  shipments,
  backorders: new DynamoBackorderStore(db, table),
  tasks,
  clock: systemClock,
  ids: ulidIds,
};

/** What cancelling an order uses: the order, its payment, its stock, and the workflow steps waiting on it. */
export const cancelDeps: CancelOrderDeps = {
  orders,
  payments,
  provider: shipDeps.provider,
  inventory,
  clock: systemClock,
  hold: { holds: new DynamoHoldStore(db, table), tasks },
  fulfilment: { shipments, backorders: allocateDeps.backorders, tasks },
};

/** What the awaiting rest of a short order uses (its wait for stock, its release where stock came in). */
export const awaitingDeps: AwaitingStockDeps = { allocate: { ...allocateDeps, inventory }, shipments, capacity: catalog };

/** What order changes (lines cancelled, edits before release) use. */
export const changeDeps: ChangeOrderDeps = { orders, shipments, allocations, inventory, payments, provider: shipDeps.provider, catalog, clock: systemClock, allocate: allocateDeps, cancel: cancelDeps, restock: (orderId, shipmentId, token) => restock(awaitingDeps, orderId, shipmentId, token) };
