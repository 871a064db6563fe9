import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import type { Stock, StockPlanning } from "../../domain/catalog.js";
import { IdempotencyKeyReuseError, ValidationError } from "../../domain/errors.js";
import { adjustmentProblems, NegativeAvailableError, SHORTFALL_REASONS, UnknownStockError, type Adjustment } from "../../domain/inventory.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import type { Clock, IdGenerator } from "../../app/ports.js";
import { isConditionFailed } from "./client.js";
import { indexPage } from "./cursor.js";
import { cancellation, getItems, HOT_RECORD, keyOf, queryAll, stripKeys, TRANSACTION_LIMIT, ttlFrom, type Item, type StoredStock, type TransactItem } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";

export type { StoredStock } from "./inventory-items.js";

export interface AdjustmentResult {
  sku: string;
  locationId: string;
  reason: string;
  before: { onHand: number; available: number };
  after: { onHand: number; available: number };
  shortfall: number;
  journalId: string;
  /** For a receipt against a reference: what is still expected under it, or null when nothing was expected. */
  reference?: string;
  settled?: { reference: string; remaining: number } | null;
}

/**
 * Stock records and their ledger: adjustments (receipts, counts, damage) journaled with who, why,
 * before and after, all or nothing per batch; planning figures; and the reads of stock that
 * routing and the inventory API make.
 */
export class DynamoStockLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Applies a batch of stock adjustments all or nothing, journaling each (who, why, before,
   * after). Honours an Idempotency-Key: the same key and body return the first result; the same
   * key with another body is refused.
   */
  async adjust(batch: Adjustment[], actor: string, idempotencyKey?: string): Promise<AdjustmentResult[]> {
    const problems = adjustmentProblems(batch);
    if (problems.length) throw new ValidationError("Invalid adjustments", problems);
    if (batch.length * 2 + 1 > TRANSACTION_LIMIT) throw new ValidationError("Invalid adjustments", [{ path: "adjustments", message: `at most ${Math.floor((TRANSACTION_LIMIT - 1) / 2)} per batch` }]);
    const requestHash = createHash("sha256").update(JSON.stringify(batch)).digest("hex");
    const idemKey = idempotencyKey ? keys.idempotency("adjustments", idempotencyKey) : undefined;
    return withOptimisticRetry("Stock adjusted", async () => {
      if (idemKey) {
        const prior = await getItems(this.db, this.tableName, [idemKey]);
        const found = prior.get(keyOf(idemKey));
        if (found) {
          if (found.requestHash !== requestHash) throw new IdempotencyKeyReuseError("This Idempotency-Key was used with a different request");
          return found.response as AdjustmentResult[];
        }
      }
      const stockKeys = batch.map((a) => keys.stock(a.sku, a.locationId));
      const stocks = await getItems(this.db, this.tableName, stockKeys);
      // A first receipt creates the stock record, provided the SKU and the location exist.
      await this.assertKnown(batch.map((a, i) => (stocks.has(keyOf(stockKeys[i]!)) ? undefined : a)));
      const now = this.clock.now();
      const results: AdjustmentResult[] = [];
      const refusals: NegativeAvailableError["refusals"] = [];
      const items: TransactItem[] = [];
      batch.forEach((a, i) => {
        const stored = stocks.get(keyOf(stockKeys[i]!)) as unknown as StoredStock | undefined;
        const s: StoredStock = stored ?? { sku: a.sku, locationId: a.locationId, onHand: 0, reserved: 0, safetyStock: 0, reorderPoint: 0, available: 0, version: 0 };
        const delta = a.set !== undefined ? a.set - s.onHand : (a.delta ?? 0);
        const after = { onHand: s.onHand + delta, available: s.available + delta };
        // A receipt against incoming stock settles that much of it; what is fully received leaves the list.
        const incoming = s.incoming ?? [];
        const settled = a.reference ? incoming.find((x) => x.reference === a.reference) : undefined;
        const remainingIncoming = settled ? incoming.flatMap((x) => (x === settled ? (x.quantity > delta ? [{ ...x, quantity: x.quantity - delta }] : []) : [x])) : undefined;
        if (after.onHand < 0) refusals.push({ sku: a.sku, locationId: a.locationId, available: s.available, change: delta });
        else if (after.available < 0 && delta < 0 && !SHORTFALL_REASONS.includes(a.reason)) refusals.push({ sku: a.sku, locationId: a.locationId, available: s.available, change: delta });
        const journalId = this.ids.next();
        results.push({
          sku: a.sku,
          locationId: a.locationId,
          reason: a.reason,
          before: { onHand: s.onHand, available: s.available },
          after,
          shortfall: Math.max(0, -after.available),
          journalId,
          ...(a.reference ? { reference: a.reference, settled: settled ? { reference: settled.reference, remaining: Math.max(0, settled.quantity - delta) } : null } : {}),
        });
        items.push(
          {
            Update: {
              TableName: this.tableName,
              Key: stockKeys[i]!,
              UpdateExpression: stored
                ? `SET onHand = onHand + :d, available = available + :d, version = version + :one, updatedAt = :now${remainingIncoming ? ", incoming = :inc" : ""}`
                : "SET onHand = :d, available = :d, reserved = :zero, safetyStock = :zero, reorderPoint = :zero, sku = :sku, locationId = :loc, #t = :type, GSI1PK = :g1pk, GSI1SK = :g1sk, version = :one, updatedAt = :now",
              ConditionExpression: stored ? "version = :v" : "attribute_not_exists(PK)",
              ExpressionAttributeValues: stored
                ? { ":d": delta, ":one": 1, ":now": now, ":v": s.version, ...(remainingIncoming ? { ":inc": remainingIncoming } : {}) }
                : { ":d": delta, ":one": 1, ":now": now, ":zero": 0, ":sku": a.sku, ":loc": a.locationId, ":type": ITEM_TYPES.stock, ":g1pk": keys.stockIndex(a.sku, a.locationId).GSI1PK, ":g1sk": a.sku },
              ...(stored ? {} : { ExpressionAttributeNames: { "#t": "type" } }),
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.adjustment(a.sku, a.locationId, journalId), type: ITEM_TYPES.adjustment, journalId, sku: a.sku, locationId: a.locationId, reason: a.reason, actor, at: now, delta, before: results.at(-1)!.before, after, ...(a.reference ? { reference: a.reference } : {}), version: 1 },
            },
          },
        );
      });
      if (refusals.length) throw new NegativeAvailableError(refusals);
      if (idemKey) items.push({ Put: { TableName: this.tableName, Item: { ...idemKey, type: ITEM_TYPES.idempotency, requestHash, response: results, at: now, expiresAt: ttlFrom(now), version: 1 }, ConditionExpression: "attribute_not_exists(PK)" } });
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
        return results;
      } catch (error) {
        // A stock item changed since it was read (or a concurrent request took the key): read again.
        if (!cancellation(error)) throw error;
        return AGAIN;
      }
    }, HOT_RECORD);
  }

  /**
   * Sets how a location plans a SKU (safety stock, reorder point, incoming stock), creating the
   * stock record with nothing on hand if there is none. A changed safety stock moves available
   * by the difference; raised above what is free, it leaves ATP at 0, never a reservation undone.
   */
  async setPlanning(sku: string, locationId: string, planning: StockPlanning): Promise<StoredStock> {
    const key = keys.stock(sku, locationId);
    return withOptimisticRetry(`Stock of ${sku} at ${locationId}`, async () => {
      const stored = (await getItems(this.db, this.tableName, [key])).get(keyOf(key)) as unknown as StoredStock | undefined;
      if (!stored) await this.assertKnown([{ sku, locationId }]);
      const now = this.clock.now();
      const next: StoredStock = stored
        ? { ...(stripKeys(stored as unknown as Item) as unknown as StoredStock), ...planning, available: stored.available + stored.safetyStock - planning.safetyStock, version: stored.version + 1 }
        : { sku, locationId, onHand: 0, reserved: 0, ...planning, available: -planning.safetyStock, version: 1 };
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: stored
              ? "SET safetyStock = :s, reorderPoint = :r, incoming = :inc, pinned = :pin, available = available + :d, version = version + :one, updatedAt = :now"
              : "SET safetyStock = :s, reorderPoint = :r, incoming = :inc, pinned = :pin, available = :avail, onHand = :zero, reserved = :zero, sku = :sku, locationId = :loc, #t = :type, GSI1PK = :g1pk, GSI1SK = :g1sk, version = :one, updatedAt = :now",
            ConditionExpression: stored ? "version = :v" : "attribute_not_exists(PK)",
            ExpressionAttributeValues: stored
              ? { ":s": planning.safetyStock, ":r": planning.reorderPoint, ":inc": planning.incoming, ":pin": planning.pinned ?? true, ":d": stored.safetyStock - planning.safetyStock, ":one": 1, ":now": now, ":v": stored.version }
              : { ":s": planning.safetyStock, ":r": planning.reorderPoint, ":inc": planning.incoming, ":pin": planning.pinned ?? true, ":avail": -planning.safetyStock, ":zero": 0, ":sku": sku, ":loc": locationId, ":type": ITEM_TYPES.stock, ":g1pk": keys.stockIndex(sku, locationId).GSI1PK, ":g1sk": sku, ":one": 1, ":now": now },
            ...(stored ? {} : { ExpressionAttributeNames: { "#t": "type" } }),
          }),
        );
        return { ...next, updatedAt: now } as StoredStock;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        return AGAIN;
      }
    }, HOT_RECORD);
  }

  /** Throws UnknownStockError naming each (SKU, location) pair, by index, whose SKU or location does not exist; undefined entries are skipped. */
  private async assertKnown(pairs: ({ sku: string; locationId: string } | undefined)[]): Promise<void> {
    const wanted = pairs.filter((p) => p !== undefined);
    if (wanted.length === 0) return;
    const known = await getItems(this.db, this.tableName, wanted.flatMap((p) => [keys.sku(p.sku), { PK: keys.location(p.locationId).PK, SK: keys.location(p.locationId).SK }]));
    const unknown = pairs.flatMap((p, i) =>
      !p || (known.has(keyOf(keys.sku(p.sku))) && known.has(keyOf({ PK: keys.location(p.locationId).PK, SK: keys.location(p.locationId).SK })))
        ? []
        : [{ path: `${i}`, message: `unknown SKU ${p.sku} or location ${p.locationId}` }],
    );
    if (unknown.length) throw new UnknownStockError("Unknown SKU or location", unknown);
  }

  /** Stock of a SKU at every location. */
  async stockOf(sku: string): Promise<StoredStock[]> {
    const items = await queryAll(this.db, this.tableName, keys.skuPartition(sku), keys.stockPrefix);
    return items.map((i) => stripKeys(i) as unknown as StoredStock).map((s, n) => ({ ...s, version: Number(items[n]?.version) }));
  }

  /** A page of a location's stock, by SKU. */
  async stockOfLocation(locationId: string, limit: number, cursor?: string): Promise<{ items: StoredStock[]; cursor?: string }> {
    const page = await indexPage(this.db, this.tableName, keys.stockOfLocation(locationId), limit, cursor);
    const ks = page.items.map((i) => ({ PK: String(i.PK), SK: String(i.SK) }));
    const found = await getItems(this.db, this.tableName, ks);
    const items = ks.flatMap((k) => {
      const item = found.get(keyOf(k));
      return item ? [{ ...(stripKeys(item) as unknown as StoredStock), version: Number(item.version) }] : [];
    });
    return page.cursor ? { items, cursor: page.cursor } : { items };
  }

  /** The SKUs a location keeps stock of, in order (keys only). */
  async *skusOfLocation(locationId: string): AsyncIterable<string> {
    const target = keys.stockOfLocation(locationId);
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ TableName: this.tableName, IndexName: target.index, KeyConditionExpression: "#pk = :pk", ExpressionAttributeNames: { "#pk": target.pk }, ExpressionAttributeValues: { ":pk": target.value }, ProjectionExpression: "GSI1SK", ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const i of out.Items ?? []) yield String(i.GSI1SK);
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /** A location's stock records with SKUs from `from` (inclusive) to `to` (exclusive; the end when absent), by SKU. */
  async stockOfLocationRange(locationId: string, from: string, to?: string): Promise<StoredStock[]> {
    const target = keys.stockOfLocation(locationId);
    const ks: { PK: string; SK: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: target.index,
          KeyConditionExpression: to ? "#pk = :pk AND GSI1SK BETWEEN :a AND :b" : "#pk = :pk AND GSI1SK >= :a",
          ExpressionAttributeNames: { "#pk": target.pk },
          ExpressionAttributeValues: { ":pk": target.value, ":a": from, ...(to ? { ":b": to } : {}) },
          ProjectionExpression: "PK, SK, GSI1SK",
          ...(start ? { ExclusiveStartKey: start } : {}),
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      for (const i of out.Items ?? []) if (to === undefined || String(i.GSI1SK) < to) ks.push({ PK: String(i.PK), SK: String(i.SK) });
      start = out.LastEvaluatedKey;
    } while (start);
    const found = await getItems(this.db, this.tableName, ks);
    return ks.flatMap((k) => {
      const item = found.get(keyOf(k));
      return item ? [{ ...(stripKeys(item) as unknown as StoredStock), version: Number(item.version) }] : [];
    });
  }

  /**
   * The planner's figures on a stock record read at `expectedVersion`: safety stock and reorder
   * point (available follows the safety stock) and the plan that explains them. False when the
   * record changed meanwhile (the caller reads it again).
   */
  async applyPlan(stock: StoredStock, figures: { safetyStock: number; reorderPoint: number }, plan: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stock(stock.sku, stock.locationId),
          UpdateExpression: "SET safetyStock = :s, reorderPoint = :r, #plan = :plan, available = available + :d, version = version + :one",
          ConditionExpression: "version = :v",
          ExpressionAttributeNames: { "#plan": "plan" },
          ExpressionAttributeValues: { ":s": figures.safetyStock, ":r": figures.reorderPoint, ":plan": plan, ":d": stock.safetyStock - figures.safetyStock, ":one": 1, ":v": stock.version },
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The adjustment journal of a SKU, oldest first. */
  async journalOf(sku: string): Promise<Item[]> {
    return (await queryAll(this.db, this.tableName, keys.skuPartition(sku), "ADJ#")).map(stripKeys);
  }

  /** For tests and seeding: writes a stock record with a consistent `available`. */
  async putStock(stock: Stock): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.stock(stock.sku, stock.locationId), ...keys.stockIndex(stock.sku, stock.locationId), type: ITEM_TYPES.stock, ...stock, available: stock.onHand - stock.reserved - stock.safetyStock, version: 1 } }),
    );
  }
}
