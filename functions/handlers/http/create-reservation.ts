import { parseAllocation } from "../../domain/inventory-schema.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const inventory = root.reservations();

/** POST /reservations: reserve a whole allocation or nothing (201; a replay answers 200 with the same reservations). */
export const handler = httpHandler(async (event) => {
  const result = await inventory.reserve(parseAllocation(jsonBody(event)));
  return json(result.replayed ? 200 : 201, result);
});
