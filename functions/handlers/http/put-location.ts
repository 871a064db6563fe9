import { parseLocation } from "../../domain/inventory-schema.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const catalog = root.catalog();

/** PUT /locations/{locationId}: create or replace a location. */
export const handler = httpHandler(async (event) => {
  const location = parseLocation(event.pathParameters?.locationId ?? "", jsonBody(event));
  await catalog.putLocation(location);
  return json(200, location);
});
