import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Location, Sku, Stock } from "../../domain/catalog.js";
import type { FieldIssue } from "../../domain/errors.js";
import { batchGetAll } from "./client.js";
import { ITEM_TYPES, keys, type Key } from "./keys.js";
import type { Catalog } from "../../app/ports.js";

/** SKUs, locations and stock levels in the single table. */
export class DynamoCatalog implements Catalog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async unsellable(skus: string[]): Promise<FieldIssue[]> {
    // Eventually consistent: the catalog changes rarely, and this runs once per order.
    const items = await batchGetAll(this.db, this.tableName, skus.map(keys.sku), { consistent: false, projection: "sku, active" });
    const found = new Map(items.map((item) => [item.sku as string, item.active === true]));
    return skus.flatMap((sku) =>
      !found.has(sku)
        ? [{ path: sku, message: "is not in the catalog" }]
        : found.get(sku) === false
          ? [{ path: sku, message: "is not sellable (inactive)" }]
          : [],
    );
  }

  /** The SKUs among `skus` that exist, with their weights. */
  async getSkus(skus: string[]): Promise<Sku[]> {
    const items = await batchGetAll(this.db, this.tableName, [...new Set(skus)].map(keys.sku), { consistent: false });
    return items.map(({ PK: _a, SK: _b, type: _t, version: _v, ...rest }) => rest as unknown as Sku);
  }

  async putSku(sku: Sku): Promise<void> {
    await this.put({ ...keys.sku(sku.sku), ...keys.productIndex(sku.sku, sku.active), type: ITEM_TYPES.sku, ...sku, version: 1 });
  }

  /** Counts a shipment released to the location on the day (UTC); kept 7 days. */
  async countRelease(locationId: string, day: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.locationUsage(locationId, day),
        UpdateExpression: "ADD released :one, version :one SET #t = :type, expiresAt = :ttl",
        ExpressionAttributeNames: { "#t": "type" },
        ExpressionAttributeValues: { ":one": 1, ":type": ITEM_TYPES.locationUsage, ":ttl": Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 7 * 86_400 },
      }),
    );
  }

  /** Shipments released on the day to each of the locations (those with none are absent). */
  async releasedOn(day: string, locationIds: string[]): Promise<Map<string, number>> {
    if (locationIds.length === 0) return new Map();
    const items = await batchGetAll(this.db, this.tableName, locationIds.map((id) => keys.locationUsage(id, day)), { consistent: false, projection: "PK, released" });
    return new Map(items.map((i) => [String(i.PK).slice("LOCATION#".length), Number(i.released)]));
  }

  async putLocation(location: Location): Promise<void> {
    await this.put({ ...keys.location(location.locationId), type: ITEM_TYPES.location, ...location, version: 1 });
  }

  async putStock(stock: Stock): Promise<void> {
    // `available` (on hand − reserved − safety stock) is kept on the item: DynamoDB conditions cannot do arithmetic.
    const available = stock.onHand - stock.reserved - stock.safetyStock;
    await this.put({ ...keys.stock(stock.sku, stock.locationId), ...keys.stockIndex(stock.sku, stock.locationId), type: ITEM_TYPES.stock, ...stock, available, version: 1 });
  }

  async getLocation(locationId: string): Promise<Location | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: keys.location(locationId).PK, SK: keys.location(locationId).SK }, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
    return out.Item ? toLocation(out.Item) : undefined;
  }

  /** Every location (a handful to a few thousand: one index query, then the items). */
  async listLocations(): Promise<Location[]> {
    const target = keys.locations();
    const ks: Key[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, IndexName: target.index, KeyConditionExpression: "#pk = :pk", ExpressionAttributeNames: { "#pk": target.pk }, ExpressionAttributeValues: { ":pk": target.value }, ExclusiveStartKey: start, ReturnConsumedCapacity: "TOTAL" }),
      );
      ks.push(...(page.Items ?? []).map((i) => ({ PK: String(i.PK), SK: String(i.SK) })));
      start = page.LastEvaluatedKey;
    } while (start);
    return (await batchGetAll(this.db, this.tableName, ks)).map(toLocation).sort((a, b) => a.locationId.localeCompare(b.locationId));
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ReturnConsumedCapacity: "TOTAL" }));
  }
}

function toLocation(item: Record<string, unknown>): Location {
  const { PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, type: _t, version: _v, ...rest } = item;
  return rest as unknown as Location;
}
