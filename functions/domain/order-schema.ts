import { z } from "zod";
import type { FieldIssue } from "./errors.js";
import { ValidationError } from "./errors.js";
import type { ChannelOrder } from "./order.js";

/**
 * The most lines one order may carry: an order and its lines are written in one
 * DynamoDB transaction (100 items), which also holds the order header and the channel dedupe key.
 */
export const MAX_ORDER_LINES = 98;
/** Largest quantity on one line; larger B2B quantities are split into lines. */
export const MAX_LINE_QUANTITY = 100_000;

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO-4217 code of three capital letters")
  .refine((c) => CURRENCIES.has(c), "is not an ISO-4217 currency");

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO-3166 alpha-2 code of two capital letters")
  .refine((c) => regionNames.of(c) !== undefined, "is not an ISO-3166 alpha-2 country");

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** Integer minor units plus currency. */
export const moneySchema = z.strictObject({
  amount: z.int("must be an integer amount in minor units (e.g. cents)").min(0, "must not be negative"),
  currency: currencyCode,
});

/** A shipping address (lat and lon, when given, go together: checked where it is used). */
export const addressSchema = z.strictObject({
  name: text(200),
  line1: text(200),
  line2: text(200).optional(),
  city: text(100),
  region: text(100).optional(),
  postalCode: text(20),
  country: countryCode,
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
});

export const skuSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, "may hold letters, digits and . _ - /");

export const quantitySchema = z
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(MAX_LINE_QUANTITY, `must be at most ${MAX_LINE_QUANTITY}`);

/** The generic channel's order, as documented in the README (JSON Schema there is generated from this). */
export const genericOrderSchema = z
  .strictObject({
    externalOrderId: z
      .string()
      .min(1, "must not be empty")
      .max(128, "must be at most 128 characters")
      .regex(/^[\x21-\x7E]+$/, "must be printable ASCII without spaces"),
    placedAt: z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time with a time zone" }),
    currency: currencyCode,
    customer: z.strictObject({
      email: z.email("must be an email address"),
      name: text(200),
      phone: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 phone number such as +4915112345678")
        .optional(),
    }),
    shippingAddress: addressSchema.optional(),
    /** Buy online, pick up in store: the store that hands the order to the customer (no carrier). */
    pickup: z
      .strictObject({
        locationId: z
          .string()
          .min(1, "must not be empty")
          .max(64, "must be at most 64 characters")
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may hold letters, digits and . _ -"),
      })
      .optional(),
    lines: z
      .array(
        z.strictObject({
          sku: skuSchema,
          quantity: quantitySchema,
          unitPrice: moneySchema,
        }),
      )
      .min(1, "must hold at least one line")
      .max(MAX_ORDER_LINES, `must hold at most ${MAX_ORDER_LINES} lines`),
    shippingPrice: moneySchema.optional(),
    taxTotal: moneySchema.optional(),
    discountTotal: moneySchema.optional(),
    /** How the customer pays: a card token from the payment provider; absent when the channel collected payment. */
    payment: z
      .strictObject({
        method: z.literal("card"),
        token: z.string().regex(/^tok_[A-Za-z0-9_]{1,64}$/, "must be a payment provider token (tok_...)"),
      })
      .optional(),
  })
  .superRefine((order, ctx) => {
    const check = (path: (string | number)[], currency: string | undefined) => {
      if (currency !== undefined && currency !== order.currency)
        ctx.addIssue({ code: "custom", path, message: `must be ${order.currency}, the order currency` });
    };
    order.lines.forEach((l, i) => check(["lines", i, "unitPrice", "currency"], l.unitPrice.currency));
    check(["shippingPrice", "currency"], order.shippingPrice?.currency);
    check(["taxTotal", "currency"], order.taxTotal?.currency);
    check(["discountTotal", "currency"], order.discountTotal?.currency);
    const a = order.shippingAddress;
    if (!a && !order.pickup) ctx.addIssue({ code: "custom", path: ["shippingAddress"], message: "is required unless the order is picked up in store (pickup)" });
    if (a && (a.lat === undefined) !== (a.lon === undefined))
      ctx.addIssue({ code: "custom", path: ["shippingAddress", a.lat === undefined ? "lat" : "lon"], message: "lat and lon go together" });
    const subtotal = order.lines.reduce((s, l) => s + l.unitPrice.amount * l.quantity, 0);
    const before = subtotal + (order.shippingPrice?.amount ?? 0) + (order.taxTotal?.amount ?? 0);
    if ((order.discountTotal?.amount ?? 0) > before)
      ctx.addIssue({ code: "custom", path: ["discountTotal", "amount"], message: "must not exceed the order total before discount" });
    if (!Number.isSafeInteger(before))
      ctx.addIssue({ code: "custom", path: ["lines"], message: "order total exceeds the largest representable amount" });
  });

export type GenericOrder = z.infer<typeof genericOrderSchema>;

/** Field paths as dotted strings: "lines.2.quantity". */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
}

/** Parse an unknown value into a ChannelOrder or throw ValidationError listing every offending field. */
export function parseGenericOrder(body: unknown, channel: string): ChannelOrder {
  const result = genericOrderSchema.safeParse(body);
  if (!result.success) throw new ValidationError("The order does not follow the schema", toFieldIssues(result.error));
  return { channel, ...result.data };
}
