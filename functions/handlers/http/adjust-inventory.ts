import { parseAdjustments } from "../../domain/inventory-schema.js";
import { actorOf, idempotencyKeyOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const inventory = root.stock();

/** POST /inventory/adjustments: a journaled batch, all or nothing, under a required Idempotency-Key. */
export const handler = httpHandler(async (event) => {
  const key = idempotencyKeyOf(event);
  const batch = parseAdjustments(jsonBody(event));
  return json(200, { adjustments: await inventory.adjust(batch, actorOf(event), key) });
});
