import { inventoryView } from "../../domain/catalog.js";
import { parsePlanning } from "../../domain/inventory-schema.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const inventory = root.stock();

/** PUT /inventory/{sku}/locations/{locationId}: safety stock, reorder point and incoming stock of one stock record. */
export const handler = httpHandler(async (event) => {
  const sku = event.pathParameters?.sku ?? "";
  const locationId = event.pathParameters?.locationId ?? "";
  const stock = await inventory.setPlanning(sku, locationId, parsePlanning(jsonBody(event)));
  const [view] = inventoryView(sku, [stock]).locations;
  return json(200, { sku, ...view });
});
