import { DynamoCatalog } from "../../adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoInventory } from "../../adapters/dynamodb/inventory-repository.js";
import { DynamoRoutingRules } from "../../adapters/dynamodb/routing-rules-repository.js";
import { requireEnv } from "../../shared/env.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");

/** The inventory and catalog repositories, built once per cold start for the operator handlers. */
export const inventory = new DynamoInventory(db, table, systemClock, ulidIds);
export const catalog = new DynamoCatalog(db, table);
export const routingRules = new DynamoRoutingRules(db, table);
