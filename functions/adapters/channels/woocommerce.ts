import { NO_SHIPPING_ADDRESS } from "../../domain/channel.js";
import { MalformedBodyError } from "../../domain/errors.js";
import { lineIdFor, type Address, type ChannelOrder } from "../../domain/order.js";
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES, postalCodeProblem } from "../../domain/order-schema.js";
import { base64HmacSha256, verifyBase64Hmac } from "./signature.js";
import { amountOr0, e164, isoOf, obj, objects, parseLossless, str, usableSku, type Json } from "./payload.js";

/**
 * WooCommerce webhooks as WooCommerce delivers them (`WC_Webhook::deliver` and `deliver_ping` in
 * woocommerce/woocommerce): the body is the REST API v3 resource (`/wc/v3/orders/<id>`; for a
 * deletion only `{ "id" }`), signed with the webhook's secret; a new webhook first posts an
 * unsigned form-encoded `webhook_id=<id>` ping and must get a 200. WooCommerce never retries, and a
 * webhook that fails more than 5 times in a row is disabled.
 */
export const WOOCOMMERCE_HEADERS = {
  signature: "x-wc-webhook-signature",
  topic: "x-wc-webhook-topic",
  source: "x-wc-webhook-source",
  webhookId: "x-wc-webhook-id",
  deliveryId: "x-wc-webhook-delivery-id",
} as const;

/** The base64 HMAC-SHA256 of the body as sent, as WooCommerce signs it. */
export const wooSignature = base64HmacSha256;

/** Throws UnauthorizedError unless `X-WC-Webhook-Signature` is the body's signature under `secret` (constant time). */
export const verifyWooSignature = (header: string | undefined, rawBody: string, secret: string): void =>
  verifyBase64Hmac(header, rawBody, secret, WOOCOMMERCE_HEADERS.signature, "WooCommerce signature does not match the body");

/** The webhook id of a ping (`webhook_id=<digits>`, form-encoded), or undefined when the body is not a ping. */
export function wooPing(rawBody: string, contentType: string | undefined): string | undefined {
  if (contentType !== undefined && !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) return undefined;
  const m = /^webhook_id=(\d{1,20})$/.exec(rawBody.trim());
  return m?.[1];
}

export const parseWooBody = parseLossless;

/** Statuses of an order the customer has paid for or committed to (bank transfer, cheque: on-hold): these are captured. */
export const WOO_CAPTURE_STATUSES = ["processing", "on-hold", "completed"] as const;

/** Meta entries as sent (`_`-prefixed keys are WooCommerce's private ones and are left out). */
const metaOf = (v: unknown): { key: string; value: unknown }[] => objects(v).flatMap((m) => (str(m.key) && !str(m.key)?.startsWith("_") ? [{ key: str(m.key) ?? "", value: m.value }] : []));

/** The key a delivery is deduplicated on: WooCommerce coalesces and never retries, so the order id and its modification time name one state of it. */
export const wooDeliveryKey = (body: Json, topic: string): string => `${str(body.id) ?? "?"}@${topic.endsWith(".deleted") ? "deleted" : (str(body.date_modified_gmt) ?? str(body.date_modified) ?? "?")}`;

/**
 * A WooCommerce order (REST v3) as our order. Line amounts are WooCommerce's `subtotal` (before
 * coupons; the unit price is subtotal ÷ quantity), coupons are `discount_total`, tax is
 * `total_tax` (cart and shipping), and the sum must equal `total`. What cannot be taken as it came
 * goes into `intakeHolds` (the order waits ON_HOLD), never dropped.
 */
export function normalizeWooOrder(body: Json, channelId: string): ChannelOrder {
  const holds: string[] = [];
  const id = str(body.id);
  if (!id || !/^\d{1,20}$/.test(id)) throw new MalformedBodyError("The order has no numeric id");
  const given = str(body.currency) ?? "";
  if (!/^[A-Z]{3}$/.test(given)) holds.push(`the order has no currency (${given || "none"})`);
  const currency = /^[A-Z]{3}$/.test(given) ? given : "XXX";
  const amount = (text: unknown, what: string) => amountOr0(str(text), currency, what, holds);

  const items = objects(body.line_items);
  if (items.length === 0) holds.push("the order has no line items");
  if (items.length > MAX_ORDER_LINES) holds.push(`the order has ${items.length} line items, more than the ${MAX_ORDER_LINES} one order holds; only the first ${MAX_ORDER_LINES} were taken`);
  const lines: ChannelOrder["lines"] = [];
  const lineData: Record<string, unknown> = {};
  items.slice(0, MAX_ORDER_LINES).forEach((item, i) => {
    const name = str(item.name);
    const sku = usableSku(str(item.sku));
    if (!sku) holds.push(`unknown-sku: line ${i + 1} (${name ?? "untitled"}, product ${str(item.product_id) ?? "none"}${str(item.variation_id) && str(item.variation_id) !== "0" ? ` variation ${str(item.variation_id)}` : ""}) has ${str(item.sku) ? `SKU "${str(item.sku)}", which is not a valid SKU` : "no SKU"}`);
    let quantity = Number(str(item.quantity) ?? "0");
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
      holds.push(`line ${i + 1} has quantity ${str(item.quantity) ?? "none"}`);
      quantity = 1;
    }
    const subtotal = amount(item.subtotal, `line ${i + 1} subtotal`);
    if (subtotal % quantity !== 0) holds.push(`line ${i + 1} subtotal ${subtotal} is not ${quantity} equal unit prices`);
    const variation = str(item.variation_id) && str(item.variation_id) !== "0" ? str(item.variation_id) : undefined;
    const listingKey = variation ? `variation:${variation}` : str(item.product_id) ? `product:${str(item.product_id)}` : undefined;
    lines.push({ sku: sku ?? `UNMAPPED-${str(item.id) ?? i + 1}`, quantity, unitPrice: { amount: Math.floor(subtotal / quantity), currency }, ...(listingKey ? { listingKey } : {}), ...(str(item.id) ? { channelLineId: str(item.id) } : {}) });
    lineData[lineIdFor(i)] = {
      ...(str(item.id) ? { lineItemId: str(item.id) } : {}),
      ...(str(item.product_id) ? { productId: str(item.product_id) } : {}),
      ...(str(item.variation_id) && str(item.variation_id) !== "0" ? { variationId: str(item.variation_id) } : {}),
      ...(name ? { name } : {}),
      lineTotal: amount(item.total, `line ${i + 1} total`),
      lineTax: amount(item.total_tax, `line ${i + 1} tax`),
      meta: metaOf(item.meta_data),
    };
  });

  const shipping = amount(body.shipping_total, "shipping total");
  const tax = amount(body.total_tax, "total tax");
  const discount = amount(body.discount_total, "discount total");
  const fees = objects(body.fee_lines).reduce((t, f, i) => t + amount(f.total, `fee ${i + 1}`), 0);
  if (fees !== 0) holds.push(`the order has fees of ${fees} (${currency} minor units), which orders do not carry`);
  const subtotal = lines.reduce((t, l) => t + l.unitPrice.amount * l.quantity, 0);
  const theirs = amount(body.total, "total");
  const ours = subtotal + shipping + tax - discount;
  if (ours + fees !== theirs) holds.push(`totals do not add up: lines ${subtotal} + shipping ${shipping} + tax ${tax} − discounts ${discount} = ${ours}, WooCommerce's total is ${theirs} (${currency} minor units)`);

  const billing = obj(body.billing);
  const email = str(billing?.email);
  if (!email) holds.push("the order has no customer email");
  const shipTo = addressOf(obj(body.shipping)) ?? addressOf(billing);
  if (!shipTo) holds.push(NO_SHIPPING_ADDRESS);
  const postal = shipTo ? postalCodeProblem(shipTo.postalCode, shipTo.country) : undefined;
  if (postal && shipTo) holds.push(`the shipping address's postal code "${shipTo.postalCode}" ${postal}`);
  const name = [str(billing?.first_name), str(billing?.last_name)].filter(Boolean).join(" ") || shipTo?.name || email || "unknown customer";
  const phone = e164(str(obj(body.shipping)?.phone), str(billing?.phone));
  const placedAt = isoOf(str(body.date_created_gmt) ? `${str(body.date_created_gmt)}Z` : undefined);
  if (!placedAt) holds.push(`date_created_gmt "${str(body.date_created_gmt) ?? ""}" is not a date-time`);

  return {
    channel: channelId,
    externalOrderId: id,
    placedAt: placedAt ?? new Date(0).toISOString(),
    currency,
    customer: { email: email ?? "", name, ...(phone ? { phone } : {}) },
    ...(shipTo ? { shippingAddress: shipTo } : {}),
    lines,
    ...(shipping ? { shippingPrice: { amount: shipping, currency } } : {}),
    ...(tax ? { taxTotal: { amount: tax, currency } } : {}),
    ...(discount ? { discountTotal: { amount: discount, currency } } : {}),
    channelData: {
      woocommerce: {
        ...(str(body.number) ? { orderNumber: str(body.number) } : {}),
        status: str(body.status),
        pricesIncludeTax: body.prices_include_tax === true,
        ...(str(body.customer_note) ? { customerNote: str(body.customer_note) } : {}),
        ...(str(billing?.company) ? { company: str(billing?.company) } : {}),
        ...(str(body.payment_method_title) ? { paymentMethod: str(body.payment_method_title) } : {}),
        ...(str(body.transaction_id) ? { transactionId: str(body.transaction_id) } : {}),
        taxLines: objects(body.tax_lines).map((t) => ({ label: str(t.label) ?? "", rateCode: str(t.rate_code), amount: amount(t.tax_total, "tax line") + amount(t.shipping_tax_total, "tax line shipping") })),
        shippingLines: objects(body.shipping_lines).map((s) => ({ method: str(s.method_title), methodId: str(s.method_id), amount: amount(s.total, "shipping line") })),
        coupons: objects(body.coupon_lines).map((c) => str(c.code)).filter(Boolean),
        meta: metaOf(body.meta_data),
        lines: lineData,
      },
    },
    ...(holds.length ? { intakeHolds: [...new Set(holds)] } : {}),
  };
}

function addressOf(a: Json | undefined): Address | undefined {
  const line1 = str(a?.address_1);
  const country = str(a?.country)?.toUpperCase();
  if (!a || !line1 || !country) return undefined;
  return {
    name: [str(a.first_name), str(a.last_name)].filter(Boolean).join(" ") || str(a.company) || line1,
    line1,
    ...(str(a.address_2) ? { line2: str(a.address_2) } : {}),
    city: str(a.city) ?? "",
    ...(str(a.state) ? { region: str(a.state) } : {}),
    postalCode: str(a.postcode) ?? "",
    country,
  };
}
