import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AllocationRecord } from "../../domain/allocation.js";
import { writeIf } from "./client.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { AllocationStore } from "../../app/ports.js";

const recordOf = (item: Record<string, unknown>): AllocationRecord => {
  const { PK: _a, SK: _b, type: _t, version: _v, ...record } = item;
  return { round: 1, ...record } as unknown as AllocationRecord;
};

/** The allocation rounds of an order, beside the order in its partition (round 1 first). */
export class DynamoAllocationStore implements AllocationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The latest round. */
  async get(orderId: string): Promise<AllocationRecord | undefined> {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":p": keys.allocationPrefix }, ScanIndexForward: false, Limit: 1, ConsistentRead: true }),
    );
    return out.Items?.[0] ? recordOf(out.Items[0]) : undefined;
  }

  async all(orderId: string): Promise<AllocationRecord[]> {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":p": keys.allocationPrefix }, ConsistentRead: true }),
    );
    return (out.Items ?? []).map(recordOf);
  }

  async create(record: AllocationRecord): Promise<boolean> {
    return writeIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: this.itemOf(record), ConditionExpression: "attribute_not_exists(PK)" })));
  }

  async replace(record: AllocationRecord, previousPlanId: string): Promise<boolean> {
    return writeIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: this.itemOf(record), ConditionExpression: "planId = :p", ExpressionAttributeValues: { ":p": previousPlanId } })));
  }

  async discard(orderId: string, planId: string, round = 1): Promise<void> {
    await writeIf(this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.allocation(orderId, round), ConditionExpression: "planId = :p", ExpressionAttributeValues: { ":p": planId } })));
  }

  private itemOf(record: AllocationRecord) {
    return { ...keys.allocation(record.orderId, record.round), type: ITEM_TYPES.allocation, ...record, version: 1 };
  }
}
