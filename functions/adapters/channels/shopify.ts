import { channelCancelReason, NO_SHIPPING_ADDRESS } from "../../domain/channel.js";
import { MalformedBodyError } from "../../domain/errors.js";
import { lineIdFor, type Address, type ChannelOrder, type Customer } from "../../domain/order.js";
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES, postalCodeProblem } from "../../domain/order-schema.js";
import { toMinorUnits } from "./money-text.js";
import { base64HmacSha256, verifyBase64Hmac } from "./signature.js";
import { amountOr0, arr, e164, isoOf, obj, objects, parseLossless, str, usableSku, type Json } from "./payload.js";

/**
 * Shopify webhooks, as shopify.dev documents them ("Deliver webhooks through HTTPS", "Verify
 * webhooks") and Shopify's own libraries handle them (shopify-app-js `validateHmac`,
 * shopify-api-ruby `ShopifyAPI::Webhooks`): the body is the REST Admin resource (an order for
 * `orders/*`), signed with the app's client secret.
 */
export const SHOPIFY_HEADERS = {
  hmac: "x-shopify-hmac-sha256",
  shop: "x-shopify-shop-domain",
  topic: "x-shopify-topic",
  webhookId: "x-shopify-webhook-id",
  eventId: "x-shopify-event-id",
  apiVersion: "x-shopify-api-version",
  triggeredAt: "x-shopify-triggered-at",
} as const;

/** The base64 HMAC-SHA256 of the raw body with the app's client secret, as Shopify signs a delivery. */
export const shopifyHmac = base64HmacSha256;

/** Throws UnauthorizedError unless `X-Shopify-Hmac-Sha256` is the body's HMAC under `secret` (compared in constant time). */
export const verifyShopifyHmac = (header: string | undefined, rawBody: string, secret: string): void =>
  verifyBase64Hmac(header, rawBody, secret, SHOPIFY_HEADERS.hmac, "Shopify HMAC does not match the body");

/** A Shopify body: JSON with every number as its text (Shopify ids are 64-bit; shopify-app-js PR #2781). */
export const parseShopifyBody = parseLossless;

/** Name–value pairs (line-item properties, note attributes) as sent; a value may be any JSON. */
const pairs = (v: unknown): { name: string; value: unknown }[] => objects(v).map((p) => ({ name: str(p.name) ?? "", value: p.value }));

/** What the order's channel data keeps of Shopify's order beyond our model. */
export interface ShopifyOrderData {
  orderName?: string;
  orderNumber?: string;
  shopCurrency?: string;
  /** Shopify's own grand total in the shop's currency, when it differs from the customer's. */
  shopTotal?: string;
  taxesIncluded: boolean;
  taxLines: { title: string; rate?: string; amount: number }[];
  note?: string;
  noteAttributes: { name: string; value: unknown }[];
  tags?: string;
  sourceName?: string;
  financialStatus?: string;
  poNumber?: string;
  /** B2B: the company and its location the order was placed for. */
  company?: unknown;
  shippingLines: { title?: string; code?: string; source?: string; amount: number }[];
  /** By our line id: Shopify's line item, variant and product ids, its title and the customer's properties (engravings, gift messages...). */
  lines: Record<string, { lineItemId?: string; variantId?: string; productId?: string; title?: string; giftCard: boolean; properties: { name: string; value: unknown }[] }>;
}

/**
 * A Shopify order (the `orders/create` body) as our order. Money comes from the presentment
 * (customer's) currency where Shopify gives both; quantities are the ordered ones. Whatever
 * cannot be taken as it came (a line without a SKU, totals that do not add up to Shopify's, a
 * missing email) does not drop the order: it is captured with the reason in `intakeHolds` and waits
 * ON_HOLD for an operator. Throws only when there is no order to capture at all (no id).
 */
export function normalizeShopifyOrder(body: Json, channelId: string, state: "placed" | "current" = "placed"): ChannelOrder {
  // The order as placed (orders/create), or as it stands after edits and removals (orders/updated):
  // `current_quantity` per line, `current_total_*`; a line with nothing left is left out.
  const now = state === "current";
  const holds: string[] = [];
  const id = str(body.id);
  if (!id || !/^\d{1,20}$/.test(id)) throw new MalformedBodyError("The order has no numeric id");
  const shopCurrency = str(body.currency);
  const currency = str(body.presentment_currency) ?? shopCurrency ?? "";
  if (!/^[A-Z]{3}$/.test(currency)) holds.push(`the order has no currency (${currency || "none"})`);
  const code = /^[A-Z]{3}$/.test(currency) ? currency : "XXX";

  /** An amount of the order's currency: the presentment money of `<field>_set` when present, else the field. */
  const money = (holder: Json | undefined, field: string, what: string): number => {
    const set = obj(obj(holder?.[`${field}_set`])?.presentment_money);
    const text = set ? str(set.amount) : str(holder?.[field]);
    const inCurrency = set ? str(set.currency_code) : code;
    if (text === undefined) return 0;
    if (inCurrency && inCurrency !== code) {
      holds.push(`${what} is in ${inCurrency}, not the order's ${code}`);
      return 0;
    }
    return amountOr0(text, code, what, holds);
  };

  const items = objects(body.line_items);
  if (items.length === 0) holds.push("the order has no line items");
  if (items.length > MAX_ORDER_LINES) holds.push(`the order has ${items.length} line items, more than the ${MAX_ORDER_LINES} one order holds; only the first ${MAX_ORDER_LINES} were taken`);
  const lines: ChannelOrder["lines"] = [];
  const lineData: ShopifyOrderData["lines"] = {};
  for (const item of items.slice(0, MAX_ORDER_LINES)) {
    let quantity = Number(str(now ? (item.current_quantity ?? item.quantity) : item.quantity) ?? "0");
    if (now && quantity === 0) continue;
    // Lines are numbered as we keep them (a removed line is not one of ours).
    const n = lines.length + 1;
    const lineItemId = str(item.id);
    const title = str(item.name) ?? str(item.title);
    const given = str(item.sku);
    let sku = usableSku(given);
    if (!sku) {
      holds.push(`unknown-sku: line ${n} (${title ?? "untitled"}, variant ${str(item.variant_id) ?? "none"}) has ${given ? `SKU "${given}", which is not a valid SKU` : "no SKU"}`);
      sku = `UNMAPPED-${lineItemId ?? n}`;
    }
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
      holds.push(`line ${n} has quantity ${str(item.quantity) ?? "none"}`);
      quantity = 1;
    }
    const variantId = str(item.variant_id);
    lines.push({ sku, quantity, unitPrice: { amount: money(item, "price", `line ${n} price`), currency: code }, ...(variantId ? { listingKey: `variant:${variantId}` } : {}), ...(lineItemId ? { channelLineId: lineItemId } : {}) });
    lineData[lineIdFor(n - 1)] = {
      ...(lineItemId ? { lineItemId } : {}),
      ...(variantId ? { variantId } : {}),
      ...(str(item.product_id) ? { productId: str(item.product_id) } : {}),
      ...(title ? { title } : {}),
      giftCard: item.gift_card === true,
      properties: pairs(item.properties),
    };
  }

  const shippingLines = objects(body.shipping_lines).filter((s) => s.is_removed !== true);
  const shipping = shippingLines.reduce((t, s, i) => t + money(s, "price", `shipping line ${i + 1}`), 0);
  const tax = body.taxes_included === true ? 0 : money(body, now ? "current_total_tax" : "total_tax", "total tax");
  const discount = money(body, now ? "current_total_discounts" : "total_discounts", "total discounts");
  const subtotal = lines.reduce((t, l) => t + l.unitPrice.amount * l.quantity, 0);
  const theirs = money(body, now ? "current_total_price" : "total_price", "total price");
  const ours = subtotal + shipping + tax - discount;
  if (ours !== theirs) holds.push(`totals do not add up: lines ${subtotal} + shipping ${shipping} + tax ${tax} − discounts ${discount} = ${ours}, Shopify's total is ${theirs} (${code} minor units)`);

  const customer = customerOf(body, holds);
  const shippingAddress = addressOf(obj(body.shipping_address));
  if (!shippingAddress) holds.push(NO_SHIPPING_ADDRESS);
  const postal = shippingAddress ? postalCodeProblem(shippingAddress.postalCode, shippingAddress.country) : undefined;
  if (postal && shippingAddress) holds.push(`the shipping address's postal code "${shippingAddress.postalCode}" ${postal}`);

  const taxLines = arr(body.tax_lines).flatMap((t, i) => {
    const line = obj(t);
    return line ? [{ title: str(line.title) ?? "", ...(str(line.rate) ? { rate: str(line.rate) } : {}), amount: money(line, "price", `tax line ${i + 1}`) }] : [];
  });
  const data: ShopifyOrderData = {
    ...(str(body.name) ? { orderName: str(body.name) } : {}),
    ...(str(body.order_number) ? { orderNumber: str(body.order_number) } : {}),
    ...(shopCurrency && shopCurrency !== code ? { shopCurrency, shopTotal: str(body.total_price) } : {}),
    taxesIncluded: body.taxes_included === true,
    taxLines,
    ...(str(body.note) ? { note: str(body.note) } : {}),
    noteAttributes: pairs(body.note_attributes),
    ...(str(body.tags) ? { tags: str(body.tags) } : {}),
    ...(str(body.source_name) ? { sourceName: str(body.source_name) } : {}),
    ...(str(body.financial_status) ? { financialStatus: str(body.financial_status) } : {}),
    ...(str(body.po_number) ? { poNumber: str(body.po_number) } : {}),
    ...(obj(body.company) ? { company: body.company } : {}),
    shippingLines: shippingLines.map((s, i) => ({ ...(str(s.title) ? { title: str(s.title) } : {}), ...(str(s.code) ? { code: str(s.code) } : {}), ...(str(s.source) ? { source: str(s.source) } : {}), amount: money(s, "price", `shipping line ${i + 1}`) })),
    lines: lineData,
  };
  const placedAt = isoOf(str(body.created_at) ?? str(body.processed_at));
  if (!placedAt) holds.push(`created_at "${str(body.created_at) ?? ""}" is not a date-time`);

  return {
    channel: channelId,
    externalOrderId: id,
    placedAt: placedAt ?? new Date(0).toISOString(),
    currency: code,
    customer,
    ...(shippingAddress ? { shippingAddress } : {}),
    lines,
    ...(shipping ? { shippingPrice: { amount: shipping, currency: code } } : {}),
    ...(tax ? { taxTotal: { amount: tax, currency: code } } : {}),
    ...(discount ? { discountTotal: { amount: discount, currency: code } } : {}),
    channelData: { shopify: data },
    ...(holds.length ? { intakeHolds: [...new Set(holds)] } : {}),
  };
}

function customerOf(body: Json, holds: string[]): Customer {
  const c = obj(body.customer);
  const shipTo = obj(body.shipping_address) ?? obj(body.billing_address);
  const email = str(body.email) ?? str(body.contact_email) ?? str(c?.email);
  if (!email) holds.push("the order has no customer email");
  const fullName = (o: Json | undefined) => [str(o?.first_name), str(o?.last_name)].filter(Boolean).join(" ") || undefined;
  const name = fullName(c) ?? str(shipTo?.name) ?? fullName(shipTo) ?? email ?? "unknown customer";
  const phone = e164(str(body.phone), str(c?.phone), str(shipTo?.phone));
  return { email: email ?? "", name, ...(phone ? { phone } : {}) };
}

function addressOf(a: Json | undefined): Address | undefined {
  if (!a) return undefined;
  const country = str(a.country_code)?.toUpperCase();
  const line1 = str(a.address1);
  if (!country || !line1) return undefined;
  const lat = Number(str(a.latitude));
  const lon = Number(str(a.longitude));
  const located = str(a.latitude) !== undefined && str(a.longitude) !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return {
    name: str(a.name) ?? ([str(a.first_name), str(a.last_name)].filter(Boolean).join(" ") || line1),
    line1,
    ...(str(a.address2) ? { line2: str(a.address2) } : {}),
    city: str(a.city) ?? "",
    ...((str(a.province_code) ?? str(a.province)) ? { region: str(a.province_code) ?? str(a.province) } : {}),
    postalCode: str(a.zip) ?? "",
    country,
    ...(located ? { lat, lon } : {}),
  };
}

/** Shopify's reason for a cancellation (`cancel_reason`: customer, fraud, inventory, declined, other). */
export const cancelReasonOf = (body: Json): string => channelCancelReason("shopify", str(body.cancel_reason));

/**
 * A `refunds/create` body (the Refund resource): the order it belongs to, and the money that went
 * back, the sum of its successful refund transactions in their currency. Undefined when it moved no money
 * (a restock-only refund) or its transactions disagree on the currency.
 */
export function shopifyRefundOf(body: Json): { externalOrderId: string; refundId: string; amount: { amount: number; currency: string }; at: string } | undefined {
  const externalOrderId = str(body.order_id);
  const refundId = str(body.id);
  if (!externalOrderId || !refundId) throw new MalformedBodyError("The refund has no id or order_id");
  const moved = objects(body.transactions).filter((t) => str(t.kind) === "refund" && str(t.status) === "success");
  const currencies = [...new Set(moved.map((t) => str(t.currency) ?? ""))];
  const [currency] = currencies;
  if (moved.length === 0 || currencies.length !== 1 || !currency || !/^[A-Z]{3}$/.test(currency)) return undefined;
  const amount = moved.reduce((sum, t) => sum + toMinorUnits(str(t.amount) ?? "0", currency), 0);
  return { externalOrderId, refundId, amount: { amount, currency }, at: isoOf(str(body.created_at)) ?? new Date(0).toISOString() };
}
