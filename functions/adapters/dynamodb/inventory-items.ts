import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { QueryCommand, type DynamoDBDocumentClient, type TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Stock } from "../../domain/catalog.js";
import { batchGetAll } from "./client.js";
import type { Key } from "./keys.js";

// What the inventory adapters (reservations.ts, stock-ledger.ts, inventory-drift.ts) share: the
// stored shapes, the transaction limits and the small helpers over the single table's items.

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>[number];
export type Item = Record<string, unknown>;

/** DynamoDB's limit on items per transaction. */
export const TRANSACTION_LIMIT = 100;
/** Closed reservation items are kept this long (TTL) for audits, then DynamoDB deletes them. */
const CLOSED_RETENTION_SECONDS = 90 * 86_400;
/** Stock records are the hottest items in the table (a popular SKU at one location): more attempts than the default. */
export const HOT_RECORD = { attempts: 9 };

/** Stock as stored: the domain fields plus `available`, kept because conditions cannot do arithmetic. */
export interface StoredStock extends Stock {
  available: number;
  version: number;
}

export const lineRef = (l: { sku: string; locationId: string }) => `${l.sku}|${l.locationId}`;
/** Cancellation reasons of a failed transaction, their items unmarshalled (the document client leaves them raw). */
export function cancellation(error: unknown): ({ Code?: string; Item?: Item } | undefined)[] | undefined {
  if ((error as { name?: string }).name !== "TransactionCanceledException") return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] }).CancellationReasons ?? [];
  return reasons.map((r) => (r ? { ...(r.Code ? { Code: r.Code } : {}), ...(r.Item ? { Item: unmarshall(r.Item) } : {}) } : undefined));
}
export const stripKeys = ({ PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, GSI2PK: _e, GSI2SK: _f, type: _t, version: _v, expiresAt: _x, ...rest }: Item) => rest;
export const keyOf = (k: Key | Item) => `${String(k.PK)}|${String(k.SK)}`;
export const ttlFrom = (nowIso: string) => Math.floor(Date.parse(nowIso) / 1000) + CLOSED_RETENTION_SECONDS;

export function sumByStock(lines: { sku: string; locationId: string; quantity: number }[]): Map<string, { sku: string; locationId: string; quantity: number }> {
  const totals = new Map<string, { sku: string; locationId: string; quantity: number }>();
  for (const l of lines) {
    const t = totals.get(lineRef(l)) ?? { sku: l.sku, locationId: l.locationId, quantity: 0 };
    t.quantity += l.quantity;
    totals.set(lineRef(l), t);
  }
  return totals;
}

/** Splits lines so each chunk's distinct stock items plus its reservation items fit one transaction. */
export function chunkLines<T extends { sku: string; locationId: string }>(lines: T[]): T[][] {
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

/** Items by key (consistent reads), keyed by `PK|SK`. */
export async function getItems(db: DynamoDBDocumentClient, tableName: string, ks: Key[]): Promise<Map<string, Item>> {
  return new Map((await batchGetAll(db, tableName, ks)).map((item) => [keyOf(item), item]));
}

/** Every item of a partition whose sort key starts with `prefix`, read consistently. */
export async function queryAll(db: DynamoDBDocumentClient, tableName: string, pk: string, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": pk, ":p": prefix }, ConsistentRead: true, ExclusiveStartKey: start, ReturnConsumedCapacity: "TOTAL" }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
