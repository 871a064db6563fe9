import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parse } from "lossless-json";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopifyHmac } from "../../functions/adapters/channels/shopify.js";
import { SHOPIFY_API_VERSION, SHOPIFY_REST_VERSION } from "../../functions/adapters/channels/shopify-admin.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { channelSample } from "../fixtures/channel-samples.js";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { admin, archivedEvents, cloud, dynamo, eventually, operatorCall, operatorGet, putChannelSecret, quiesce, releasedToLocations, shipIt } from "./helpers.js";

// The order: a Shopify SDK fixture (shopify-order-get-partially-refunded-1.json), via ../shared/data/channels (see its README).
// The fake answers the GraphQL Admin API calls as shopify.dev documents them (order.fulfillmentOrders, fulfillmentCreate).
const SHOP = "oms-sync-test.myshopify.com";
const SECRET = "shpss_sync_test_secret";
const TOKEN = "shpat_sync_test_token";
const aws = { endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };

interface GraphqlCall {
  token: string | undefined;
  path: string;
  query: string;
  variables: Record<string, unknown>;
}
const calls: GraphqlCall[] = [];
const listed: string[] = [];
let failCreates = 0;
/** Units Shopify counts as fulfilled, per line item id. */
const fulfilled = new Map<string, number>();
let server: Server;

/** The sample order, as its fulfillment order: one per order here (one location), each line item with what remains. */
const sample = parse(channelSample("shopify-order-get-partially-refunded-1.json"), null, (n: string) => n) as { line_items: { id: string; quantity: string }[] };
const fulfillmentOrder = () => ({
  id: "gid://shopify/FulfillmentOrder/1046000001",
  status: "OPEN",
  lineItems: { nodes: sample.line_items.map((l, i) => ({ id: `gid://shopify/FulfillmentOrderLineItem/${1058000000 + i}`, remainingQuantity: Number(l.quantity) - (fulfilled.get(l.id) ?? 0), lineItem: { id: `gid://shopify/LineItem/${l.id}` } })) },
});

function fakeShopify(): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "GET" && req.url?.startsWith(`/admin/api/${SHOPIFY_REST_VERSION}/orders.json`)) {
        listed.push(req.url);
        res.writeHead(req.headers["x-shopify-access-token"] === TOKEN ? 200 : 401, { "content-type": "application/json" });
        // The REST order list: the orders as their webhooks carry them (here, one the webhook never delivered).
        return res.end(`{"orders":[${channelSample("shopify-order-get-partially-refunded-1.json").replace(/"id":\s*450789469/, '"id": 450789490')}]}`);
      }
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { query: string; variables: Record<string, unknown> };
      calls.push({ token: req.headers["x-shopify-access-token"] as string | undefined, path: req.url ?? "", ...body });
      const send = (status: number, doc: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(doc));
      };
      if (req.headers["x-shopify-access-token"] !== TOKEN) return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      if (body.query.includes("inventorySetQuantities")) return send(200, { data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: "gid://shopify/InventoryAdjustmentGroup/1" }, userErrors: [] } } });
      if (body.query.includes("fulfillmentOrders")) return send(200, { data: { order: { fulfillmentOrders: { nodes: [fulfillmentOrder()] } } } });
      if (body.query.includes("fulfillmentCreate")) {
        if (failCreates > 0) {
          failCreates--;
          return send(503, { errors: "Service Unavailable" });
        }
        const input = body.variables.fulfillment as { lineItemsByFulfillmentOrder: { fulfillmentOrderLineItems: { id: string; quantity: number }[] }[] };
        const fo = fulfillmentOrder();
        for (const item of input.lineItemsByFulfillmentOrder.flatMap((x) => x.fulfillmentOrderLineItems)) {
          const li = fo.lineItems.nodes.find((n) => n.id === item.id);
          const lineItemId = li?.lineItem.id.split("/").pop() ?? "";
          fulfilled.set(lineItemId, (fulfilled.get(lineItemId) ?? 0) + item.quantity);
        }
        return send(200, { data: { fulfillmentCreate: { fulfillment: { id: "gid://shopify/Fulfillment/255858046", status: "SUCCESS" }, userErrors: [] } } });
      }
      return send(400, { errors: [{ message: "unexpected query" }] });
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function orderCreated(raw: string): Promise<string> {
  const res = await fetch(`${cloud.apiUrl}/webhooks/shopify`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-topic": "orders/create", "x-shopify-shop-domain": SHOP, "x-shopify-hmac-sha256": shopifyHmac(SECRET, raw), "x-shopify-webhook-id": crypto.randomUUID() },
    body: raw,
  });
  expect(res.status).toBe(202);
  return String(((await res.json()) as { orderId: string }).orderId);
}

const creates = () => calls.filter((c) => c.query.includes("fulfillmentCreate"));

beforeAll(async () => {
  const endpoint = await fakeShopify();
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: "SYNC-US", name: "Sync test warehouse", kind: "warehouse", country: "US", lat: 38.25, lon: -85.76, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 100, currency: "USD" }, priority: 1, active: true, groups: ["sync-test"] });
  for (const sku of ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]) {
    await catalog.putSku({ sku, name: sku, unitWeightGrams: 200, active: true });
    await catalog.putStock({ sku, locationId: "SYNC-US", onHand: 10, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  }
  await new SecretsManagerClient(aws).send(new CreateSecretCommand({ Name: "oms/dev/channels/shop-sync", SecretString: JSON.stringify({ accessToken: TOKEN }) }));
  expect((await operatorCall("PUT", "/channels/shop-sync", { type: "shopify", shopDomain: SHOP, apiEndpoint: endpoint, credentialsSecret: "oms/dev/channels/shop-sync", defaultCurrency: "USD", locale: "en-US" })).status).toBe(200);
  await putChannelSecret("shop-sync", SECRET);
  endpointUrl = endpoint;
});
let endpointUrl = "";

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("outbound sync to Shopify", () => {
  it("a Shopify order that ships: Shopify gets one fulfillmentCreate with our carrier and tracking number, for its fulfillment order's line items; a failed call is retried, and logged on the order", async () => {
    failCreates = 1;
    const orderId = await orderCreated(channelSample("shopify-order-get-partially-refunded-1.json").replace(/"id":\s*450789469/, '"id": 450789480'));
    const released = await releasedToLocations(orderId);
    const shipment = await shipIt(orderId, released.shipments[0]?.shipmentId ?? "");
    const tracking = shipment.carrierShipment?.trackingNumber ?? "";
    expect(tracking).not.toBe("");
    // The first call failed (503): logged on the order, the event waits in the queue for its visibility timeout.
    const failed = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("FAILED"));
    expect(failed.json.channelSync).toEqual([expect.objectContaining({ key: `shipped#${shipment.shipmentId}`, channelId: "shop-sync", status: "FAILED", attempts: 1 })]);
    expect(JSON.stringify(failed.json.channelSync)).toContain("HTTP 503");
    await quiesce();
    await admin("AdvanceClock", { milliseconds: 181_000 });
    const sent = await eventually(() => operatorGet(`/orders/${orderId}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("SENT"));
    expect(sent.json.channelSync).toEqual([expect.objectContaining({ status: "SENT", call: "fulfillmentCreate", attempts: 2, remoteIds: ["gid://shopify/Fulfillment/255858046"] })]);
    const succeeded = creates().filter((c) => JSON.stringify(c.variables).includes(tracking));
    // Two attempts reached Shopify; the second one created the fulfillment, with every unit of the order.
    expect(succeeded).toHaveLength(2);
    expect(succeeded[1]?.path).toBe(`/admin/api/${SHOPIFY_API_VERSION}/graphql.json`);
    // The shipment's lines, as the fulfillment order's line items of the same Shopify line items.
    const order = sent.json as { lines: { lineId: string; channelLineId: string }[] };
    const expected = shipment.lines.map((l) => {
      const index = sample.line_items.findIndex((li) => li.id === order.lines.find((o) => o.lineId === l.lineId)?.channelLineId);
      return { id: `gid://shopify/FulfillmentOrderLineItem/${1058000000 + index}`, quantity: l.quantity };
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(succeeded[1]?.variables).toEqual({
      fulfillment: {
        lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: "gid://shopify/FulfillmentOrder/1046000001", fulfillmentOrderLineItems: expected }],
        trackingInfo: { company: shipment.carrierShipment?.carrier, number: tracking },
        notifyCustomer: true,
      },
    });
    expect([...fulfilled.values()].reduce((a, b) => a + b, 0)).toBe(shipment.lines.reduce((n, l) => n + l.quantity, 0));

    // The bus delivers the same event again (at-least-once): the order's log says it was sent, so Shopify hears nothing more.
    const [event] = await archivedEvents({ detailType: "ShipmentShipped", where: (d) => d.shipmentId === shipment.shipmentId });
    const before = calls.length;
    await new EventBridgeClient(aws).send(new PutEventsCommand({ Entries: [{ EventBusName: "oms-dev", Source: event?.source, DetailType: event?.["detail-type"], Detail: JSON.stringify(event?.detail) }] }));
    await quiesce();
    expect(calls.length).toBe(before);
  });

  it("stock changes reach Shopify coalesced: a burst of changes is one inventorySetQuantities with the latest level, per Shopify location", async () => {
    const channel = { type: "shopify", shopDomain: SHOP, apiEndpoint: endpointUrl, credentialsSecret: "oms/dev/channels/shop-sync", defaultCurrency: "USD", locale: "en-US", inventoryLocations: [{ channelLocationId: "905684977", locationIds: ["SYNC-US"] }] };
    expect((await operatorCall("PUT", "/channels/shop-sync", channel)).status).toBe(200);
    expect((await operatorCall("PUT", "/products/SYNC-STOCK-1", { name: "Synced stock", unitWeightGrams: 100, listings: [{ channelId: "shop-sync", variantId: "808950810", inventoryItemId: "808950811" }] })).status).toBeLessThan(300);
    await quiesce();
    const sets = () => calls.filter((c) => c.query.includes("inventorySetQuantities"));
    const adjust = (delta: number, key: string) => operatorCall("POST", "/inventory/adjustments", { adjustments: [{ sku: "SYNC-STOCK-1", locationId: "SYNC-US", delta, reason: delta > 0 ? "receipt" : "damage" }] }, { "idempotency-key": key });
    for (const [delta, key] of [[10, "stock-burst-1"], [5, "stock-burst-2"], [-3, "stock-burst-3"]] as const) expect((await adjust(delta, key)).status).toBe(200);
    await quiesce();
    // The changes wait in the queue's batching window (20 s of the local clock): nothing was sent yet.
    expect(sets()).toHaveLength(0);
    await admin("AdvanceClock", { milliseconds: 21_000 });
    await eventually(() => Promise.resolve(sets()), (s) => s.length > 0);
    await quiesce();
    expect(sets()).toHaveLength(1);
    expect(sets()[0]?.variables).toEqual({ input: { name: "available", reason: "correction", referenceDocumentUri: "oms://stock-sync", quantities: [{ inventoryItemId: "gid://shopify/InventoryItem/808950811", locationId: "gid://shopify/Location/905684977", quantity: 12, changeFromQuantity: null }] } });
    // A change that leaves the level where it was sends nothing.
    expect((await operatorCall("PUT", "/inventory/SYNC-STOCK-1/locations/SYNC-US", { safetyStock: 0, reorderPoint: 3 })).status).toBe(200);
    await admin("AdvanceClock", { milliseconds: 21_000 });
    await quiesce();
    expect(sets()).toHaveLength(1);
  });

  it("reconciliation: the schedule asks Shopify for orders updated since the cursor and imports the one whose webhook never came, once", async () => {
    const schedules = (await admin("ListSchedules")).schedules as { name: string }[];
    const name = schedules.find((x) => x.name.includes("ReconcileChannels"))?.name ?? "";
    expect(name).not.toBe("");
    await admin("FireSchedule", { name });
    await quiesce();
    const found = await eventually(() => operatorGet("/orders?channel=shop-sync&limit=100"), (r) => ((r.json.items ?? []) as { externalOrderId: string }[]).some((o) => o.externalOrderId === "450789490"));
    expect(((found.json.items ?? []) as { externalOrderId: string }[]).filter((o) => o.externalOrderId === "450789490")).toHaveLength(1);
    const first = new URL(listed.at(-1) ?? "", "http://x").searchParams;
    expect(first.get("status")).toBe("any");
    await admin("AdvanceClock", { milliseconds: 60_000 });
    await admin("FireSchedule", { name });
    await quiesce();
    // The next run asks from its cursor (less a 5-minute overlap), and the order listed again is the same order.
    const second = new URL(listed.at(-1) ?? "", "http://x").searchParams;
    expect(Date.parse(second.get("updated_at_min") ?? "")).toBeGreaterThan(Date.parse(first.get("updated_at_min") ?? ""));
    const again = await operatorGet("/orders?channel=shop-sync&limit=100");
    expect(((again.json.items ?? []) as { externalOrderId: string }[]).filter((o) => o.externalOrderId === "450789490")).toHaveLength(1);
  });
});
