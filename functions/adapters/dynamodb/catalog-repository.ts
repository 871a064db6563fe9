import { BatchGetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
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
    await this.put({ ...keys.stock(stock.sku, stock.locationId), type: ITEM_TYPES.stock, ...stock, available, version: 1 });
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ReturnConsumedCapacity: "TOTAL" }));
  }
}
