import { z } from "zod";
import { DynamoCatalog } from "../../adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { DynamoRoutingRules } from "../../adapters/dynamodb/routing-rules-repository.js";
import { validateOrder } from "../../app/validate-order.js";
import { ruleBasedFraudScorer } from "../../domain/holds.js";
import { defaultRoutingRules } from "../../domain/routing-rules.js";
import { requireEnv } from "../../shared/env.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";

const db = documentClient();
const table = requireEnv("TABLE_NAME");
const rules = new DynamoRoutingRules(db, table);
const deps = {
  orders: new DynamoOrderRepository(db, table),
  catalog: new DynamoCatalog(db, table),
  clock: systemClock,
  fraud: ruleBasedFraudScorer,
  // Rules stored before holds existed carry none: the defaults apply.
  holdRules: async (channel: string) => (await rules.current(channel)).holds ?? defaultRoutingRules(channel).holds,
};

const inputSchema = z.object({ orderId: z.string().min(1) });

/** Workflow step "Validate order": confirms, rejects, or puts the order on hold. */
export const handler = taskHandler(async (event: unknown) => validateOrder(deps, inputSchema.parse(event).orderId));
