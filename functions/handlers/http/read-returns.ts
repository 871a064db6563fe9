import * as z from "zod/mini";
import "../../domain/schema.js";
import { returnOf } from "../../app/returns.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { RETURN_STATUSES } from "../../domain/return.js";
import { json } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { ORDER_ID_PATTERN } from "./get-order.js";
import { RETURN_ID_PATTERN, returnView } from "./return-view.js";
import * as root from "../composition-root.js";

const returns = root.returns();

const listSchema = z.strictObject({
  status: z.optional(z.enum(RETURN_STATUSES)),
  channel: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
});

/** GET /returns/{returnId}, GET /orders/{orderId}/returns and GET /returns?status=&channel= (newest first, paged). */
export const handler = httpHandler(async (event) => {
  const { returnId, orderId } = event.pathParameters ?? {};
  if (returnId !== undefined) {
    if (!RETURN_ID_PATTERN.test(returnId)) throw new ValidationError("Invalid return id", [{ path: "returnId", message: "must be <orderId>-R<n>" }]);
    return json(200, returnView(await returnOf(returns, returnId)));
  }
  if (orderId !== undefined) {
    if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
    const items = (await returns.ofOrder(orderId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return json(200, { items: items.map(returnView) });
  }
  const parsed = listSchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new ValidationError("Invalid query", toFieldIssues(parsed.error));
  const page = await returns.list(parsed.data);
  return json(200, { items: page.items.map(returnView), ...(page.cursor ? { cursor: page.cursor } : {}) });
});
