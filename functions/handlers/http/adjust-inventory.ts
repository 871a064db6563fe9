import { ValidationError } from "../../domain/errors.js";
import { parseAdjustments } from "../../domain/inventory-schema.js";
import { actorOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { inventory } from "./deps.js";

/** POST /inventory/adjustments: a journaled batch, all or nothing, under a required Idempotency-Key. */
export const handler = httpHandler(async (event) => {
  const key = event.headers["idempotency-key"];
  if (!key || key.length > 128) throw new ValidationError("Missing Idempotency-Key", [{ path: "headers.idempotency-key", message: "is required (1-128 characters)" }]);
  const batch = parseAdjustments(jsonBody(event));
  return json(200, { adjustments: await inventory.adjust(batch, actorOf(event), key) });
});
