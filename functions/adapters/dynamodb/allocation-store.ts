import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AllocationStore } from "../../app/reserve-and-route.js";
import type { AllocationRecord } from "../../domain/allocation.js";
import { isConditionFailed } from "./client.js";
import { ITEM_TYPES, keys } from "./keys.js";

/** One allocation item per order, beside the order in its partition. */
export class DynamoAllocationStore implements AllocationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<AllocationRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.allocation(orderId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { PK: _a, SK: _b, type: _t, version: _v, ...record } = out.Item;
    return record as unknown as AllocationRecord;
  }

  async create(record: AllocationRecord): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.allocation(record.orderId), type: ITEM_TYPES.allocation, ...record, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async discard(orderId: string, planId: string): Promise<void> {
    try {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.allocation(orderId), ConditionExpression: "planId = :p", ExpressionAttributeValues: { ":p": planId } }));
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}
