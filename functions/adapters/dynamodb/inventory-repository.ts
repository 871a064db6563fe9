import { PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { createHash } from "node:crypto";
import type { Stock, StockPlanning } from "../../domain/catalog.js";
import { IdempotencyKeyReuseError } from "../../domain/errors.js";
import {
  adjustmentProblems,
  assertValidAllocation,
  InsufficientStockError,
  NegativeAvailableError,
  SHORTFALL_REASONS,
  UnknownStockError,
  type Adjustment,
  type Allocation,
  type AllocationLine,
  type Reservation,
  type ReservationStatus,
} from "../../domain/inventory.js";
import { ValidationError } from "../../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import { batchGetAll, isConditionFailed } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ITEM_TYPES, keys, type Key } from "./keys.js";
import type { Clock, IdGenerator } from "../../app/ports.js";

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>[number];
type Item = Record<string, unknown>;

/** DynamoDB's limit on items per transaction. */
const TRANSACTION_LIMIT = 100;
/** Closed reservation items are kept this long (TTL) for audits, then DynamoDB deletes them. */
const CLOSED_RETENTION_SECONDS = 90 * 86_400;
/** Stock records are the hottest items in the table (a popular SKU at one location): more attempts than the default. */
const HOT_RECORD = { attempts: 9 };

/** Stock as stored: the domain fields plus `available`, kept because conditions cannot do arithmetic. */
export interface StoredStock extends Stock {
  available: number;
  version: number;
}

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

export interface DriftReport {
  checked: number;
  drift: { sku: string; locationId: string; reserved: number; sumOfReservations: number; available: number; expectedAvailable: number }[];
}

const lineRef = (l: { sku: string; locationId: string }) => `${l.sku}|${l.locationId}`;
/** Cancellation reasons of a failed transaction, their items unmarshalled (the document client leaves them raw). */
function cancellation(error: unknown): ({ Code?: string; Item?: Item } | undefined)[] | undefined {
  if ((error as { name?: string }).name !== "TransactionCanceledException") return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] }).CancellationReasons ?? [];
  return reasons.map((r) => (r ? { ...(r.Code ? { Code: r.Code } : {}), ...(r.Item ? { Item: unmarshall(r.Item) } : {}) } : undefined));
}
const stripKeys = ({ PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, GSI2PK: _e, GSI2SK: _f, type: _t, version: _v, expiresAt: _x, ...rest }: Item) => rest;

/**
 * Stock and reservations in the single table. Every change that touches a counter is one
 * TransactWriteItems with conditions: the stock item's `available >= q` (so available never
 * goes below zero by a reservation, under any concurrency) and the reservation item's existence
 * and status (so each (orderId, lineId, locationId) is applied exactly once). The reserved
 * counter therefore always equals the sum of ACTIVE reservation items; `check()` proves it.
 */
export class DynamoInventory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Reserves the whole allocation or nothing; re-sending the same allocation returns the same reservations. */
  async reserve(allocation: Allocation): Promise<{ reservations: Reservation[]; replayed: boolean }> {
    assertValidAllocation(allocation);
    const chunks = chunkLines(allocation.lines);
    // One transaction detects a replay by itself (its reservation conditions fail), so the hot
    // path makes a single round trip; several transactions need to know up front.
    if (chunks.length > 1) {
      const existing = await this.reservationsFor(allocation.orderId, allocation.lines);
      if (existing.every((r) => r !== undefined)) return this.replay(allocation, existing);
      if (existing.some((r) => r !== undefined)) throw partialReplay();
    }
    // Lines are applied in chunks that fit one transaction; a failed chunk undoes the ones before it.
    const done: AllocationLine[][] = [];
    const now = this.clock.now();
    let raced = 0;
    try {
      for (const chunk of chunks) {
        if ((await this.reserveChunk(allocation, chunk, now)) === "raced") raced++;
        else done.push(chunk);
      }
    } catch (error) {
      for (const chunk of done.reverse()) await this.undoChunk(allocation.orderId, chunk);
      throw error;
    }
    // Every chunk lost a race to an identical concurrent request: that request did the work.
    if (raced === chunks.length) return this.replay(allocation, (await this.reservationsFor(allocation.orderId, allocation.lines)) as Reservation[]);
    const reservations = allocation.lines.map((l) => this.newReservation(allocation, l, now));
    return { reservations, replayed: false };
  }

  private replay(allocation: Allocation, existing: Reservation[]): { reservations: Reservation[]; replayed: boolean } {
    const differs = allocation.lines.some((l, i) => existing[i]?.quantity !== l.quantity || existing[i]?.sku !== l.sku);
    if (differs)
      throw new ValidationError("This allocation was already reserved with other quantities", [{ path: "lines", message: "same (lineId, locationId) with a different sku or quantity" }]);
    return { reservations: existing, replayed: true };
  }

  private newReservation(a: Allocation, l: AllocationLine, now: string): Reservation {
    return { orderId: a.orderId, ...l, status: "ACTIVE", createdAt: now, updatedAt: now, ...(a.holdUntil ? { holdUntil: a.holdUntil } : {}) };
  }

  /** "raced" when an identical concurrent request reserved these lines first (nothing written here). */
  private async reserveChunk(a: Allocation, lines: AllocationLine[], now: string): Promise<"reserved" | "raced"> {
    const totals = sumByStock(lines);
    const items: TransactItem[] = [...totals.values()].map((t) => ({
      Update: {
        TableName: this.tableName,
        Key: keys.stock(t.sku, t.locationId),
        UpdateExpression: "SET available = available - :q, reserved = reserved + :q, version = version + :one, updatedAt = :now",
        ConditionExpression: "attribute_exists(PK) AND available >= :q",
        ExpressionAttributeValues: { ":q": t.quantity, ":one": 1, ":now": now },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    }));
    for (const l of lines) {
      const r = this.newReservation(a, l, now);
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.reservation(l.sku, l.locationId, a.orderId, l.lineId),
            GSI1PK: keys.reservationsOfOrder(a.orderId).value,
            GSI1SK: `${l.lineId}#${l.locationId}`,
            // Soft holds are listed by due time for the sweeper (normalized ISO, so strings sort as times).
            ...(a.holdUntil ? keys.holdIndex(new Date(a.holdUntil).toISOString(), a.orderId, l.lineId) : {}),
            type: ITEM_TYPES.reservation,
            ...r,
            version: 1,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
      return "reserved";
    } catch (error) {
      const reasons = cancellation(error);
      if (!reasons) throw error;
      const stocks = [...totals.values()];
      // A reservation item appeared meanwhile: an identical concurrent request won. Check that before
      // blaming stock, which that request may just have taken.
      if (reasons.slice(stocks.length).some((r) => r?.Code === "ConditionalCheckFailed")) {
        const current = await this.reservationsFor(a.orderId, lines);
        if (current.every((r) => r !== undefined)) return "raced";
        if (current.some((r) => r !== undefined)) throw partialReplay();
      }
      const unknown: { path: string; message: string }[] = [];
      const short: InsufficientStockError["shortages"] = [];
      stocks.forEach((t, i) => {
        const reason = reasons[i];
        if (reason?.Code !== "ConditionalCheckFailed") return;
        if (!reason.Item) unknown.push({ path: `lines[sku=${t.sku},locationId=${t.locationId}]`, message: `no stock record for ${t.sku} at ${t.locationId}` });
        else for (const l of lines.filter((x) => lineRef(x) === lineRef(t)))
          short.push({ lineId: l.lineId, sku: l.sku, locationId: l.locationId, requested: l.quantity, available: Math.max(0, Number(reason.Item.available)) });
      });
      if (unknown.length) throw new UnknownStockError("Unknown SKU or location", unknown);
      if (short.length) throw new InsufficientStockError(short);
      throw error;
    }
  }

  /** Compensation of a reserved chunk: delete its reservation items and give the quantity back. */
  private async undoChunk(orderId: string, lines: AllocationLine[]): Promise<void> {
    const totals = sumByStock(lines);
    const items: TransactItem[] = [
      ...[...totals.values()].map((t) => ({
        Update: {
          TableName: this.tableName,
          Key: keys.stock(t.sku, t.locationId),
          UpdateExpression: "SET available = available + :q, reserved = reserved - :q, version = version + :one",
          ExpressionAttributeValues: { ":q": t.quantity, ":one": 1 },
        },
      })),
      ...lines.map((l) => ({
        Delete: { TableName: this.tableName, Key: keys.reservation(l.sku, l.locationId, orderId, l.lineId), ConditionExpression: "#s = :active", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":active": "ACTIVE" } },
      })),
    ];
    await this.db.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
  }

  /** Releases (cancel), consumes (shipped: on hand and reserved both drop) or expires ACTIVE reservations; others are left as they are. */
  async close(orderId: string, lines: Pick<AllocationLine, "lineId" | "sku" | "locationId">[], to: Exclude<ReservationStatus, "ACTIVE" | "MOVED">): Promise<number> {
    let closed = 0;
    return withOptimisticRetry(`Reservations of order ${orderId}`, async () => {
      const current = (await this.reservationsFor(orderId, lines)).filter((r): r is Reservation & { version: number } => r?.status === "ACTIVE");
      if (current.length === 0) return closed;
      try {
        for (const chunk of chunkLines(current)) {
          await this.closeChunk(chunk, to);
          closed += chunk.length;
        }
        return closed;
      } catch (error) {
        if (!cancellation(error)) throw error;
        return AGAIN;
      }
    }, HOT_RECORD);
  }

  private async closeChunk(rs: (Reservation & { version: number })[], to: ReservationStatus): Promise<void> {
    const now = this.clock.now();
    const totals = sumByStock(rs);
    const stockUpdate =
      to === "CONSUMED"
        ? "SET onHand = onHand - :q, reserved = reserved - :q, version = version + :one, updatedAt = :now"
        : "SET available = available + :q, reserved = reserved - :q, version = version + :one, updatedAt = :now";
    const items: TransactItem[] = [
      ...[...totals.values()].map((t) => ({
        Update: { TableName: this.tableName, Key: keys.stock(t.sku, t.locationId), UpdateExpression: stockUpdate, ExpressionAttributeValues: { ":q": t.quantity, ":one": 1, ":now": now } },
      })),
      ...rs.map((r) => ({
        Update: {
          TableName: this.tableName,
          Key: keys.reservation(r.sku, r.locationId, r.orderId, r.lineId),
          UpdateExpression: "SET #s = :to, updatedAt = :now, version = version + :one, expiresAt = :ttl REMOVE GSI2PK, GSI2SK",
          ConditionExpression: "#s = :active AND version = :v",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":to": to, ":now": now, ":one": 1, ":ttl": ttlFrom(now), ":active": "ACTIVE", ":v": r.version },
        },
      })),
    ];
    await this.db.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
  }

  /**
   * Shrinks an ACTIVE reservation to `quantity` (lines of the order were cancelled), giving the
   * difference back to available in the same transaction; 0 releases it. Idempotent: a
   * reservation already at or below the target, or no longer active, is left as it is.
   */
  async resize(orderId: string, line: Pick<AllocationLine, "lineId" | "sku" | "locationId">, quantity: number): Promise<number> {
    if (quantity <= 0) return this.close(orderId, [line], "RELEASED");
    return withOptimisticRetry(`Reservation ${line.lineId} of order ${orderId}`, async () => {
      const [r] = await this.reservationsFor(orderId, [line]);
      if (!r || r.status !== "ACTIVE" || r.quantity <= quantity) return 0;
      const freed = r.quantity - quantity;
      const now = this.clock.now();
      try {
        await this.db.send(
          new TransactWriteCommand({
            ReturnConsumedCapacity: "TOTAL",
            TransactItems: [
              { Update: { TableName: this.tableName, Key: keys.stock(r.sku, r.locationId), UpdateExpression: "SET available = available + :q, reserved = reserved - :q, version = version + :one, updatedAt = :now", ExpressionAttributeValues: { ":q": freed, ":one": 1, ":now": now } } },
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.reservation(r.sku, r.locationId, orderId, r.lineId),
                  UpdateExpression: "SET quantity = :to, updatedAt = :now, version = version + :one",
                  ConditionExpression: "#s = :active AND version = :v",
                  ExpressionAttributeNames: { "#s": "status" },
                  ExpressionAttributeValues: { ":to": quantity, ":now": now, ":one": 1, ":active": "ACTIVE", ":v": r.version },
                },
              },
            ],
          }),
        );
        return freed;
      } catch (error) {
        if (!cancellation(error)) throw error;
        return AGAIN;
      }
    }, HOT_RECORD);
  }

  /** Moves an ACTIVE reservation to another location in one transaction (reroute). Idempotent. */
  async move(orderId: string, line: Pick<AllocationLine, "lineId" | "sku" | "locationId">, toLocationId: string): Promise<Reservation> {
    if (toLocationId === line.locationId) throw new ValidationError("Invalid move", [{ path: "toLocationId", message: "must differ from the current location" }]);
    const [from] = await this.reservationsFor(orderId, [line]);
    const [already] = await this.reservationsFor(orderId, [{ ...line, locationId: toLocationId }]);
    if (from?.status === "MOVED" && already) return already;
    if (!from || from.status !== "ACTIVE") throw new ValidationError("Nothing to move", [{ path: "lineId", message: `no active reservation of line ${line.lineId} at ${line.locationId}` }]);
    const now = this.clock.now();
    const moved: Reservation = { ...from, locationId: toLocationId, status: "ACTIVE", createdAt: now, updatedAt: now };
    const { version: _v, ...movedItem } = moved as Reservation & { version?: number };
    try {
      await this.db.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: "TOTAL",
          TransactItems: [
            { Update: { TableName: this.tableName, Key: keys.stock(from.sku, from.locationId), UpdateExpression: "SET available = available + :q, reserved = reserved - :q, version = version + :one", ExpressionAttributeValues: { ":q": from.quantity, ":one": 1 } } },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.reservation(from.sku, from.locationId, orderId, from.lineId),
                UpdateExpression: "SET #s = :moved, movedTo = :to, updatedAt = :now, version = version + :one, expiresAt = :ttl REMOVE GSI2PK, GSI2SK",
                ConditionExpression: "#s = :active AND version = :v",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":moved": "MOVED", ":to": toLocationId, ":now": now, ":one": 1, ":ttl": ttlFrom(now), ":active": "ACTIVE", ":v": (from).version },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.stock(from.sku, toLocationId),
                UpdateExpression: "SET available = available - :q, reserved = reserved + :q, version = version + :one",
                ConditionExpression: "attribute_exists(PK) AND available >= :q",
                ExpressionAttributeValues: { ":q": from.quantity, ":one": 1 },
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.reservation(from.sku, toLocationId, orderId, from.lineId), GSI1PK: keys.reservationsOfOrder(orderId).value, GSI1SK: `${from.lineId}#${toLocationId}`, type: ITEM_TYPES.reservation, ...movedItem, version: 1 },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellation(error);
      const target = reasons?.[2];
      if (target?.Code === "ConditionalCheckFailed") {
        if (!target.Item) throw new UnknownStockError("Unknown SKU or location", [{ path: "toLocationId", message: `no stock record for ${from.sku} at ${toLocationId}` }]);
        throw new InsufficientStockError([{ lineId: from.lineId, sku: from.sku, locationId: toLocationId, requested: from.quantity, available: Math.max(0, Number(target.Item.available)) }]);
      }
      throw error;
    }
    return moved;
  }

  /** The sweeper: expires soft holds whose time has come, each exactly once. */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    let expired = 0;
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: keys.holdsDue(now).index,
          KeyConditionExpression: "GSI2PK = :holds AND GSI2SK <= :now",
          ExpressionAttributeValues: { ":holds": keys.holdsDue(now).pk, ":now": keys.holdsDue(now).upTo },
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      for (const item of page.Items ?? []) {
        const [, locationId = "", orderId = "", lineId = ""] = String(item.SK).split("#");
        const sku = String(item.PK).slice("SKU#".length);
        expired += await this.close(orderId, [{ sku, locationId, lineId }], "EXPIRED");
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return expired;
  }

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
        const prior = await this.getItems([idemKey]);
        const found = prior.get(keyOf(idemKey));
        if (found) {
          if (found.requestHash !== requestHash) throw new IdempotencyKeyReuseError("This Idempotency-Key was used with a different request");
          return found.response as AdjustmentResult[];
        }
      }
      const stockKeys = batch.map((a) => keys.stock(a.sku, a.locationId));
      const stocks = await this.getItems(stockKeys);
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
      const stored = (await this.getItems([key])).get(keyOf(key)) as unknown as StoredStock | undefined;
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
              ? "SET safetyStock = :s, reorderPoint = :r, incoming = :inc, available = available + :d, version = version + :one, updatedAt = :now"
              : "SET safetyStock = :s, reorderPoint = :r, incoming = :inc, available = :avail, onHand = :zero, reserved = :zero, sku = :sku, locationId = :loc, #t = :type, GSI1PK = :g1pk, GSI1SK = :g1sk, version = :one, updatedAt = :now",
            ConditionExpression: stored ? "version = :v" : "attribute_not_exists(PK)",
            ExpressionAttributeValues: stored
              ? { ":s": planning.safetyStock, ":r": planning.reorderPoint, ":inc": planning.incoming, ":d": stored.safetyStock - planning.safetyStock, ":one": 1, ":now": now, ":v": stored.version }
              : { ":s": planning.safetyStock, ":r": planning.reorderPoint, ":inc": planning.incoming, ":avail": -planning.safetyStock, ":zero": 0, ":sku": sku, ":loc": locationId, ":type": ITEM_TYPES.stock, ":g1pk": keys.stockIndex(sku, locationId).GSI1PK, ":g1sk": sku, ":one": 1, ":now": now },
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
    const known = await this.getItems(wanted.flatMap((p) => [keys.sku(p.sku), { PK: keys.location(p.locationId).PK, SK: keys.location(p.locationId).SK }]));
    const unknown = pairs.flatMap((p, i) =>
      !p || (known.has(keyOf(keys.sku(p.sku))) && known.has(keyOf({ PK: keys.location(p.locationId).PK, SK: keys.location(p.locationId).SK })))
        ? []
        : [{ path: `${i}`, message: `unknown SKU ${p.sku} or location ${p.locationId}` }],
    );
    if (unknown.length) throw new UnknownStockError("Unknown SKU or location", unknown);
  }

  /** Releases every active reservation of an order (compensation after a failure or a cancellation); returns how many. */
  async releaseOrder(orderId: string): Promise<number> {
    const target = keys.reservationsOfOrder(orderId);
    const lines: Pick<AllocationLine, "lineId" | "sku" | "locationId">[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, IndexName: target.index, KeyConditionExpression: "#pk = :pk", ExpressionAttributeNames: { "#pk": target.pk }, ExpressionAttributeValues: { ":pk": target.value }, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const { sku, locationId, lineId } = keys.parseReservation({ PK: String(item.PK), SK: String(item.SK) });
        lines.push({ sku, locationId, lineId });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return lines.length ? this.close(orderId, lines, "RELEASED") : 0;
  }

  /** Stock of a SKU at every location. */
  async stockOf(sku: string): Promise<StoredStock[]> {
    const items = await this.queryAll(keys.skuPartition(sku), keys.stockPrefix);
    return items.map((i) => stripKeys(i) as unknown as StoredStock).map((s, n) => ({ ...s, version: Number(items[n]?.version) }));
  }

  /** A page of a location's stock, by SKU. */
  async stockOfLocation(locationId: string, limit: number, cursor?: string): Promise<{ items: StoredStock[]; cursor?: string }> {
    const target = keys.stockOfLocation(locationId);
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: target.index,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": target.pk },
        ExpressionAttributeValues: { ":pk": target.value },
        Limit: limit,
        ExclusiveStartKey: cursor ? decodeCursor(cursor, target.index) : undefined,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    const ks = (page.Items ?? []).map((i) => ({ PK: String(i.PK), SK: String(i.SK) }));
    const found = await this.getItems(ks);
    const items = ks.flatMap((k) => {
      const item = found.get(keyOf(k));
      return item ? [{ ...(stripKeys(item) as unknown as StoredStock), version: Number(item.version) }] : [];
    });
    return page.LastEvaluatedKey ? { items, cursor: encodeCursor(target.index, page.LastEvaluatedKey) } : { items };
  }

  /** The adjustment journal of a SKU, oldest first. */
  async journalOf(sku: string): Promise<Item[]> {
    return (await this.queryAll(keys.skuPartition(sku), "ADJ#")).map(stripKeys);
  }

  /** Reservations of a SKU (every status), for checks and operators. */
  async reservationsOfSku(sku: string): Promise<Reservation[]> {
    return (await this.queryAll(keys.skuPartition(sku), keys.reservationPrefix)).map((i) => stripKeys(i) as unknown as Reservation);
  }

  /**
   * Recomputes every reserved counter from the ACTIVE reservation items and reports any drift
   * (reserved ≠ sum, or available ≠ on hand − reserved − safety stock). Scans the table: an
   * operator's check, not a hot path.
   */
  async check(): Promise<DriftReport> {
    const stocks = new Map<string, StoredStock>();
    const sums = new Map<string, number>();
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "#t IN (:stock, :res)",
          ExpressionAttributeNames: { "#t": "type" },
          ExpressionAttributeValues: { ":stock": ITEM_TYPES.stock, ":res": ITEM_TYPES.reservation },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        const ref = lineRef(item as { sku: string; locationId: string });
        if (item.type === ITEM_TYPES.stock) stocks.set(ref, item as unknown as StoredStock);
        else if (item.status === "ACTIVE") sums.set(ref, (sums.get(ref) ?? 0) + Number(item.quantity));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    const drift: DriftReport["drift"] = [];
    for (const [ref, s] of stocks) {
      const sum = sums.get(ref) ?? 0;
      const expectedAvailable = s.onHand - s.reserved - s.safetyStock;
      if (s.reserved !== sum || s.available !== expectedAvailable)
        drift.push({ sku: s.sku, locationId: s.locationId, reserved: s.reserved, sumOfReservations: sum, available: s.available, expectedAvailable });
    }
    for (const ref of sums.keys()) if (!stocks.has(ref)) drift.push({ sku: ref.split("|")[0] ?? "", locationId: ref.split("|")[1] ?? "", reserved: 0, sumOfReservations: sums.get(ref) ?? 0, available: 0, expectedAvailable: 0 });
    return { checked: stocks.size, drift };
  }

  /** Reservation items of an order's lines, read consistently, in the order given (undefined where none). */
  private async reservationsFor(orderId: string, lines: Pick<AllocationLine, "lineId" | "sku" | "locationId">[]): Promise<((Reservation & { version: number }) | undefined)[]> {
    const ks = lines.map((l) => keys.reservation(l.sku, l.locationId, orderId, l.lineId));
    const found = await this.getItems(ks);
    return ks.map((k) => {
      const item = found.get(keyOf(k));
      return item ? ({ ...(stripKeys(item) as unknown as Reservation), version: Number(item.version) }) : undefined;
    });
  }

  private async getItems(ks: Key[]): Promise<Map<string, Item>> {
    return new Map((await batchGetAll(this.db, this.tableName, ks)).map((item) => [keyOf(item), item]));
  }

  private async queryAll(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": pk, ":p": prefix }, ConsistentRead: true, ExclusiveStartKey: start, ReturnConsumedCapacity: "TOTAL" }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** For tests and seeding: writes a stock record with a consistent `available`. */
  async putStock(stock: Stock): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.stock(stock.sku, stock.locationId), ...keys.stockIndex(stock.sku, stock.locationId), type: ITEM_TYPES.stock, ...stock, available: stock.onHand - stock.reserved - stock.safetyStock, version: 1 } }),
    );
  }
}

const partialReplay = () =>
  new ValidationError("Part of this allocation is already reserved under other terms", [
    { path: "lines", message: "some (lineId, locationId) pairs already have reservations; release them first" },
  ]);

const keyOf = (k: Key | Item) => `${String(k.PK)}|${String(k.SK)}`;
const ttlFrom = (nowIso: string) => Math.floor(Date.parse(nowIso) / 1000) + CLOSED_RETENTION_SECONDS;

function sumByStock(lines: { sku: string; locationId: string; quantity: number }[]): Map<string, { sku: string; locationId: string; quantity: number }> {
  const totals = new Map<string, { sku: string; locationId: string; quantity: number }>();
  for (const l of lines) {
    const t = totals.get(lineRef(l)) ?? { sku: l.sku, locationId: l.locationId, quantity: 0 };
    t.quantity += l.quantity;
    totals.set(lineRef(l), t);
  }
  return totals;
}

/** Splits lines so each chunk's distinct stock items plus its reservation items fit one transaction. */
function chunkLines<T extends { sku: string; locationId: string }>(lines: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  for (const l of lines) {
    const next = [...current, l];
    if (sumByStock(next as never).size + next.length > TRANSACTION_LIMIT) {
      chunks.push(current);
      current = [l];
    } else current = next;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

