import * as z from "zod/mini";
import "../../domain/schema.js";
import { cancelOrder } from "../../app/cancel-order.js";
import { changeOrder } from "../../app/change-order.js";
import { ValidationError } from "../../domain/errors.js";
import { quantitySchema, toFieldIssues } from "../../domain/order-schema.js";
import { actorOf, idempotencyKeyOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { ORDER_ID_PATTERN } from "./get-order.js";
import * as root from "../composition-root.js";

const cancelDeps = root.cancelDeps();
const changeDeps = root.changeDeps();

const bodySchema = z.strictObject({
  reason: z._default(z.string().check(z.trim(), z.minLength(1), z.maxLength(500)), "cancelled by an operator"),
  /** Only these lines (quantity absent: every unit of the line that can still be cancelled). */
  lines: z.optional(
    z
      .array(z.strictObject({ lineId: z.string().check(z.regex(/^\d{3}$/, "must be a line id such as 001")), quantity: z.optional(quantitySchema) }))
      .check(z.minLength(1, "must name at least one line"), z.maxLength(98)),
  ),
});

/**
 * POST /orders/{orderId}/cancel: before shipment, cancels and undoes what was done (stock,
 * payment); after, 409. With `lines`, cancels only those units (an Idempotency-Key is required):
 * what was already shipped stays, the rest of the order goes on.
 */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  // The body is optional: an empty cancel uses the default reason.
  const parsed = bodySchema.safeParse(event.body ? jsonBody(event) : {});
  if (!parsed.success) throw new ValidationError("Invalid cancellation", toFieldIssues(parsed.error));
  const reason = `${parsed.data.reason} (${actorOf(event)})`;
  if (!parsed.data.lines) return json(200, await cancelOrder(cancelDeps, orderId, reason));
  const idempotencyKey = idempotencyKeyOf(event);
  return json(200, await changeOrder(changeDeps, orderId, { kind: "cancel-lines", lines: parsed.data.lines }, { actor: actorOf(event), reason: parsed.data.reason, idempotencyKey }));
});
