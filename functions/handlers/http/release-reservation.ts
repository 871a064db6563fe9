import { parseRelease } from "../../domain/inventory-schema.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const inventory = root.reservations();

/** POST /reservations/{orderId}/release: release the given lines' active reservations (already released ones are left alone). */
export const handler = httpHandler(async (event) => {
  const released = await inventory.close(event.pathParameters?.orderId ?? "", parseRelease(jsonBody(event)), "RELEASED");
  return json(200, { released });
});
