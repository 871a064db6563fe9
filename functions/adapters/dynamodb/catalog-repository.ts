import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Location, Sku, Stock } from "../../domain/catalog.js";
import type { FieldIssue } from "../../domain/errors.js";
import type { Catalog } from "../../domain/ports.js";
import { ITEM_TYPES, keys, type Key } from "./keys.js";

const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SKUs, locations and stock levels in the single table. */
export class DynamoCatalog implements Catalog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async unsellable(skus: string[]): Promise<FieldIssue[]> {
    const found = new Map<string, boolean>();
    for (let i = 0; i < skus.length; i += BATCH_GET_LIMIT) {
      let pending: Key[] | undefined = skus.slice(i, i + BATCH_GET_LIMIT).map(keys.sku);
      for (let round = 0; pending?.length; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error("DynamoDB kept returning unprocessed keys for the SKU lookup");
        if (round > 0) await pause(25 * 2 ** round);
        const out = await this.db.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ProjectionExpression: "sku, active" } },
            ReturnConsumedCapacity: "TOTAL",
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(item.sku as string, item.active === true);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys as Key[] | undefined;
      }
    }
    return skus.flatMap((sku) =>
      !found.has(sku)
        ? [{ path: sku, message: "is not in the catalog" }]
        : found.get(sku) === false
          ? [{ path: sku, message: "is not sellable (inactive)" }]
          : [],
    );
  }

  async putSku(sku: Sku): Promise<void> {
    await this.put({ ...keys.sku(sku.sku), type: ITEM_TYPES.sku, ...sku, version: 1 });
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
    return (await this.batchGet(ks)).map(toLocation).sort((a, b) => a.locationId.localeCompare(b.locationId));
  }

  /** Items by key, consistently read, in no particular order. */
  async batchGet(ks: Key[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < ks.length; i += BATCH_GET_LIMIT) {
      let pending: Key[] | undefined = ks.slice(i, i + BATCH_GET_LIMIT);
      for (let round = 0; pending?.length; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error("DynamoDB kept returning unprocessed keys");
        if (round > 0) await pause(25 * 2 ** round);
        const res = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } }, ReturnConsumedCapacity: "TOTAL" }));
        out.push(...(res.Responses?.[this.tableName] ?? []));
        pending = res.UnprocessedKeys?.[this.tableName]?.Keys as Key[] | undefined;
      }
    }
    return out;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ReturnConsumedCapacity: "TOTAL" }));
  }
}

function toLocation(item: Record<string, unknown>): Location {
  const { PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, type: _t, version: _v, ...rest } = item;
  return rest as unknown as Location;
}
