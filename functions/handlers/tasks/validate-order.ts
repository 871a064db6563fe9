import * as z from "zod/mini";
import "../../domain/schema.js";
import { validateOrder } from "../../app/validate-order.js";
import { ruleBasedFraudScorer } from "../../domain/holds.js";
import { defaultRoutingRules } from "../../domain/routing-rules.js";
import { taskHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const rules = root.routingRules();
const deps = {
  orders: root.orders(),
  catalog: root.catalog(),
  clock: systemClock,
  fraud: ruleBasedFraudScorer,
  // Rules stored before holds existed carry none: the defaults apply.
  holdRules: async (channel: string) => (await rules.current(channel)).holds ?? defaultRoutingRules(channel).holds,
  geocoder: root.geocoder(),
};

const inputSchema = z.object({ orderId: z.string().check(z.minLength(1)) });

/** Workflow step "Validate order": confirms, rejects, or puts the order on hold. */
export const handler = taskHandler(async (event: unknown) => validateOrder(deps, inputSchema.parse(event).orderId));
