import { NotFoundError } from "../../domain/errors.js";
import { pathId } from "../../domain/inventory-schema.js";
import { parseSupplier, supplierView } from "../../domain/purchasing.js";
import { json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

const purchasing = root.purchasing();

/** GET /suppliers, GET and PUT /suppliers/{supplierId}: suppliers, their lead times and what they sell each SKU at. */
export const handler = httpHandler(async (event) => {
  const raw = event.pathParameters?.supplierId;
  if (raw === undefined) {
    const limit = Math.min(100, Math.max(1, Number(event.queryStringParameters?.limit ?? 50) || 50));
    const page = await purchasing.listSuppliers(limit, event.queryStringParameters?.cursor);
    return json(200, { items: page.items.map(supplierView), ...(page.cursor ? { cursor: page.cursor } : {}) });
  }
  const supplierId = pathId("supplierId", raw);
  if (event.requestContext.http.method === "GET") {
    const supplier = await purchasing.getSupplier(supplierId);
    if (!supplier) throw new NotFoundError(`Supplier ${supplierId} does not exist`);
    return json(200, supplierView(supplier));
  }
  return json(200, supplierView(await purchasing.putSupplier(supplierId, parseSupplier(jsonBody(event)), systemClock.now())));
});
