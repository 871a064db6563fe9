import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { DynamoNotificationOutbox } from "../../functions/adapters/dynamodb/notification-outbox.js";
import { DynamoOrderRepository } from "../../functions/adapters/dynamodb/order-repository.js";
import { ValidationError } from "../../functions/domain/errors.js";
import { createOrder } from "../../functions/domain/order.js";
import { channelOrder } from "../fixtures/orders.js";

const ddb = mockClient(DynamoDBDocumentClient);
const db = documentClient(new DynamoDBClient({ region: "us-east-1" }));
const repo = new DynamoOrderRepository(db, "oms");
const order = createOrder(channelOrder({ externalOrderId: "E-9" }), "01JQ", "2026-11-22T10:00:00.000Z");

beforeEach(() => ddb.reset());

describe("DynamoOrderRepository", () => {
  it("writes the dedupe key, the header and one item per line in one conditional transaction", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await repo.create(order, "hash-1")).toEqual({ created: true });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i): unknown[] => [i.Put?.Item?.PK, i.Put?.Item?.SK, i.Put?.ConditionExpression])).toEqual([
      ["CHANNEL#generic#EXT#E-9", "CHANNEL_ORDER", "attribute_not_exists(PK)"],
      ["ORDER#01JQ", "ORDER", "attribute_not_exists(PK)"],
      ["ORDER#01JQ", "ORDER#LINE#001", undefined],
      ["ORDER#01JQ", "ORDER#LINE#002", undefined],
    ]);
    expect(items[1]?.Put?.Item).toMatchObject({ GSI1PK: "ORDERS#CHANNEL#generic", GSI2PK: "ORDERS#STATUS#RECEIVED", GSI3PK: "ORDERS", type: "Order", version: 1 });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, { ReturnConsumedCapacity: "TOTAL" });
  });

  it("reports the existing order when the dedupe condition fails", async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: "cancelled", $metadata: {}, CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }] }),
    );
    ddb.on(GetCommand).resolves({ Item: { orderId: "01JOLD", payloadHash: "hash-0" } });
    expect(await repo.create(order, "hash-1")).toEqual({ created: false, existingOrderId: "01JOLD", existingPayloadHash: "hash-0" });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: "CHANNEL#generic#EXT#E-9", SK: "CHANNEL_ORDER" }, ConsistentRead: true });
  });

  it("rethrows a transaction failure that is not the dedupe condition", async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: "cancelled", $metadata: {}, CancellationReasons: [{ Code: "None" }, { Code: "ThrottlingError" }] }),
    );
    await expect(repo.create(order, "h")).rejects.toThrow("cancelled");
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it("saves a header only at the expected version", async () => {
    ddb.on(PutCommand).rejectsOnce(new ConditionalCheckFailedException({ message: "no", $metadata: {} })).resolves({});
    expect(await repo.saveHeader(order, 1)).toBe(false);
    expect(await repo.saveHeader(order, 1)).toBe(true);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: "version = :expected", ExpressionAttributeValues: { ":expected": 1 } });
  });

  it("reassembles an order from its header and line items", async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { PK: "ORDER#01JQ", SK: "ORDER", type: "Order", GSI1PK: "x", ...order, lines: undefined },
        ...order.lines.map((l) => ({ PK: "ORDER#01JQ", SK: `ORDER#LINE#${l.lineId}`, type: "OrderLine", orderId: "01JQ", version: 1, ...l })),
      ],
    });
    expect(await repo.get("01JQ")).toEqual(order);
  });

  it("lists by status and channel, keeps reading past filtered-out pages, and returns an opaque cursor", async () => {
    const row = { orderId: "01JQ", status: "CONFIRMED", channel: "generic", externalOrderId: "E", placedAt: "p", createdAt: "c", updatedAt: "u", grandTotal: { amount: 1, currency: "EUR" }, itemCount: 1 };
    ddb.on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: { PK: "a", SK: "b", GSI2PK: "c", GSI2SK: "d" } })
      .resolvesOnce({ Items: [row], LastEvaluatedKey: { PK: "e", SK: "f", GSI2PK: "g", GSI2SK: "h" } });
    const page = await repo.list({ status: "CONFIRMED", channel: "generic", limit: 1 });
    expect(page.items).toEqual([row]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: "GSI2", FilterExpression: "channel = :channel", ScanIndexForward: false });
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    await repo.list({ status: "CONFIRMED", limit: 5, cursor: page.cursor });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { ExclusiveStartKey: { PK: "e", SK: "f", GSI2PK: "g", GSI2SK: "h" } });
  });

  it("refuses cursors it did not issue", async () => {
    await expect(repo.list({ limit: 5, cursor: "garbage" })).rejects.toBeInstanceOf(ValidationError);
    const forged = Buffer.from(JSON.stringify({ i: "GSI3", k: { PK: { S: "x" } } })).toString("base64url");
    await expect(repo.list({ limit: 5, cursor: forged })).rejects.toBeInstanceOf(ValidationError);
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });
});

describe("DynamoNotificationOutbox", () => {
  it("puts each notification once and counts duplicates as not recorded", async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ message: "dup", $metadata: {} }));
    const outbox = new DynamoNotificationOutbox(db, "oms");
    const n = await outbox.record("01JQ", "01JQ.OrderConfirmed", [
      { channel: "email", template: "order-confirmed", recipient: "a@b.co", text: "hi" },
      { channel: "sms", template: "order-confirmed-sms", recipient: "+49151", text: "hi" },
    ], "t");
    expect(n).toBe(1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ PK: "ORDER#01JQ", SK: "NOTIFICATION#01JQ.OrderConfirmed#email#order-confirmed", status: "PENDING" }) as Record<string, unknown>,
      ConditionExpression: "attribute_not_exists(PK)",
    });
  });
});
