import * as z from "zod/mini";
import "./schema.js";
import type { Sku } from "./catalog.js";
import { ValidationError } from "./errors.js";
import { skuSchema, toFieldIssues } from "./order-schema.js";

/**
 * What a channel calls a SKU. Shopify: the variant (and its inventory item, for stock); WooCommerce:
 * the product, or the variation of a variable product; Amazon: the seller SKU (and ASIN).
 */
export interface Listing {
  channelId: string;
  variantId?: string;
  inventoryItemId?: string;
  productId?: string;
  variationId?: string;
  sellerSku?: string;
  asin?: string;
}

/** A product of the catalog: what routing, shipping, customs and returns need to know of a SKU. */
export interface Product extends Sku {
  dimensionsMm?: { length: number; width: number; height: number };
  /** A kit: the SKUs (and how many of each) one unit is made of. */
  components?: { sku: string; quantity: number }[];
  returnable: boolean;
  customs?: { hsCode?: string; countryOfOrigin?: string };
  listings: Listing[];
  version: number;
  updatedAt: string;
}

export type ProductInput = Omit<Product, "sku" | "version" | "updatedAt">;

const digits = (what: string) => z.string().check(z.regex(/^\d{1,20}$/, `must be the channel's numeric ${what} id`));
const listingSchema = z.strictObject({
  channelId: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be a channel id")),
  variantId: z.optional(digits("variant")),
  inventoryItemId: z.optional(digits("inventory item")),
  productId: z.optional(digits("product")),
  variationId: z.optional(digits("variation")),
  sellerSku: z.optional(z.string().check(z.minLength(1), z.maxLength(40, "must be at most 40 characters (Amazon's limit)"))),
  asin: z.optional(z.string().check(z.regex(/^[A-Z0-9]{10}$/, "must be a 10-character ASIN"))),
});

const positiveInt = (max: number) => z.int("must be a whole number").check(z.gte(1, "must be at least 1"), z.lte(max, `must be at most ${max}`));

const productSchema = z
  .strictObject({
    name: z.string().check(z.trim(), z.minLength(1, "must not be empty"), z.maxLength(200, "must be at most 200 characters")),
    unitWeightGrams: z.int("must be whole grams").check(z.gte(0, "must not be negative"), z.lte(1_000_000, "must be at most 1000 kg")),
    dimensionsMm: z.optional(z.strictObject({ length: positiveInt(10_000), width: positiveInt(10_000), height: positiveInt(10_000) })),
    components: z.optional(z.array(z.strictObject({ sku: skuSchema, quantity: positiveInt(1000) })).check(z.minLength(1, "a kit has at least one component"), z.maxLength(50))),
    active: z._default(z.boolean("must be true or false"), true),
    returnable: z._default(z.boolean("must be true or false"), true),
    customs: z.optional(
      z.strictObject({
        hsCode: z.optional(z.string().check(z.regex(/^\d{6,10}$/, "must be a Harmonized System code of 6 to 10 digits"))),
        countryOfOrigin: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, "must be an ISO-3166 alpha-2 country"))),
      }),
    ),
    listings: z._default(z.array(listingSchema).check(z.maxLength(20)), []),
  })
  .check(
    z.superRefine((p, ctx) => {
      p.listings.forEach((l, i) => {
        if (listingKeys(l).length === 0) ctx.addIssue({ code: "custom", path: ["listings", i], message: "must name the channel's id for the SKU (variantId, productId, variationId, sellerSku or asin)" });
        if (p.listings.findIndex((o) => o.channelId === l.channelId) !== i) ctx.addIssue({ code: "custom", path: ["listings", i, "channelId"], message: "has a listing already" });
      });
    }),
  );

/** Parse a PUT /products/{sku} body (or an import row) or throw ValidationError naming every bad field. */
export function parseProductInput(body: unknown, prefix = ""): ProductInput {
  const r = productSchema.safeParse(body);
  if (!r.success) throw new ValidationError("The product is invalid", toFieldIssues(r.error).map((i) => ({ ...i, path: prefix + i.path })));
  return r.data;
}

/**
 * The keys a channel's order line can be matched by, most specific first: a Shopify variant, a
 * WooCommerce variation (then its product), an Amazon seller SKU (then its ASIN).
 */
export function listingKeys(l: Omit<Listing, "channelId" | "inventoryItemId">): string[] {
  return [
    l.variantId && `variant:${l.variantId}`,
    l.variationId && `variation:${l.variationId}`,
    l.productId && !l.variationId && `product:${l.productId}`,
    l.sellerSku && `seller-sku:${l.sellerSku}`,
    l.asin && `asin:${l.asin}`,
  ].filter((k): k is string => typeof k === "string");
}
