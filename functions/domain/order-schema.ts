import { postcodeValidator, postcodeValidatorExistsForCountry } from "postcode-validator";
import * as z from "zod/mini";
import "./schema.js";
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

export const currencyCode = z.string().check(
  z.regex(/^[A-Z]{3}$/, "must be an ISO-4217 code of three capital letters"),
  z.refine((c) => CURRENCIES.has(c), "is not an ISO-4217 currency"),
);

const countryCode = z.string().check(
  z.regex(/^[A-Z]{2}$/, "must be an ISO-3166 alpha-2 code of two capital letters"),
  z.refine((c) => regionNames.of(c) !== undefined, "is not an ISO-3166 alpha-2 country"),
);

const text = (max: number) => z.string().check(z.trim(), z.minLength(1, "must not be empty"), z.maxLength(max, `must be at most ${max} characters`));

/** Integer minor units plus currency. */
export const moneySchema = z.strictObject({
  amount: z.int("must be an integer amount in minor units (e.g. cents)").check(z.gte(0, "must not be negative")),
  currency: currencyCode,
});

/** A problem with a postal code in its country's format (countries the validator does not know pass), or undefined. */
export function postalCodeProblem(postalCode: string, country: string): string | undefined {
  if (!postcodeValidatorExistsForCountry(country)) return undefined;
  return postcodeValidator(postalCode.trim(), country) ? undefined : `is not a valid postal code in ${country}`;
}

/** A shipping address (lat and lon, when given, go together: checked where it is used). */
export const addressSchema = z.strictObject({
  name: text(200),
  line1: text(200),
  line2: z.optional(text(200)),
  city: text(100),
  region: z.optional(text(100)),
  postalCode: text(20),
  country: countryCode,
  lat: z.optional(z.number().check(z.gte(-90), z.lte(90))),
  lon: z.optional(z.number().check(z.gte(-180), z.lte(180))),
}).check(
  z.superRefine((a, ctx) => {
    const problem = postalCodeProblem(a.postalCode, a.country);
    if (problem) ctx.addIssue({ code: "custom", path: ["postalCode"], message: problem });
  }),
);

export const skuSchema = z
  .string()
  .check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"), z.regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, "may hold letters, digits and . _ - /"));

export const quantitySchema = z.int("must be a whole number").check(z.gte(1, "must be at least 1"), z.lte(MAX_LINE_QUANTITY, `must be at most ${MAX_LINE_QUANTITY}`));

/** The generic channel's order, as documented in the README (JSON Schema there is generated from this). */
export const genericOrderSchema = z
  .strictObject({
    externalOrderId: z
      .string()
      .check(z.minLength(1, "must not be empty"), z.maxLength(128, "must be at most 128 characters"), z.regex(/^[\x21-\x7E]+$/, "must be printable ASCII without spaces")),
    placedAt: z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time with a time zone" }),
    currency: currencyCode,
    customer: z.strictObject({
      email: z.email("must be an email address"),
      name: text(200),
      phone: z.optional(z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 phone number such as +4915112345678"))),
    }),
    shippingAddress: z.optional(addressSchema),
    /** Buy online, pick up in store: the store that hands the order to the customer (no carrier). */
    pickup: z.optional(
      z.strictObject({
        locationId: z
          .string()
          .check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"), z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may hold letters, digits and . _ -")),
      }),
    ),
    lines: z
      .array(
        z.strictObject({
          sku: skuSchema,
          quantity: quantitySchema,
          unitPrice: moneySchema,
        }),
      )
      .check(z.minLength(1, "must hold at least one line"), z.maxLength(MAX_ORDER_LINES, `must hold at most ${MAX_ORDER_LINES} lines`)),
    shippingPrice: z.optional(moneySchema),
    taxTotal: z.optional(moneySchema),
    discountTotal: z.optional(moneySchema),
    /** How the customer pays: a card token from the payment provider; absent when the channel collected payment. */
    payment: z.optional(
      z.strictObject({
        method: z.literal("card"),
        token: z.string().check(z.regex(/^tok_[A-Za-z0-9_]{1,64}$/, "must be a payment provider token (tok_...)")),
      }),
    ),
  })
  .check(
    z.superRefine((order, ctx) => {
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
    }),
  );

export type GenericOrder = z.infer<typeof genericOrderSchema>;

/** Field paths as dotted strings: "lines.2.quantity". */
export function toFieldIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
}

/** Parse an unknown value into a ChannelOrder or throw ValidationError listing every offending field. */
export function parseGenericOrder(body: unknown, channel: string): ChannelOrder {
  const result = genericOrderSchema.safeParse(body);
  if (!result.success) throw new ValidationError("The order does not follow the schema", toFieldIssues(result.error));
  return { channel, ...result.data };
}
