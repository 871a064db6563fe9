import * as z from "zod/mini";
import "./schema.js";
import { ValidationError } from "./errors.js";
import { toFieldIssues } from "./order-schema.js";

/** The kinds of sales channel the OMS speaks to. */
export const CHANNEL_TYPES = ["generic", "shopify", "woocommerce", "amazon"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** A sales channel as an operator registers it (PUT /channels/{channelId}). */
export interface ChannelInput {
  type: ChannelType;
  name?: string;
  /** An inactive channel's webhooks are refused (403) and it gets no outbound sync. */
  active: boolean;
  /** Shopify: the shop's permanent domain (`X-Shopify-Shop-Domain`). */
  shopDomain?: string;
  /** WooCommerce: the site's URL. */
  siteUrl?: string;
  /** Amazon: the selling partner's id and the marketplaces it sells on. */
  sellerId?: string;
  marketplaceIds?: string[];
  /** The channel's API base (for outbound calls); each type has its vendor's default. */
  apiEndpoint?: string;
  /** Name or ARN of the Secrets Manager secret holding the channel's API credentials; the value is never stored here nor returned. */
  credentialsSecret?: string;
  defaultCurrency: string;
  /** BCP 47, canonical (`de-DE`): the language of the customer's messages when the order names none. */
  locale: string;
  /** Shopify: where the channel's stock levels go, each a Shopify location fed by the ATP of our locations (all of them when none are named). */
  inventoryLocations?: { channelLocationId: string; locationIds?: string[] }[];
}

export interface Channel extends ChannelInput {
  channelId: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** What GET returns: never the credentials' reference, only whether there is one. */
export type ChannelView = Omit<Channel, "credentialsSecret"> & { hasCredentials: boolean };

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,59}\.myshopify\.com$/;

const httpsUrl = z.string().check(
  z.maxLength(500, "must be at most 500 characters"),
  z.refine((v) => {
    try {
      const u = new URL(v);
      // Plain http only to this machine: a test double of the channel's API.
      return u.protocol === "https:" || (u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname));
    } catch {
      return false;
    }
  }, "must be an https:// URL (http:// only to localhost)"),
);

const channelInputSchema = z
  .strictObject({
    type: z.enum(CHANNEL_TYPES, `must be one of ${CHANNEL_TYPES.join(", ")}`),
    name: z.optional(z.string().check(z.trim(), z.minLength(1, "must not be empty"), z.maxLength(200, "must be at most 200 characters"))),
    active: z._default(z.boolean("must be true or false"), true),
    shopDomain: z.optional(z.string().check(z.toLowerCase(), z.regex(SHOP_DOMAIN, "must be the shop's <name>.myshopify.com domain"))),
    siteUrl: z.optional(httpsUrl),
    sellerId: z.optional(z.string().check(z.regex(/^[A-Z0-9]{8,20}$/, "must be an Amazon selling partner id (8 to 20 capital letters and digits)"))),
    marketplaceIds: z.optional(z.array(z.string().check(z.regex(/^[A-Z0-9]{8,20}$/, "must be an Amazon marketplace id such as ATVPDKIKX0DER"))).check(z.minLength(1, "must hold at least one marketplace"), z.maxLength(30))),
    apiEndpoint: z.optional(httpsUrl),
    credentialsSecret: z.optional(z.string().check(z.regex(/^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/, "must be a Secrets Manager secret name or ARN"))),
    defaultCurrency: z.string().check(z.refine((c) => /^[A-Z]{3}$/.test(c) && CURRENCIES.has(c), "must be an ISO-4217 currency such as EUR")),
    inventoryLocations: z.optional(
      z
        .array(z.strictObject({ channelLocationId: z.string().check(z.regex(/^\d{1,20}$/, "must be the channel's numeric location id")), locationIds: z.optional(z.array(z.string().check(z.regex(/^[A-Z0-9][A-Z0-9-]{0,39}$/, "must be a location id"))).check(z.minLength(1), z.maxLength(100))) }))
        .check(z.minLength(1, "must hold at least one location"), z.maxLength(20)),
    ),
    locale: z.string().check(
      z.refine((l) => {
        try {
          return /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|\d{3}))?$/.test(l) && Intl.getCanonicalLocales(l)[0] === l;
        } catch {
          return false;
        }
      }, "must be a BCP 47 language tag, language and region, such as de-DE"),
    ),
  })
  .check(
    z.superRefine((c, ctx) => {
      const need = (field: keyof ChannelInput, why: string) => {
        if (c[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `is required for a ${c.type} channel (${why})` });
      };
      const forbid = (fields: (keyof ChannelInput)[]) => {
        for (const f of fields) if (c[f] !== undefined) ctx.addIssue({ code: "custom", path: [f], message: `does not apply to a ${c.type} channel` });
      };
      if (c.type === "shopify") {
        need("shopDomain", "it picks the channel of a webhook");
        forbid(["siteUrl", "sellerId", "marketplaceIds"]);
      } else if (c.type === "woocommerce") {
        need("siteUrl", "the store the webhooks come from");
        forbid(["shopDomain", "sellerId", "marketplaceIds", "inventoryLocations"]);
      } else if (c.type === "amazon") {
        need("sellerId", "it picks the channel of a notification");
        need("marketplaceIds", "the marketplaces it sells on");
        forbid(["shopDomain", "siteUrl", "inventoryLocations"]);
      } else forbid(["shopDomain", "siteUrl", "sellerId", "marketplaceIds", "inventoryLocations"]);
    }),
  );

/** Where a stage's channel credentials secrets are named: the functions that call channels may read only those. */
export const channelCredentialsPrefix = (stage: string): string => `oms/${stage}/channels/`;

/** Parse a PUT /channels/{id} body or throw ValidationError naming every bad field; a credentials secret must be named under `credentialsPrefix`. */
export function parseChannelInput(body: unknown, credentialsPrefix?: string): ChannelInput {
  const r = channelInputSchema.safeParse(body);
  if (!r.success) throw new ValidationError("The channel is invalid", toFieldIssues(r.error));
  const secret = r.data.credentialsSecret;
  const name = secret?.startsWith("arn:") ? secret.split(":secret:")[1] : secret;
  if (credentialsPrefix && name !== undefined && !name.startsWith(credentialsPrefix))
    throw new ValidationError("The channel is invalid", [{ path: "credentialsSecret", message: `must name a secret under ${credentialsPrefix} (the functions may read only those)` }]);
  return r.data;
}

/** The identity a channel's incoming traffic is matched by (one channel per identity), or none (generic). */
export function channelIdentity(c: Pick<ChannelInput, "type" | "shopDomain" | "siteUrl" | "sellerId">): string | undefined {
  switch (c.type) {
    case "shopify":
      return c.shopDomain?.toLowerCase();
    case "woocommerce": {
      if (!c.siteUrl) return undefined;
      const u = new URL(c.siteUrl);
      return `${u.host}${u.pathname.replace(/\/+$/, "")}`.toLowerCase();
    }
    case "amazon":
      // Looked up lowercased, like every identity.
      return c.sellerId?.toLowerCase();
    default:
      return undefined;
  }
}

/** The channel as GET shows it. */
export function channelView({ credentialsSecret, ...rest }: Channel): ChannelView {
  return { ...rest, hasCredentials: credentialsSecret !== undefined };
}

/** The marketplaces' names in the reasons of cancellations they made. */
const CHANNEL_NAMES = { shopify: "Shopify", woocommerce: "WooCommerce", amazon: "Amazon" } as const;

/**
 * The reason recorded when a marketplace cancelled (or deleted) one of its orders: "cancelled on
 * Shopify (customer)". Outbound sync reads it back (`byTheChannel`), so a cancellation that came
 * from the channel is not sent back to it.
 */
export const channelCancelReason = (type: keyof typeof CHANNEL_NAMES, detail?: string, verb = "cancelled"): string => `${verb} on ${CHANNEL_NAMES[type]}${detail ? ` (${detail})` : ""}`;

/** Whether a cancellation's reason says the order's own marketplace made it. */
export const byTheChannel = (reason: string | undefined): boolean => /^(cancelled|deleted) on (Shopify|WooCommerce|Amazon)\b|^the buyer asked Amazon to cancel\b/.test(reason ?? "");

/** The intake hold of a channel order that came without a shipping address (a pickup order on Shopify, until its delivery method says so). */
export const NO_SHIPPING_ADDRESS = "the order has no shipping address";
