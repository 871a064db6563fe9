import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { channelCredentialsPrefix } from "../../functions/domain/channel.js";
import { DEMO_SKUS } from "../seed.js";
import { FakeShopify } from "./shopify.js";
import { FakeSpApi } from "./sp-api.js";
import { FakeWooCommerce } from "./woocommerce.js";

/** The demo channels `npm start` registers, one per marketplace type, each wired to its vendor fake. */
export const DEMO_CHANNELS = {
  shopify: { channelId: "demo-shopify", shopDomain: "oms-demo.myshopify.com" },
  woocommerce: { channelId: "demo-woo", siteUrl: "https://demo-store.example" },
  amazon: { channelId: "demo-amazon", sellerId: "ADEMOSELLER01", marketplaceId: "A1PA6795UKMFR9" },
} as const;
export type DemoChannelType = keyof typeof DEMO_CHANNELS;

/** Unit prices (EUR cents, VAT included) of the sellable demo SKUs, and each SKU's ids on the demo channels. */
const SELLABLE = DEMO_SKUS.filter((s) => s.active).map((s, i) => ({
  sku: s.sku,
  name: s.name,
  price: [1999, 2199, 4999, 8999, 1250][i] ?? 1000,
  shopify: { productId: `81${i + 1}0000001`, variantId: `82${i + 1}0000001`, inventoryItemId: `83${i + 1}0000001` },
  wooProductId: `${101 + i}`,
}));

const euros = (cents: number) => (cents / 100).toFixed(2);
const pick = (seq: number) => {
  const a = SELLABLE[seq % SELLABLE.length]!;
  const b = SELLABLE[(seq * 7 + 3) % SELLABLE.length]!;
  return a.sku === b.sku ? [{ item: a, quantity: 2 }] : [{ item: a, quantity: 1 }, { item: b, quantity: 1 }];
};
/** German VAT (19%) inside a gross amount, rounded to the cent. */
const vatIn = (gross: number) => Math.round((gross * 19) / 119);
const BERLIN = { first_name: "Ada", last_name: "Lovelace", address1: "Unter den Linden 1", city: "Berlin", zip: "10117", country: "Germany", country_code: "DE" };

/**
 * A Shopify `orders/create` body for demo SKUs, shaped as the REST Admin Order resource
 * (shopify.dev/docs/api/admin-rest/2025-07/resources/order): prices as decimal text with their
 * `*_set` money bags, VAT included (`taxes_included`), one shipping line, the address without
 * coordinates (the OMS geocodes it).
 */
export function demoShopifyOrder(id: string, seq: number): string {
  const lines = pick(seq);
  const shipping = 495;
  const subtotal = lines.reduce((n, l) => n + l.item.price * l.quantity, 0);
  const total = subtotal + shipping;
  const set = (cents: number) => ({ shop_money: { amount: euros(cents), currency_code: "EUR" }, presentment_money: { amount: euros(cents), currency_code: "EUR" } });
  const now = new Date().toISOString();
  const order = {
    id: "@ID@",
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#D${seq}`,
    order_number: 1000 + seq,
    email: "ada@example.com",
    created_at: now,
    updated_at: now,
    currency: "EUR",
    presentment_currency: "EUR",
    taxes_included: true,
    financial_status: "paid",
    source_name: "web",
    subtotal_price: euros(subtotal),
    subtotal_price_set: set(subtotal),
    total_price: euros(total),
    total_price_set: set(total),
    total_tax: euros(vatIn(total)),
    total_tax_set: set(vatIn(total)),
    total_discounts: "0.00",
    total_discounts_set: set(0),
    tax_lines: [{ title: "DE MwSt", rate: 0.19, price: euros(vatIn(total)), price_set: set(vatIn(total)) }],
    customer: { id: 207119551, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" },
    shipping_address: { ...BERLIN, name: "Ada Lovelace" },
    billing_address: { ...BERLIN, name: "Ada Lovelace" },
    line_items: lines.map((l, i) => ({
      id: "@LINE" + i + "@",
      admin_graphql_api_id: `gid://shopify/LineItem/${id}${i + 1}`,
      product_id: Number(l.item.shopify.productId),
      variant_id: Number(l.item.shopify.variantId),
      sku: l.item.sku,
      title: l.item.name,
      name: l.item.name,
      quantity: l.quantity,
      current_quantity: l.quantity,
      price: euros(l.item.price),
      price_set: set(l.item.price),
      requires_shipping: true,
      gift_card: false,
      properties: [],
      tax_lines: [{ title: "DE MwSt", rate: 0.19, price: euros(vatIn(l.item.price * l.quantity)), price_set: set(vatIn(l.item.price * l.quantity)) }],
      discount_allocations: [],
    })),
    shipping_lines: [{ id: 271878346, title: "Standard", code: "Standard", source: "shopify", price: euros(shipping), price_set: set(shipping), tax_lines: [] }],
  };
  // Shopify's ids are 64-bit numbers in the JSON: written as number literals, never through a JS number.
  let text = JSON.stringify(order).replace('"@ID@"', id);
  lines.forEach((_, i) => (text = text.replace(`"@LINE${i}@"`, `${id}${i + 1}`)));
  return text;
}

/** A WooCommerce `order.created` body (the REST v3 Order, woocommerce-rest-api-docs): line subtotals excluding VAT, `total_tax` beside them, GMT dates. */
export function demoWooOrder(id: number, seq: number): string {
  const lines = pick(seq);
  const now = new Date().toISOString().slice(0, 19);
  const net = (gross: number) => gross - vatIn(gross);
  const shipping = 495;
  const items = lines.map((l, i) => ({ id: id * 10 + i + 1, name: l.item.name, product_id: Number(l.item.wooProductId), variation_id: 0, quantity: l.quantity, tax_class: "", subtotal: euros(net(l.item.price) * l.quantity), subtotal_tax: euros(vatIn(l.item.price) * l.quantity), total: euros(net(l.item.price) * l.quantity), total_tax: euros(vatIn(l.item.price) * l.quantity), sku: l.item.sku, price: net(l.item.price) / 100, meta_data: [] }));
  const itemsTax = lines.reduce((n, l) => n + vatIn(l.item.price) * l.quantity, 0);
  const itemsNet = lines.reduce((n, l) => n + net(l.item.price) * l.quantity, 0);
  const shippingTax = vatIn(shipping);
  const address = { first_name: "Ada", last_name: "Lovelace", company: "", address_1: "Unter den Linden 1", address_2: "", city: "Berlin", state: "", postcode: "10117", country: "DE" };
  return JSON.stringify({
    id,
    parent_id: 0,
    number: String(id),
    order_key: `wc_order_demo${id}`,
    created_via: "checkout",
    status: "processing",
    currency: "EUR",
    date_created_gmt: now,
    date_modified_gmt: now,
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: euros(shipping - shippingTax),
    shipping_tax: euros(shippingTax),
    total: euros(itemsNet + itemsTax + shipping),
    total_tax: euros(itemsTax + shippingTax),
    prices_include_tax: true,
    customer_id: 0,
    billing: { ...address, email: "ada@example.com", phone: "+4915112345678" },
    shipping: address,
    payment_method: "bacs",
    payment_method_title: "Direct bank transfer",
    transaction_id: "",
    customer_note: "",
    line_items: items,
    tax_lines: [{ id: 1, rate_code: "DE-MWST-1", rate_id: 1, label: "MwSt", compound: false, tax_total: euros(itemsTax), shipping_tax_total: euros(shippingTax) }],
    shipping_lines: [{ id: 1, method_title: "Flat rate", method_id: "flat_rate", total: euros(shipping - shippingTax), total_tax: euros(shippingTax), taxes: [] }],
    fee_lines: [],
    coupon_lines: [],
    refunds: [],
    meta_data: [],
  });
}

/** A getOrder payload and its getOrderItems (ordersV0.json's Order and OrderItem), with the buyer's data as a Restricted Data Token gives it. */
export function demoAmazonOrder(amazonOrderId: string, seq: number): { order: Record<string, unknown>; items: Record<string, unknown>[] } {
  const lines = pick(seq);
  const money = (cents: number) => ({ CurrencyCode: "EUR", Amount: euros(cents) });
  const now = new Date().toISOString();
  const total = lines.reduce((n, l) => n + l.item.price * l.quantity, 0);
  return {
    order: {
      AmazonOrderId: amazonOrderId,
      PurchaseDate: now,
      LastUpdateDate: now,
      OrderStatus: "Unshipped",
      FulfillmentChannel: "MFN",
      SalesChannel: "Amazon.de",
      ShipServiceLevel: "Std DE Dom",
      OrderTotal: money(total),
      NumberOfItemsShipped: 0,
      NumberOfItemsUnshipped: lines.reduce((n, l) => n + l.quantity, 0),
      PaymentMethod: "Other",
      MarketplaceId: DEMO_CHANNELS.amazon.marketplaceId,
      OrderType: "StandardOrder",
      IsBusinessOrder: false,
      IsPrime: false,
      BuyerInfo: { BuyerEmail: "ada@marketplace.amazon.de", BuyerName: "Ada Lovelace" },
      ShippingAddress: { Name: "Ada Lovelace", AddressLine1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117", CountryCode: "DE" },
    },
    // ItemPrice is the price of the whole quantity, VAT included in the EU (ItemTax then 0.00 here).
    items: lines.map((l, i) => ({ ASIN: `B0DEMO${String(i + 1).padStart(4, "0")}`, SellerSKU: l.item.sku, OrderItemId: `${amazonOrderId.replaceAll("-", "").slice(-8)}${i + 1}`, Title: l.item.name, QuantityOrdered: l.quantity, QuantityShipped: 0, ItemPrice: money(l.item.price * l.quantity), ItemTax: money(0), PromotionDiscount: money(0) })),
  };
}

export interface DemoChannels {
  shopify: FakeShopify;
  woocommerce: FakeWooCommerce;
  amazon: FakeSpApi;
  /** For .oms/local.json: each demo channel, its type, identity, fake's URL and signing secret. */
  describe(): Record<string, { type: DemoChannelType; shopDomain?: string; siteUrl?: string; sellerId?: string; apiEndpoint: string; secret?: string }>;
  stop(): Promise<void>;
}

interface CloudAccess {
  apiUrl: string;
  awsEndpoint: string;
  operatorToken: string;
  channelSecretsId: string;
}

/**
 * Starts a fake of each marketplace's API and registers one demo channel of each type on the
 * running local cloud through its own API (PUT /channels, PUT /products with the channels'
 * listings) and Secrets Manager (the channel's API credentials, its webhook signing secret).
 */
export async function startDemoChannels(cloud: CloudAccess, stage = "dev"): Promise<DemoChannels> {
  const aws = { endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const sm = new SecretsManagerClient(aws);
  const sqs = new SQSClient(aws);
  const signing = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: cloud.channelSecretsId }))).SecretString ?? "{}") as Record<string, string>;
  const secretOf = (id: string) => signing[id] ?? `${id}-${crypto.randomUUID()}`;
  const shopifySecret = secretOf(DEMO_CHANNELS.shopify.channelId);
  const wooSecret = secretOf(DEMO_CHANNELS.woocommerce.channelId);
  await sm.send(new PutSecretValueCommand({ SecretId: cloud.channelSecretsId, SecretString: JSON.stringify({ ...signing, [DEMO_CHANNELS.shopify.channelId]: shopifySecret, [DEMO_CHANNELS.woocommerce.channelId]: wooSecret }) }));
  const queueUrl = ((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).find((u) => /AmazonNotifications(?!DeadLetters)/.test(u));
  if (!queueUrl) throw new Error("The assembly has no AmazonNotifications queue for the demo Amazon channel");

  const shopify = new FakeShopify({ shopDomain: DEMO_CHANNELS.shopify.shopDomain, accessToken: `shpat_demo_${crypto.randomUUID().replaceAll("-", "")}`, webhook: { url: `${cloud.apiUrl}/webhooks/shopify`, secret: shopifySecret } });
  const woocommerce = new FakeWooCommerce({ consumerKey: `ck_demo_${crypto.randomUUID().replaceAll("-", "")}`, consumerSecret: `cs_demo_${crypto.randomUUID().replaceAll("-", "")}`, webhook: { url: `${cloud.apiUrl}/webhooks/woocommerce/${DEMO_CHANNELS.woocommerce.channelId}`, secret: wooSecret } });
  const amazon = new FakeSpApi({ sellerId: DEMO_CHANNELS.amazon.sellerId, clientId: "amzn1.application-oa2-client.demo", clientSecret: `amzn-demo-${crypto.randomUUID()}`, refreshToken: `Atzr|demo-${crypto.randomUUID()}`, queue: { url: queueUrl, sqs } });
  await Promise.all([shopify.start(), woocommerce.start(), amazon.start()]);

  const prefix = channelCredentialsPrefix(stage);
  const putCredentials = async (channelId: string, value: Record<string, string>) => {
    const name = `${prefix}${channelId}`;
    try {
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(value) }));
    }
    return name;
  };
  const operator = async (path: string, body: unknown) => {
    const res = await fetch(`${cloud.apiUrl}${path}`, { method: "PUT", headers: { authorization: `Bearer ${cloud.operatorToken}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`PUT ${path}: HTTP ${res.status} ${await res.text()}`);
  };
  const common = { defaultCurrency: "EUR", locale: "de-DE" };
  await operator(`/channels/${DEMO_CHANNELS.shopify.channelId}`, { type: "shopify", shopDomain: DEMO_CHANNELS.shopify.shopDomain, apiEndpoint: shopify.url, credentialsSecret: await putCredentials(DEMO_CHANNELS.shopify.channelId, { accessToken: shopify.shop.accessToken }), inventoryLocations: [{ channelLocationId: "71000000001" }], ...common });
  await operator(`/channels/${DEMO_CHANNELS.woocommerce.channelId}`, { type: "woocommerce", siteUrl: DEMO_CHANNELS.woocommerce.siteUrl, apiEndpoint: woocommerce.url, credentialsSecret: await putCredentials(DEMO_CHANNELS.woocommerce.channelId, { consumerKey: woocommerce.store.consumerKey, consumerSecret: woocommerce.store.consumerSecret }), ...common });
  await operator(`/channels/${DEMO_CHANNELS.amazon.channelId}`, { type: "amazon", sellerId: DEMO_CHANNELS.amazon.sellerId, marketplaceIds: [DEMO_CHANNELS.amazon.marketplaceId], apiEndpoint: amazon.url, credentialsSecret: await putCredentials(DEMO_CHANNELS.amazon.channelId, { clientId: amazon.seller.clientId, clientSecret: amazon.seller.clientSecret, refreshToken: amazon.seller.refreshToken, tokenUrl: `${amazon.url}/auth/o2/token` }), ...common });
  for (const item of SELLABLE) {
    await operator(`/products/${item.sku}`, {
      name: item.name,
      unitWeightGrams: DEMO_SKUS.find((s) => s.sku === item.sku)?.unitWeightGrams ?? 100,
      listings: [
        { channelId: DEMO_CHANNELS.shopify.channelId, variantId: item.shopify.variantId, inventoryItemId: item.shopify.inventoryItemId },
        { channelId: DEMO_CHANNELS.woocommerce.channelId, productId: item.wooProductId },
        { channelId: DEMO_CHANNELS.amazon.channelId, sellerSku: item.sku },
      ],
    });
  }
  // `channels simulate <type> --orders N`: each fake makes N orders and tells the OMS as its vendor does.
  const base = Date.now();
  let seq = 0;
  shopify.simulate = (n) => inParallel(n, async () => {
    const i = ++seq;
    const id = `${BigInt(base) * 1000n + BigInt(i)}`;
    return { id, ...(await shopify.createOrder(demoShopifyOrder(id, i))) };
  });
  woocommerce.simulate = (n) => inParallel(n, async () => {
    const i = ++seq;
    const id = (Math.floor(base / 1000) % 1_000_000) * 10_000 + i;
    return { id, ...(await woocommerce.createOrder(demoWooOrder(id, i))) };
  });
  amazon.simulate = (n) => inParallel(n, async () => {
    const i = ++seq;
    const id = `302-${String(base % 10_000_000).padStart(7, "0")}-${String(i).padStart(7, "0")}`;
    const { order, items } = demoAmazonOrder(id, i);
    await amazon.createOrder(order, items);
    return { id, queued: true };
  });
  return {
    shopify,
    woocommerce,
    amazon,
    describe: () => ({
      [DEMO_CHANNELS.shopify.channelId]: { type: "shopify", shopDomain: DEMO_CHANNELS.shopify.shopDomain, apiEndpoint: shopify.url, secret: shopifySecret },
      [DEMO_CHANNELS.woocommerce.channelId]: { type: "woocommerce", siteUrl: DEMO_CHANNELS.woocommerce.siteUrl, apiEndpoint: woocommerce.url, secret: wooSecret },
      [DEMO_CHANNELS.amazon.channelId]: { type: "amazon", sellerId: DEMO_CHANNELS.amazon.sellerId, apiEndpoint: amazon.url },
    }),
    stop: async () => {
      await Promise.all([shopify.stop(), woocommerce.stop(), amazon.stop()]);
    },
  };
}

/** `count` calls of `task`, at most 10 at a time, their results in order. */
async function inParallel<T>(count: number, task: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(10, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task();
    }
  }));
  return results;
}
