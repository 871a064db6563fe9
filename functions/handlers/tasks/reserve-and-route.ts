import { z } from "zod";
import { DynamoAllocationStore } from "../../adapters/dynamodb/allocation-store.js";
import { DynamoCatalog } from "../../adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoInventory } from "../../adapters/dynamodb/inventory-repository.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { DynamoRoutingRules } from "../../adapters/dynamodb/routing-rules-repository.js";
import { routingDataFrom } from "../../app/quote-route.js";
import { reserveAndRoute } from "../../app/reserve-and-route.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const catalog = new DynamoCatalog(db, table);
const inventory = new DynamoInventory(db, table, systemClock, ulidIds);
const rules = new DynamoRoutingRules(db, table);
const deps = {
  orders: new DynamoOrderRepository(db, table),
  allocations: new DynamoAllocationStore(db, table),
  routing: routingDataFrom(catalog, inventory, rules),
  inventory,
  clock: systemClock,
  ids: ulidIds,
};

/** Workflow step "Reserve and route": plan with the optimizer, reserve the plan all or nothing, or backorder. */
export const handler = taskHandler(async (event: unknown) => {
  const { orderId } = z.object({ orderId: z.string().min(1) }).parse(event);
  const record = await reserveAndRoute(deps, orderId, { budgetMs: 200 });
  logger.info("Order routed", { orderId, outcome: record.outcome, shipments: record.shipments.length, backordered: record.backordered.length, cost: record.cost.total });
  return { outcome: record.outcome, shipments: record.shipments, backordered: record.backordered, at: record.createdAt };
});
