import { z } from "zod";
import { availableToPromise } from "../../domain/catalog.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const inventory = root.inventory();

const querySchema = z.strictObject({
  location: z.string().min(1).max(64),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

/** GET /inventory?location=&limit=&cursor=: a location's stock, by SKU. */
export const handler = httpHandler(async (event) => {
  const q = querySchema.safeParse(event.queryStringParameters ?? {});
  if (!q.success) throw new ValidationError("Invalid query", toFieldIssues(q.error));
  const page = await inventory.stockOfLocation(q.data.location, q.data.limit, q.data.cursor);
  return json(200, {
    items: page.items.map((s) => ({ sku: s.sku, locationId: s.locationId, onHand: s.onHand, reserved: s.reserved, safetyStock: s.safetyStock, reorderPoint: s.reorderPoint, atp: availableToPromise(s) })),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
});
