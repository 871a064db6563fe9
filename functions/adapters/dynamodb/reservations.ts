import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ValidationError } from "../../domain/errors.js";
import { assertValidAllocation, InsufficientStockError, UnknownStockError, type Allocation, type AllocationLine, type Reservation, type ReservationStatus } from "../../domain/inventory.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import type { Clock, InventoryReservations } from "../../app/ports.js";
import { cancellation, chunkLines, getItems, HOT_RECORD, keyOf, lineRef, queryAll, stripKeys, sumByStock, ttlFrom, type Item, type TransactItem } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";

/**
 * Reservations in the single table. Every change that touches a counter is one
 * TransactWriteItems with conditions: the stock item's `available >= q` (so available never
 * goes below zero by a reservation, under any concurrency) and the reservation item's existence
 * and status (so each (orderId, lineId, locationId) is applied exactly once). The reserved
 * counter therefore always equals the sum of ACTIVE reservation items; inventory-drift.ts proves it.
 */
export class DynamoReservations implements InventoryReservations {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
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

  /** Reservations of a SKU (every status), for checks and operators. */
  async reservationsOfSku(sku: string): Promise<Reservation[]> {
    return (await queryAll(this.db, this.tableName, keys.skuPartition(sku), keys.reservationPrefix)).map((i) => stripKeys(i) as unknown as Reservation);
  }

  /** Reservation items of an order's lines, read consistently, in the order given (undefined where none). */
  private async reservationsFor(orderId: string, lines: Pick<AllocationLine, "lineId" | "sku" | "locationId">[]): Promise<((Reservation & { version: number }) | undefined)[]> {
    const ks = lines.map((l) => keys.reservation(l.sku, l.locationId, orderId, l.lineId));
    const found = await getItems(this.db, this.tableName, ks);
    return ks.map((k) => {
      const item = found.get(keyOf(k));
      return item ? ({ ...(stripKeys(item) as unknown as Reservation), version: Number(item.version) }) : undefined;
    });
  }
}

const partialReplay = () =>
  new ValidationError("Part of this allocation is already reserved under other terms", [
    { path: "lines", message: "some (lineId, locationId) pairs already have reservations; release them first" },
  ]);
