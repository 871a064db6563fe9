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
import type { AllocateDeps } from "../app/backorders.js";
import type { ShipDeps } from "../app/fulfilment.js";
import { routingDataFrom } from "../app/quote-route.js";
import { requireEnv } from "../shared/env.js";
import { systemClock, ulidIds } from "../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const catalog = new DynamoCatalog(db, table);
const inventory = new DynamoInventory(db, table, systemClock, ulidIds);
const orders = new DynamoOrderRepository(db, table);
const shipments = new DynamoShipmentStore(db, table);
const tasks = new StepFunctionsTaskResponder(new SFNClient({}));
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
};

/** What allocation (and the backorders waiting on it) uses. */
export const allocateDeps: AllocateDeps = {
  orders,
  allocations: new DynamoAllocationStore(db, table),
  routing: routingDataFrom(catalog, inventory, new DynamoRoutingRules(db, table)),
  inventory,
  shipments,
  backorders: new DynamoBackorderStore(db, table),
  tasks,
  clock: systemClock,
  ids: ulidIds,
};
