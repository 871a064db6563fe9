import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { channelSample } from "../fixtures/channel-samples.js";
import { admin, cloud, dynamo, eventually, operatorCall, operatorGet, quiesce } from "./helpers.js";

// Payloads: amzn/selling-partner-api-models (Apache-2.0): the ORDER_CHANGE example of
// schemas/notifications/OrderChangeNotification.json and the getOrder / getOrderItems sandbox
// responses of models/orders-api-model/ordersV0.json, in ../shared/data/channels (see its README).
const aws = { endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const sqs = new SQSClient(aws);
const SELLER = "A3TH9S8BH6GOGM";
const TOKEN = "Atza|local-test-token";

/** A test double of Login with Amazon and Orders API v0, serving the published sandbox payloads under the ids asked for. */
const calls: string[] = [];
const failNext = new Map<string, number>();
/** Orders as Amazon gives them with a Restricted Data Token: the buyer's email and address. */
const withBuyer = new Set<string>();
let server: Server;
let queueUrl = "";
let deadLetterUrl = "";

function spApi(): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      calls.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
      };
      if (url.pathname === "/auth/o2/token") {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        if (form.get("grant_type") !== "refresh_token" || form.get("refresh_token") !== "Atzr|refresh" || form.get("client_id") !== "amzn1.application-oa2-client.test") return send(400, { error: "invalid_grant" });
        return send(200, { access_token: TOKEN, token_type: "bearer", expires_in: 3600 });
      }
      if (req.headers["x-amz-access-token"] !== TOKEN) return send(403, { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied." }] });
      const m = /^\/orders\/v0\/orders\/([^/]+)(\/orderItems)?$/.exec(url.pathname);
      if (!m) return send(404, { errors: [{ code: "NotFound" }] });
      const id = decodeURIComponent(m[1] ?? "");
      const left = failNext.get(id) ?? 0;
      if (left > 0) {
        failNext.set(id, left - 1);
        return send(503, { errors: [{ code: "ServiceUnavailable", message: "try again" }] });
      }
      const sample = channelSample(m[2] ? "amazon-getorderitems-1.json" : "amazon-getorder-1.json").replaceAll("902-1845936-5435065", id);
      if (m[2] || !withBuyer.has(id)) return send(200, sample);
      const doc = JSON.parse(sample) as { payload: Record<string, unknown> };
      Object.assign(doc.payload, { BuyerInfo: { BuyerEmail: "buyer@marketplace.amazon.com", BuyerName: "Jane Doe" }, ShippingAddress: { Name: "Jane Doe", AddressLine1: "1 Main St", City: "Seattle", StateOrRegion: "WA", PostalCode: "98101", CountryCode: "US" } });
      return send(200, doc);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** The published ORDER_CHANGE example, for another order and notification. */
function notification(amazonOrderId: string, notificationId: string, opts: { sellerId?: string; buyerCancel?: boolean } = {}): string {
  const doc = JSON.parse(channelSample("amazon-order-change-1.json")) as { Payload: { OrderChangeNotification: Record<string, unknown> & { Summary: { OrderItems: Record<string, unknown>[] } } }; NotificationMetadata: Record<string, unknown> };
  const n = doc.Payload.OrderChangeNotification;
  n.AmazonOrderId = amazonOrderId;
  n.SellerId = opts.sellerId ?? SELLER;
  n.OrderChangeType = opts.buyerCancel ? "BuyerRequestedChange" : "OrderStatusChange";
  n.Summary.OrderItems = n.Summary.OrderItems.map((i) => ({ ...i, OrderItemId: "05015851154158", IsBuyerRequestedCancel: opts.buyerCancel ? "true" : "false" }));
  doc.NotificationMetadata.NotificationId = notificationId;
  return JSON.stringify(doc);
}

const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
const orderFor = (amazonOrderId: string) =>
  eventually(
    () => operatorGet(`/orders?channel=amazon-us&limit=100`),
    (r) => ((r.json.items ?? []) as { externalOrderId: string }[]).some((o) => o.externalOrderId === amazonOrderId),
    20_000,
  ).then((r) => ((r.json.items ?? []) as { externalOrderId: string; orderId: string }[]).filter((o) => o.externalOrderId === amazonOrderId));
const visibilityTimeoutMs = 180_000;

beforeAll(async () => {
  const endpoint = await spApi();
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  await catalog.putLocation({ locationId: "AMZ-SEA", name: "Amazon MFN warehouse", kind: "warehouse", country: "US", lat: 47.61, lon: -122.33, capabilities: ["ship"], dailyCapacity: 1000, handlingCost: { amount: 100, currency: "USD" }, priority: 1, active: true, groups: ["amazon-test"] });
  await catalog.putSku({ sku: "NABetaASINB00551Q3CS", name: "Card Book", unitWeightGrams: 300, active: true });
  await catalog.putStock({ sku: "NABetaASINB00551Q3CS", locationId: "AMZ-SEA", onHand: 50, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  const sm = new SecretsManagerClient(aws);
  await sm.send(new CreateSecretCommand({ Name: "oms/dev/channels/amazon-us", SecretString: JSON.stringify({ clientId: "amzn1.application-oa2-client.test", clientSecret: "s3cret", refreshToken: "Atzr|refresh", tokenUrl: `${endpoint}/auth/o2/token` }) }));
  const put = await operatorCall("PUT", "/channels/amazon-us", { type: "amazon", sellerId: SELLER, marketplaceIds: ["ATVPDKIKX0DER"], apiEndpoint: endpoint, credentialsSecret: "oms/dev/channels/amazon-us", defaultCurrency: "USD", locale: "en-US" });
  expect(put.status).toBe(200);
  const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
  queueUrl = urls.find((u) => /AmazonNotifications(?!DeadLetters)/.test(u)) ?? "";
  deadLetterUrl = urls.find((u) => /AmazonNotificationsDeadLetters/.test(u)) ?? "";
  expect(queueUrl).toMatch(/\/Oms-dev-Stateless-AmazonNotifications[0-9A-F]+$/);
  expect(deadLetterUrl).toMatch(/\/Oms-dev-Stateless-AmazonNotificationsDeadLetters[0-9A-F]+$/);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("Amazon SP-API notifications on the queue", () => {
  it("a channel's credentials secret must be one the functions may read", async () => {
    const r = await operatorCall("PUT", "/channels/amazon-bad", { type: "amazon", sellerId: "A1SELLER0000", marketplaceIds: ["ATVPDKIKX0DER"], credentialsSecret: "prod/other-team/secret", defaultCurrency: "USD", locale: "en-US" });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain("credentialsSecret");
  });

  it("ORDER_CHANGE imports the order read from SP-API (held without the buyer's data), once: a redelivery fetches nothing", async () => {
    calls.length = 0;
    await send(notification("111-0000001-0000001", "notif-1"));
    const [order] = await orderFor("111-0000001-0000001");
    const view = await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => o.json.status === "ON_HOLD");
    expect(JSON.stringify(view.json)).toContain("no buyer email");
    expect(view.json).toMatchObject({ channel: "amazon-us", totals: { grandTotal: { amount: 1101, currency: "USD" } } });
    expect(calls).toEqual(["POST /auth/o2/token", "GET /orders/v0/orders/111-0000001-0000001", "GET /orders/v0/orders/111-0000001-0000001/orderItems"]);
    await send(notification("111-0000001-0000001", "notif-1"));
    await quiesce();
    expect(calls).toHaveLength(3);
    expect(await orderFor("111-0000001-0000001")).toHaveLength(1);
  });

  it("with the buyer's data the order is allocated; a buyer's cancellation request then cancels it", async () => {
    withBuyer.add("111-0000002-0000002");
    await send(notification("111-0000002-0000002", "notif-2"));
    const [order] = await orderFor("111-0000002-0000002");
    await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => o.json.status === "ALLOCATED", 30_000);
    await send(notification("111-0000002-0000002", "notif-3", { buyerCancel: true }));
    const cancelled = await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => o.json.status === "CANCELLED", 30_000);
    expect(JSON.stringify(cancelled.json.statusHistory)).toContain("the buyer asked Amazon to cancel");
  });

  it("SP-API unavailable: the message comes back after its visibility timeout and then imports", async () => {
    failNext.set("111-0000003-0000003", 1);
    await send(notification("111-0000003-0000003", "notif-4"));
    await quiesce();
    const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }))).Attributes;
    expect(attrs?.ApproximateNumberOfMessagesNotVisible).toBe("1");
    await admin("AdvanceClock", { milliseconds: visibilityTimeoutMs + 1000 });
    expect(await orderFor("111-0000003-0000003")).toHaveLength(1);
  });

  it("a notification that keeps failing (an unknown seller) moves to the dead-letter queue after five receives", async () => {
    const body = notification("111-0000004-0000004", "notif-5", { sellerId: "AUNKNOWNSELLER1" });
    await send(body);
    for (let i = 0; i < 6; i++) {
      await quiesce();
      await admin("AdvanceClock", { milliseconds: visibilityTimeoutMs + 1000 });
    }
    await quiesce();
    const dead = await eventually(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10 })), (r) => (r.Messages ?? []).some((m) => m.Body === body));
    expect(dead.Messages?.filter((m) => m.Body === body)).toHaveLength(1);
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }))).Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });
});
