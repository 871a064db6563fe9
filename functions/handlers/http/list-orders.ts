import { z } from "zod";
import { listOrders } from "../../app/read-orders.js";
import { ValidationError } from "../../domain/errors.js";
import { ORDER_STATUSES } from "../../domain/order.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const orders = root.orders();

const querySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  channel: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be a channel name").optional(),
  limit: z.coerce.number().int("must be a whole number").min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

/** GET /orders?status=&channel=&limit=&cursor=: newest first. */
export const handler = httpHandler(async (event) => {
  const parsed = querySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new ValidationError("Invalid query", toFieldIssues(parsed.error));
  const page = await listOrders(orders, parsed.data);
  return json(200, page);
});
