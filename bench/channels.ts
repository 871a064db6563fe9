import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFileSync } from "node:fs";
import { wooSignature } from "../functions/adapters/channels/woocommerce.js";
import { DynamoCatalog } from "../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import type { LocalCloud } from "../local/cloud.js";
import { FakeShopify } from "../local/fakes/shopify.js";
import { ROOT } from "../local/synth.js";
import { quantile, runPool } from "./run-pool.js";

/** A vendor's sample payload from ../shared/data/channels (sources in its README), as text. */
const sample = (file: string) => readFileSync(`${ROOT}/../shared/data/channels/${file}`, "utf8");

/**
 * Marketplace intake: Shopify's 2025-07 sample order (shopify-app-js fixture) and WooCommerce's
 * documented order 727 (woocommerce-rest-api-docs), each posted `count` times with its own id,
 * signed as the vendor signs, at `concurrency`. Measures the webhook's answer (Shopify wants it
 * well inside 5 s) and how many orders went on to allocation (the WooCommerce ones geocoded by
 * ZIP code first, since WooCommerce sends no coordinates).
 */
export async function benchChannels(cloud: LocalCloud, count: number, concurrency: number) {
  const operator = { authorization: `Bearer ${cloud.operatorToken}`, "content-type": "application/json" };
  const put = (path: string, body: unknown) => fetch(`${cloud.apiUrl}${path}`, { method: "PUT", headers: operator, body: JSON.stringify(body) });
  const fake = new FakeShopify({ shopDomain: "oms-bench.myshopify.com", accessToken: "shpat_bench", webhook: { url: `${cloud.apiUrl}/webhooks/shopify`, secret: "bench-shopify-secret" } });
  await put("/channels/bench-shopify", { type: "shopify", shopDomain: "oms-bench.myshopify.com", defaultCurrency: "USD", locale: "en-US", apiEndpoint: await fake.start(), credentialsSecret: "oms/dev/channels/bench-shopify", inventoryLocations: [{ channelLocationId: "1", locationIds: ["BENCH-US"] }] });
  await put("/channels/bench-woo", { type: "woocommerce", siteUrl: "https://bench.example.com", defaultCurrency: "USD", locale: "en-US" });
  const sm = new SecretsManagerClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" } });
  const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: cloud.channelSecretsId }))).SecretString ?? "{}") as Record<string, string>;
  await sm.send(new PutSecretValueCommand({ SecretId: cloud.channelSecretsId, SecretString: JSON.stringify({ ...current, "bench-shopify": "bench-shopify-secret", "bench-woo": "bench-woo-secret" }) }));
  const credentials = JSON.stringify({ accessToken: "shpat_bench" });
  await sm.send(new CreateSecretCommand({ Name: "oms/dev/channels/bench-shopify", SecretString: credentials })).catch(() => sm.send(new PutSecretValueCommand({ SecretId: "oms/dev/channels/bench-shopify", SecretString: credentials })));
  const catalog = new DynamoCatalog(documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" } })), cloud.tableName);
  await catalog.putLocation({ locationId: "BENCH-US", name: "Bench US warehouse", kind: "warehouse", country: "US", lat: 38.25, lon: -85.76, capabilities: ["ship"], dailyCapacity: 1_000_000, handlingCost: { amount: 100, currency: "USD" }, priority: 1, active: true, groups: [] });
  for (const sku of ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK", "WOO-SINGLE-1", "Bar3"]) {
    await catalog.putSku({ sku, name: sku, unitWeightGrams: 200, active: true });
    await catalog.putStock({ sku, locationId: "BENCH-US", onHand: 1_000_000, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  }
  // The Shopify SKUs are listed on the channel, so their stock levels go back to it.
  for (const [sku, item] of [["IPOD2008GREEN", "1"], ["IPOD2008RED", "2"], ["IPOD2008BLACK", "3"]] as const) await put(`/products/${sku}`, { name: sku, unitWeightGrams: 200, listings: [{ channelId: "bench-shopify", inventoryItemId: item, variantId: `90${item}` }] });
  const shopify = JSON.stringify((JSON.parse(sample("shopify-order-get-partially-refunded-1.json")) as { order: unknown }).order);
  const woo = sample("woocommerce-order-1.json").replace(/"sku": "",/, '"sku": "WOO-SINGLE-1",');
  const failures: string[] = [];
  const ids: string[] = [];
  const record = (url: string, res: { status: number; body: unknown }) => {
    const json = res.body as { orderId?: string } | undefined;
    if (res.status !== 202) failures.push(`${url} ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    else if (json?.orderId) ids.push(json.orderId);
  };
  const send = async (url: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(`${cloud.apiUrl}${url}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    record(url, { status: res.status, body: await res.json() });
  };
  const runId = Date.now() % 1_000_000;
  const measure = async (label: string, post: (i: number) => Promise<void>) => {
    await cloud.idle();
    const started = performance.now();
    const latencies = await runPool(count, concurrency, post);
    const seconds = (performance.now() - started) / 1000;
    return { label, p50Ms: quantile(latencies, 0.5), p95Ms: quantile(latencies, 0.95), p99Ms: quantile(latencies, 0.99), ordersPerSecond: count / seconds };
  };
  const results = [
    await measure("shopify orders/create", (i) => {
      const body = shopify.replace(/"id":450789469,/, `"id":${7_000_000_000_000 + runId * 10_000 + i},`);
      // The fake shop keeps the order (its fulfillment order answers the outbound calls) and delivers the signed webhook.
      return fake.createOrder(body).then((res) => record("/webhooks/shopify", res));
    }),
    await measure("woocommerce order.created", (i) => {
      const body = woo.replace(/"id": 727,/, `"id": ${runId * 10_000 + i},`);
      return send("/webhooks/woocommerce/bench-woo", body, { "x-wc-webhook-topic": "order.created", "x-wc-webhook-signature": wooSignature("bench-woo-secret", body) });
    }),
  ];
  await cloud.idle();
  const statuses: Record<string, number> = {};
  const released: { orderId: string; shipmentId: string; channel: string }[] = [];
  await runPool(ids.length, concurrency, async (i) => {
    const res = await fetch(`${cloud.apiUrl}/orders/${ids[i]!}`, { headers: operator });
    const order = (await res.json()) as { status: string; channel: string; shipments: { shipmentId: string; status: string }[] };
    statuses[order.status] = (statuses[order.status] ?? 0) + 1;
    for (const s of order.shipments) if (s.status === "RELEASED") released.push({ orderId: ids[i]!, shipmentId: s.shipmentId, channel: order.channel });
  });
  // Outbound: ship some Shopify orders through their location's callbacks, let the stock queue's
  // batching window pass, and count what the fake Shopify was asked.
  const shipped = released.filter((r) => r.channel === "bench-shopify").slice(0, SHIPPED);
  const calls = (op: string) => fake.callsOf(op).length;
  const stockCallsBefore = calls("inventorySetQuantities");
  await runPool(shipped.length, concurrency, async (i) => {
    for (const type of ["accepted", "picked", "packed"]) await fetch(`${cloud.apiUrl}/fulfillments/${shipped[i]!.shipmentId}/events`, { method: "POST", headers: operator, body: JSON.stringify({ type }) });
    await fetch(`${cloud.apiUrl}/fulfillments/${shipped[i]!.shipmentId}/events`, { method: "POST", headers: operator, body: JSON.stringify({ type: "shipped", carrier: "oms-post", weightGrams: 600 }) });
  });
  await cloud.idle();
  cloud.clock.advance(21_000);
  await cloud.idle();
  await fake.stop();
  const shopifyOrders = ids.length / 2;
  return {
    ordersPerChannel: count,
    failures: failures.length,
    firstFailures: failures.slice(0, 3),
    webhooks: results,
    statusesAfter: statuses,
    outbound: {
      shopifyOrdersShipped: shipped.length,
      fulfillmentCallsPerShippedOrder: shipped.length ? (calls("fulfillmentOrders") + calls("fulfillmentCreate")) / shipped.length : 0,
      fulfillmentCreatePerShippedOrder: shipped.length ? calls("fulfillmentCreate") / shipped.length : 0,
      unitsFulfilledOnShopify: fake.unitsFulfilled(),
      stockCallsDuringIntake: stockCallsBefore,
      stockCallsPerShopifyOrder: shopifyOrders ? calls("inventorySetQuantities") / shopifyOrders : 0,
    },
  };
}

/** How many Shopify orders the bench ships to count the outbound calls. */
const SHIPPED = 20;
