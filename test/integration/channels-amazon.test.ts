import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { FakeSpApi } from "../../local/fakes/sp-api.js";
import { channelSample } from "../fixtures/channel-samples.js";
import { admin, cloud, dynamo, eventually, operatorCall, operatorGet, quiesce, releasedToLocations, shipIt } from "./helpers.js";

// Payloads: amzn/selling-partner-api-models (Apache-2.0): the ORDER_CHANGE example of
// schemas/notifications/OrderChangeNotification.json and the getOrder / getOrderItems sandbox
// responses of models/orders-api-model/ordersV0.json, in ../shared/data/channels (see its README).
const aws = { endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const sqs = new SQSClient(aws);
const SELLER = "A3TH9S8BH6GOGM";

/** SP-API and Login with Amazon: local/fakes/sp-api.ts, holding the published sandbox order under the ids a test names. */
const spApi = new FakeSpApi({ sellerId: SELLER, clientId: "amzn1.application-oa2-client.test", clientSecret: "s3cret", refreshToken: "Atzr|refresh" });
const calls = () => spApi.calls.map((c) => `${c.method} ${c.path}`);
let queueUrl = "";
let deadLetterUrl = "";

/** The sandbox getOrder / getOrderItems payloads as Amazon's order `id`; `withBuyer`: as a Restricted Data Token gives it, with the buyer's email and address. */
function amazonOrder(id: string, withBuyer = false): void {
  const order = (JSON.parse(channelSample("amazon-getorder-1.json").replaceAll("902-1845936-5435065", id)) as { payload: Record<string, unknown> }).payload;
  const items = (JSON.parse(channelSample("amazon-getorderitems-1.json").replaceAll("902-1845936-5435065", id)) as { payload: { OrderItems: Record<string, unknown>[] } }).payload.OrderItems;
  if (withBuyer) Object.assign(order, { BuyerInfo: { BuyerEmail: "buyer@marketplace.amazon.com", BuyerName: "Jane Doe" }, ShippingAddress: { Name: "Jane Doe", AddressLine1: "1 Main St", City: "Seattle", StateOrRegion: "WA", PostalCode: "98101", CountryCode: "US" } });
  spApi.addOrder(order, items);
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
  const endpoint = await spApi.start();
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

afterAll(() => spApi.stop());

describe("Amazon SP-API notifications on the queue", () => {
  it("a channel's credentials secret must be one the functions may read", async () => {
    const r = await operatorCall("PUT", "/channels/amazon-bad", { type: "amazon", sellerId: "A1SELLER0000", marketplaceIds: ["ATVPDKIKX0DER"], credentialsSecret: "prod/other-team/secret", defaultCurrency: "USD", locale: "en-US" });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain("credentialsSecret");
  });

  it("ORDER_CHANGE imports the order read from SP-API (held without the buyer's data), once: a redelivery fetches nothing", async () => {
    amazonOrder("111-0000001-0000001");
    await send(notification("111-0000001-0000001", "notif-1"));
    const [order] = await orderFor("111-0000001-0000001");
    const view = await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => o.json.status === "ON_HOLD");
    expect(JSON.stringify(view.json)).toContain("no buyer email");
    expect(view.json).toMatchObject({ channel: "amazon-us", totals: { grandTotal: { amount: 1101, currency: "USD" } } });
    expect(calls()).toEqual(["POST /auth/o2/token", "GET /orders/v0/orders/111-0000001-0000001", "GET /orders/v0/orders/111-0000001-0000001/orderItems"]);
    await send(notification("111-0000001-0000001", "notif-1"));
    await quiesce();
    expect(calls()).toHaveLength(3);
    expect(await orderFor("111-0000001-0000001")).toHaveLength(1);
  });

  it("with the buyer's data the order is allocated; a buyer's cancellation request then cancels it", async () => {
    amazonOrder("111-0000002-0000002", true);
    await send(notification("111-0000002-0000002", "notif-2"));
    const [order] = await orderFor("111-0000002-0000002");
    await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => o.json.status === "ALLOCATED", 30_000);
    await send(notification("111-0000002-0000002", "notif-3", { buyerCancel: true }));
    const cancelled = await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => o.json.status === "CANCELLED", 30_000);
    expect(JSON.stringify(cancelled.json.statusHistory)).toContain("the buyer asked Amazon to cancel");
  });

  it("an order that ships is confirmed to Amazon (confirmShipment) with our carrier, tracking and Amazon's order item ids, once", async () => {
    amazonOrder("111-0000005-0000005", true);
    await send(notification("111-0000005-0000005", "notif-6"));
    const [order] = await orderFor("111-0000005-0000005");
    const released = await releasedToLocations(order?.orderId ?? "");
    const shipment = await shipIt(order?.orderId ?? "", released.shipments[0]?.shipmentId ?? "");
    const view = await eventually(() => operatorGet(`/orders/${order?.orderId}`), (o) => JSON.stringify(o.json.channelSync ?? []).includes("SENT"));
    expect(view.json.channelSync).toEqual([expect.objectContaining({ call: "confirmShipment", status: "SENT", remoteIds: [shipment.shipmentId] })]);
    expect(spApi.shipments.get("111-0000005-0000005")).toEqual([expect.objectContaining({ packageReferenceId: shipment.shipmentId, carrierCode: shipment.carrierShipment?.carrier, trackingNumber: shipment.carrierShipment?.trackingNumber, orderItems: [{ orderItemId: "05015851154158", quantity: 1 }] })]);
    expect(spApi.callsOf("confirmShipment")).toHaveLength(1);
  });

  it("SP-API unavailable: the message comes back after its visibility timeout and then imports", async () => {
    amazonOrder("111-0000003-0000003");
    spApi.failNext("getOrder", 1, 503, { errors: [{ code: "ServiceUnavailable", message: "try again" }] });
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
