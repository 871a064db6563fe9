import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { PaymentStore } from "../../app/authorize-payment.js";
import type { CaptureStore } from "../../app/fulfilment.js";
import type { CaptureRecord, PaymentRecord } from "../../domain/payment.js";
import { isConditionFailed } from "./client.js";
import { ITEM_TYPES, keys } from "./keys.js";

/** One payment item per order, beside the order in its partition. */
export class DynamoPaymentStore implements PaymentStore, CaptureStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<PaymentRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.payment(orderId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { PK: _a, SK: _b, type: _t, version: _v, ...record } = out.Item;
    return record as unknown as PaymentRecord;
  }

  async getVersioned(orderId: string): Promise<{ record: PaymentRecord; version: number } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.payment(orderId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { PK: _a, SK: _b, type: _t, version, ...record } = out.Item;
    return { record: record as unknown as PaymentRecord, version: Number(version) };
  }

  async planCapture(orderId: string, shipmentId: string, capture: CaptureRecord, expectedVersion: number): Promise<boolean> {
    const current = await this.getVersioned(orderId);
    if (!current || current.version !== expectedVersion) return false;
    return this.conditional(orderId, "SET captures = :c, version = :next", { ":c": { ...(current.record.captures ?? {}), [shipmentId]: capture } }, expectedVersion);
  }

  async completeCapture(orderId: string, shipmentId: string, done: { captureId: string; at: string }, captured: PaymentRecord["captured"], status: PaymentRecord["status"], expectedVersion: number): Promise<boolean> {
    const current = await this.getVersioned(orderId);
    const planned = current?.record.captures?.[shipmentId];
    if (!current || !planned || current.version !== expectedVersion) return false;
    return this.conditional(orderId, "SET captures = :c, captured = :total, #s = :s, version = :next", { ":c": { ...current.record.captures, [shipmentId]: { ...planned, ...done } }, ":total": captured, ":s": status }, expectedVersion, { "#s": "status" });
  }

  private async conditional(orderId: string, update: string, values: Record<string, unknown>, expectedVersion: number, names?: Record<string, string>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: keys.payment(orderId), UpdateExpression: update, ConditionExpression: "version = :v", ExpressionAttributeValues: { ...values, ":v": expectedVersion, ":next": expectedVersion + 1 }, ...(names ? { ExpressionAttributeNames: names } : {}) }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async save(record: PaymentRecord): Promise<PaymentRecord> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.payment(record.orderId), type: ITEM_TYPES.payment, ...record, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" }));
      return record;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.get(record.orderId))!;
    }
  }

  async markVoided(orderId: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({ TableName: this.tableName, Key: keys.payment(orderId), UpdateExpression: "SET #s = :v, voidedAt = :at, version = version + :one", ConditionExpression: "#s = :a", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":v": "VOIDED", ":a": "AUTHORIZED", ":at": at, ":one": 1 } }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}
