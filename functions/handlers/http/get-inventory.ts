import { inventoryView } from "../../domain/catalog.js";
import { NotFoundError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { networkAtp } from "../../domain/routing-rules.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const catalog = root.catalog();
const inventory = root.stock();
const routingRules = root.routingRules();

/** GET /inventory/{sku}[?channel=C]: stock and ATP at every location and the totals; with a channel, its network ATP under its routing rules. */
export const handler = httpHandler(async (event) => {
  const sku = event.pathParameters?.sku ?? "";
  const channel = event.queryStringParameters?.channel;
  const stocks = await inventory.stockOf(sku);
  if (stocks.length === 0) throw new NotFoundError(`No stock records for SKU ${sku}`);
  const view = inventoryView(sku, stocks);
  if (channel === undefined) return json(200, view);
  const [rules, locations] = await Promise.all([routingRules.current(pathId("channel", channel)), catalog.listLocations()]);
  return json(200, { ...view, network: networkAtp(rules, locations, stocks) });
});
