import { inventoryView } from "../../domain/catalog.js";
import { NotFoundError } from "../../domain/errors.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { inventory } from "./deps.js";

/** GET /inventory/{sku}: stock and ATP at every location, and the totals. */
export const handler = httpHandler(async (event) => {
  const sku = event.pathParameters?.sku ?? "";
  const stocks = await inventory.stockOf(sku);
  if (stocks.length === 0) throw new NotFoundError(`No stock records for SKU ${sku}`);
  return json(200, inventoryView(sku, stocks));
});
