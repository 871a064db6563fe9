import * as z from "zod/mini";
import "../../domain/schema.js";
import { changeOrder } from "../../app/change-order.js";
import { ValidationError } from "../../domain/errors.js";
import { addressSchema, moneySchema, quantitySchema, skuSchema, toFieldIssues } from "../../domain/order-schema.js";
import { actorOf, idempotencyKeyOf, json, jsonBody } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { ORDER_ID_PATTERN } from "./get-order.js";
import * as root from "../composition-root.js";

const changeDeps = root.changeDeps();

const bodySchema = z
  .strictObject({
    reason: z._default(z.string().check(z.trim(), z.minLength(1), z.maxLength(500)), "changed by an operator"),
    shippingAddress: z.optional(addressSchema),
    /** New quantities of existing lines; 0 removes the line. */
    lines: z.optional(
      z
        .array(z.strictObject({ lineId: z.string().check(z.regex(/^\d{3}$/, "must be a line id such as 001")), quantity: z.int("must be a whole number").check(z.gte(0, "must not be negative"), z.lte(100_000)) }))
        .check(z.maxLength(98)),
    ),
    addLines: z.optional(z.array(z.strictObject({ sku: skuSchema, quantity: quantitySchema, unitPrice: moneySchema })).check(z.maxLength(98))),
    shippingPrice: z.optional(moneySchema),
    taxTotal: z.optional(moneySchema),
    discountTotal: z.optional(moneySchema),
  })
  .check(
    z.superRefine((b, ctx) => {
      const a = b.shippingAddress;
      if (a && (a.lat === undefined) !== (a.lon === undefined)) ctx.addIssue({ code: "custom", path: ["shippingAddress", a.lat === undefined ? "lat" : "lon"], message: "lat and lon go together" });
      if (!a && !b.lines && !b.addLines && !b.shippingPrice && !b.taxTotal && !b.discountTotal) ctx.addIssue({ code: "custom", path: [], message: "must change something: shippingAddress, lines, addLines or a total" });
    }),
  );

/**
 * PATCH /orders/{orderId}: edits an order before it is released to a location (shipping
 * address, line quantities, new lines, totals) as a versioned change; the order is routed again
 * as it now is. `If-Match: <revision>` refuses the edit (409) if the order changed since it was
 * read. Once released, 409: cancel lines instead.
 */
export const handler = httpHandler(async (event) => {
  const orderId = event.pathParameters?.orderId ?? "";
  if (!ORDER_ID_PATTERN.test(orderId)) throw new ValidationError("Invalid order id", [{ path: "orderId", message: "must be a 26-character ULID" }]);
  const parsed = bodySchema.safeParse(jsonBody(event));
  if (!parsed.success) throw new ValidationError("Invalid order change", toFieldIssues(parsed.error));
  const ifMatch = event.headers["if-match"];
  if (ifMatch !== undefined && !/^\d{1,6}$/.test(ifMatch.replace(/"/g, ""))) throw new ValidationError("Invalid If-Match", [{ path: "headers.if-match", message: "must be the order's revision, a whole number" }]);
  const idempotencyKey = idempotencyKeyOf(event);
  const { reason, ...edit } = parsed.data;
  const result = await changeOrder(changeDeps, orderId, { kind: "edit", ...edit }, { actor: actorOf(event), reason, idempotencyKey, ...(ifMatch ? { ifRevision: Number(ifMatch.replace(/"/g, "")) } : {}) });
  return json(200, result);
});
