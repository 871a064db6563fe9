import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ITEM_TYPES, keys } from "./keys.js";
import type { HoldStore } from "../../app/ports.js";

/** The task token of a held order, beside the order. */
export class DynamoHoldStore implements HoldStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getToken(orderId: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.hold(orderId), ConsistentRead: true }));
    return out.Item?.token as string | undefined;
  }

  async putToken(orderId: string, token: string, at: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.hold(orderId), type: ITEM_TYPES.hold, orderId, token, at, version: 1 } }));
  }
}
