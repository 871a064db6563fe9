import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { PaymentRecord } from "../../domain/payment.js";
import { isConditionFailed, writeIf } from "./client.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { CaptureStore, PaymentStore, RefundStore } from "../../app/ports.js";

/** One payment item per order, beside the order in its partition. */
export class DynamoPaymentStore implements PaymentStore, CaptureStore, RefundStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<PaymentRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.payment(orderId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
    if (!out.Item) return undefined;
    const { PK: _a, SK: _b, type: _t, version: _v, ...record } = out.Item;
    return record as unknown as PaymentRecord;
  }

  async getVersioned(orderId: string): Promise<{ record: PaymentRecord; version: number } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.payment(orderId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
    if (!out.Item) return undefined;
    const { PK: _a, SK: _b, type: _t, version, ...record } = out.Item;
    return { record: record as unknown as PaymentRecord, version: Number(version) };
  }

  async writeCaptures(orderId: string, update: Pick<PaymentRecord, "captures"> & Partial<Pick<PaymentRecord, "captured" | "status">>, expectedVersion: number): Promise<boolean> {
    return this.update(orderId, update, expectedVersion);
  }

  async writeRefunds(orderId: string, update: Pick<PaymentRecord, "refunds"> & Partial<Pick<PaymentRecord, "refunded">>, expectedVersion: number): Promise<boolean> {
    return this.update(orderId, update, expectedVersion);
  }

  /** Sets the given fields if the record is still at `expectedVersion`; false when it changed first. */
  async update(orderId: string, patch: Partial<Omit<PaymentRecord, "orderId">>, expectedVersion: number): Promise<boolean> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    const names = Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k]));
    const values = Object.fromEntries(entries.map(([, v], i) => [`:f${i}`, v]));
    return writeIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          ReturnConsumedCapacity: "TOTAL",
          Key: keys.payment(orderId),
          UpdateExpression: `SET ${[...entries.map((_, i) => `#f${i} = :f${i}`), "version = :next"].join(", ")}`,
          ConditionExpression: "version = :v",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ":v": expectedVersion, ":next": expectedVersion + 1 },
        }),
      ),
    );
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
