import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ChannelSyncEntry, ChannelSyncLog } from "../../app/ports.js";
import { ITEM_TYPES, keys } from "./keys.js";

const entryOf = (item: Record<string, unknown>): ChannelSyncEntry => {
  const { PK: _pk, SK: _sk, type: _t, version: _v, orderId: _o, ...entry } = item;
  return entry as unknown as ChannelSyncEntry;
};

/** The order's outbound channel calls, one item per subject under the order (its latest attempt). */
export class DynamoChannelSyncLog implements ChannelSyncLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string, key: string): Promise<ChannelSyncEntry | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.channelSync(orderId, key), ConsistentRead: true }));
    return out.Item ? entryOf(out.Item) : undefined;
  }

  async put(orderId: string, entry: ChannelSyncEntry): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.channelSync(orderId, entry.key), type: ITEM_TYPES.channelSync, orderId, ...entry, version: entry.attempts } }));
  }

  async ofOrder(orderId: string): Promise<ChannelSyncEntry[]> {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :sk)", ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":sk": keys.channelSyncPrefix } }),
    );
    return (out.Items ?? []).map(entryOf);
  }
}
