import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import type { StockEffect } from "../../domain/return.js";
import type { ReturnStock } from "../../app/ports.js";
import { cancellation, getItems, HOT_RECORD, keyOf, TRANSACTION_LIMIT, type StoredStock, type TransactItem } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";

/**
 * Returned units into stock, exactly once: restocked units onto on hand (and available), the
 * rest onto the unsellable count ATP never promises, each journaled under an id derived from the
 * effect (`<returnId>.i<n>.<k>`). The journal entries are written only if absent, in the same
 * transaction as the stock: a retry, a redelivered callback or a crash-and-resume finds them and
 * changes nothing.
 */
export class DynamoReturnStock implements ReturnStock {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(effect: StockEffect, actor: string, at: string): Promise<"applied" | "already"> {
    if (effect.items.length * 2 > TRANSACTION_LIMIT) throw new RangeError(`A return effect holds at most ${TRANSACTION_LIMIT / 2} SKUs`);
    const journalKey = (k: number) => keys.adjustment(effect.items[k]!.sku, effect.locationId, `${effect.id}.${k + 1}`);
    return withOptimisticRetry(`Return stock ${effect.id}`, async () => {
      const stockKeys = effect.items.map((i) => keys.stock(i.sku, effect.locationId));
      const stocks = await getItems(this.db, this.tableName, stockKeys);
      const items: TransactItem[] = effect.items.flatMap((i, k) => {
        const stored = stocks.get(keyOf(stockKeys[k]!)) as unknown as StoredStock | undefined;
        const before = { onHand: stored?.onHand ?? 0, available: stored?.available ?? 0 };
        const after = { onHand: before.onHand + i.restock, available: before.available + i.restock };
        const values = { ":d": i.restock, ":u": i.unsellable, ":one": 1, ":now": at, ":zero": 0 };
        return [
          {
            Update: {
              TableName: this.tableName,
              Key: stockKeys[k]!,
              UpdateExpression: stored
                ? "SET onHand = onHand + :d, available = available + :d, unsellable = if_not_exists(unsellable, :zero) + :u, version = version + :one, updatedAt = :now"
                : "SET onHand = :d, available = :d, unsellable = :u, reserved = :zero, safetyStock = :zero, reorderPoint = :zero, sku = :sku, locationId = :loc, #t = :type, GSI1PK = :g1pk, GSI1SK = :sku, version = :one, updatedAt = :now",
              ConditionExpression: stored ? "version = :v" : "attribute_not_exists(PK)",
              ExpressionAttributeValues: stored ? { ...values, ":v": stored.version } : { ...values, ":sku": i.sku, ":loc": effect.locationId, ":type": ITEM_TYPES.stock, ":g1pk": keys.stockIndex(i.sku, effect.locationId).GSI1PK },
              ...(stored ? {} : { ExpressionAttributeNames: { "#t": "type" } }),
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...journalKey(k), type: ITEM_TYPES.adjustment, journalId: `${effect.id}.${k + 1}`, sku: i.sku, locationId: effect.locationId, reason: i.restock > 0 ? "return" : "return-unsellable", actor, at, delta: i.restock, unsellable: i.unsellable, before, after, reference: effect.id, version: 1 },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
        ];
      });
      try {
        await this.db.send(new TransactWriteCommand({ ReturnConsumedCapacity: "TOTAL", TransactItems: items }));
        return "applied";
      } catch (error) {
        if (!cancellation(error)) throw error;
        const done = await this.db.send(new GetCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: journalKey(0), ConsistentRead: true }));
        return done.Item ? "already" : AGAIN;
      }
    }, HOT_RECORD);
  }
}
