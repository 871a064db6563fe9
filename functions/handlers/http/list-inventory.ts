import * as z from "zod/mini";
import "../../domain/schema.js";
import { availableToPromise } from "../../domain/catalog.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const inventory = root.stock();

const querySchema = z.strictObject({
  location: z.string().check(z.minLength(1), z.maxLength(64)),
  limit: z._default(z.coerce.number().check(z.refine(Number.isInteger, "must be a whole number"), z.gte(1), z.lte(100)), 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
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
