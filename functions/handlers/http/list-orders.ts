import * as z from "zod/mini";
import "../../domain/schema.js";
import { listOrders } from "../../app/read-orders.js";
import { ValidationError } from "../../domain/errors.js";
import { ORDER_STATUSES } from "../../domain/order.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const orders = root.orders();

const querySchema = z.strictObject({
  status: z.optional(z.enum(ORDER_STATUSES)),
  channel: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,40}$/, "must be a channel name"))),
  limit: z._default(z.coerce.number().check(z.refine(Number.isInteger, "must be a whole number"), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

/** GET /orders?status=&channel=&limit=&cursor=: newest first. */
export const handler = httpHandler(async (event) => {
  const parsed = querySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new ValidationError("Invalid query", toFieldIssues(parsed.error));
  const page = await listOrders(orders, parsed.data);
  return json(200, page);
});
