import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ChannelStockLevels, ReconcileCursors } from "../../app/ports.js";
import { ITEM_TYPES, keys } from "./keys.js";

/** The stock levels last sent to each channel, one item per (channel, SKU). */
export class DynamoChannelStockLevels implements ChannelStockLevels {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(channelId: string, sku: string): Promise<Record<string, number>> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.channelStock(channelId, sku), ConsistentRead: true }));
    return (out.Item?.levels as Record<string, number> | undefined) ?? {};
  }

  async put(channelId: string, sku: string, levels: Record<string, number>, at: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.channelStock(channelId, sku), type: ITEM_TYPES.channelStock, channelId, sku, levels, sentAt: at, version: 1 } }));
  }
}

/** Each channel's reconciliation cursor, with what its last run saw. */
export class DynamoReconcileCursors implements ReconcileCursors {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(channelId: string): Promise<{ cursor: string } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.reconcileCursor(channelId), ConsistentRead: true }));
    return typeof out.Item?.cursor === "string" ? { cursor: out.Item.cursor } : undefined;
  }

  async put(channelId: string, state: { cursor: string; ranAt: string; seen: number; outcomes: Record<string, number>; error?: string }): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.reconcileCursor(channelId), type: ITEM_TYPES.reconcileCursor, channelId, ...state, version: 1 } }));
  }
}
