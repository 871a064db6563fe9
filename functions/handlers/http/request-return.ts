import { requestReturn } from "../../app/returns.js";
import { ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { returnRequestSchema } from "../../domain/return.js";
import { actorOf, idempotencyKeyOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { ORDER_ID_PATTERN } from "./get-order.js";
import { returnView } from "./return-view.js";
import * as root from "../composition-root.js";

const deps = root.returnDeps();

/**
 * POST /orders/{orderId}/returns (Idempotency-Key required): a return of delivered units, checked
 * against the channel's return policy. 201 with the return; the same key and body again: 200 with
 * the same return; not allowed: 409 naming each line and why, nothing written.
 */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  const idempotencyKey = idempotencyKeyOf(event);
  const parsed = returnRequestSchema.safeParse(jsonBody(event));
  if (!parsed.success) throw new ValidationError("Invalid return request", toFieldIssues(parsed.error));
  const { created, return: r } = await requestReturn(deps, orderId, parsed.data, { actor: actorOf(event), idempotencyKey });
  return json(created ? 201 : 200, returnView(r));
});
