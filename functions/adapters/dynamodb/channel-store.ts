import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { channelIdentity, type Channel, type ChannelInput } from "../../domain/channel.js";
import { ConflictError } from "../../domain/errors.js";
import type { ChannelDirectory } from "../../app/ports.js";
import { ITEM_TYPES, keys } from "./keys.js";
import { putNextVersion } from "./versioned-config.js";

/** A channel as stored: its kind as `channelType`, since every item's `type` names the item's own kind. */
type StoredChannel = Omit<Channel, "type"> & { channelType: Channel["type"] };

const EMPTY: StoredChannel = { channelId: "", channelType: "generic", active: false, defaultCurrency: "", locale: "", version: 0, updatedAt: "", updatedBy: "" };
/** How long a handled webhook delivery id is remembered (Shopify retries for 4 hours; WooCommerce never). */
const DELIVERY_RETENTION_SECONDS = 30 * 86_400;

const toChannel = ({ channelType, ...rest }: StoredChannel): Channel => ({ ...rest, type: channelType });
const fromItem = (item: Record<string, unknown>): Channel => {
  const { PK: _p, SK: _s, GSI1PK: _g, GSI1SK: _h, type: _t, ...rest } = item;
  return toChannel(rest as unknown as StoredChannel);
};
const contentOf = ({ channelId: _c, version: _v, updatedAt: _u, updatedBy: _b, ...content }: StoredChannel) => content;

/** Sales channels (versioned, every version kept), the shop identities that pick them, and the webhook deliveries they handled. */
export class DynamoChannelStore implements ChannelDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(channelId: string): Promise<Channel | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.channel(channelId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** The channel of a shop identity (a Shopify domain, a WooCommerce site, an Amazon seller id). */
  async byIdentity(type: Channel["type"], identity: string): Promise<Channel | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.channelIdentity(type, identity.toLowerCase()) }));
    const channelId = out.Item?.channelId as string | undefined;
    return channelId ? this.get(channelId) : undefined;
  }

  async list(): Promise<Channel[]> {
    const q = keys.channels();
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ TableName: this.tableName, IndexName: q.index, KeyConditionExpression: `${q.pk} = :pk`, ExpressionAttributeValues: { ":pk": q.value }, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    // The index holds the listing's keys; the records are read for their current content.
    return (await Promise.all(items.map((i) => this.get(String(i.GSI1SK))))).filter((c): c is Channel => c !== undefined);
  }

  /**
   * Stores the channel as its next version. Its shop identity is claimed in the same transaction,
   * so two channels can never answer for one shop; a changed identity gives up the old claim.
   */
  async put(channelId: string, input: ChannelInput, actor: string, at: string, expectedVersion?: number): Promise<{ channel: Channel; changed: boolean }> {
    const identity = channelIdentity(input);
    if (identity) {
      const owner = await this.byIdentity(input.type, identity);
      if (owner && owner.channelId !== channelId) throw new ConflictError(`${identity} already belongs to channel ${owner.channelId}`, { field: "identity", channelId: owner.channelId });
    }
    const { type, ...rest } = input;
    const doc = { subject: `Channel ${channelId}`, currentKey: keys.channel(channelId), versionKey: (v: number) => keys.channelVersion(channelId, v), types: { current: ITEM_TYPES.channel, version: ITEM_TYPES.channelVersion }, index: keys.channelIndex(channelId) };
    const current = async (): Promise<StoredChannel> => {
      const c = await this.get(channelId);
      if (!c) return EMPTY;
      const { type: channelType, ...r } = c;
      return { ...r, channelType };
    };
    const build = (version: number): StoredChannel => ({ ...rest, channelType: type, channelId, version, updatedAt: at, updatedBy: actor });
    const { value, changed } = await putNextVersion(this.db, this.tableName, doc, current, contentOf, build, expectedVersion, (next, now) => {
      const claims = [];
      const before = now.version > 0 ? channelIdentity({ ...now, type: now.channelType }) : undefined;
      if (identity)
        claims.push({ Put: { TableName: this.tableName, Item: { ...keys.channelIdentity(type, identity), type: ITEM_TYPES.channelIdentity, channelId }, ConditionExpression: "attribute_not_exists(PK) OR channelId = :id", ExpressionAttributeValues: { ":id": channelId } } });
      if (before && (before !== identity || now.channelType !== next.channelType)) claims.push({ Delete: { TableName: this.tableName, Key: keys.channelIdentity(now.channelType, before), ConditionExpression: "channelId = :id", ExpressionAttributeValues: { ":id": channelId } } });
      return claims;
    });
    return { channel: toChannel(value), changed };
  }

  /** Records a webhook delivery as handled; false when it had been (a redelivery). */
  async recordDelivery(channelId: string, deliveryId: string, detail: { topic: string; at: string; orderId?: string }): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.webhookDelivery(channelId, deliveryId), type: ITEM_TYPES.webhookDelivery, channelId, deliveryId, ...detail, expiresAt: Math.floor(Date.parse(detail.at) / 1000) + DELIVERY_RETENTION_SECONDS },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Whether a delivery was handled already. */
  async seenDelivery(channelId: string, deliveryId: string): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.webhookDelivery(channelId, deliveryId), ProjectionExpression: "PK" }));
    return out.Item !== undefined;
  }
}
