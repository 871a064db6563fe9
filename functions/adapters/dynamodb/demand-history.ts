import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { failedConditionAt } from "./client.js";
import { TRANSACTION_LIMIT, type TransactItem } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { DemandHistory, DemandPoint, DemandSeries } from "../../app/ports.js";

/** The network's scope in demand history: every location together. */
export const NETWORK = "*";
/** A month's demand is kept this long after the month starts: a year of seasonality and the month before. */
const RETENTION_DAYS = 430;
const MARKER_RETENTION_SECONDS = 30 * 86_400;
const DAY_MS = 86_400_000;

const dayAttr = (kind: "d" | "u" | "r", day: string) => `${kind}${day.slice(8, 10)}`;

/** Every day from `from` to `to` (yyyy-mm-dd, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Daily demand per (SKU, location) and per SKU across the network: one item per SKU, scope and
 * month, one atomic counter per day for demand (served and not), unserved demand and returns.
 * A source (an order's allocation, a return's restock) is counted once: a marker written in the
 * same transaction as the counters refuses a second count.
 */
export class DynamoDemandHistory implements DemandHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(source: "order" | "return", id: string, points: DemandPoint[], now: string): Promise<boolean> {
    // One update per item (a transaction may not touch an item twice): sum the points per SKU, scope and month.
    const items = new Map<string, { sku: string; scope: string; month: string; add: Map<string, number> }>();
    for (const p of points) {
      const month = p.day.slice(0, 7);
      const k = `${p.sku}|${p.scope}|${month}`;
      const item = items.get(k) ?? { sku: p.sku, scope: p.scope, month, add: new Map<string, number>() };
      const bump = (attr: string, n: number | undefined) => n && item.add.set(attr, (item.add.get(attr) ?? 0) + n);
      bump(dayAttr("d", p.day), p.demand);
      bump(dayAttr("u", p.day), p.unserved);
      bump(dayAttr("r", p.day), p.returned);
      if (item.add.size) items.set(k, item);
    }
    const updates = [...items.values()];
    if (updates.length === 0) return false;
    const per = TRANSACTION_LIMIT - 1;
    let recorded = false;
    for (let chunk = 0; chunk * per < updates.length; chunk++) {
      const marker = keys.demandRecord(source, chunk === 0 ? id : `${id}.${chunk}`);
      const transact: TransactItem[] = [
        { Put: { TableName: this.tableName, Item: { ...marker, type: ITEM_TYPES.demandRecord, recordedAt: now, expiresAt: Math.floor(Date.parse(now) / 1000) + MARKER_RETENTION_SECONDS, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" } },
        ...updates.slice(chunk * per, (chunk + 1) * per).map((u): TransactItem => {
          const attrs = [...u.add.entries()];
          const expiresAt = Math.floor(Date.parse(`${u.month}-01T00:00:00Z`) / 1000) + RETENTION_DAYS * 86_400;
          return {
            Update: {
              TableName: this.tableName,
              Key: keys.demandMonth(u.sku, u.scope, u.month),
              UpdateExpression: `SET sku = :sku, #scope = :scope, #month = :month, #t = :type, expiresAt = :exp, version = if_not_exists(version, :zero) + :one ADD ${attrs.map((_a, i) => `#a${i} :v${i}`).join(", ")}`,
              ExpressionAttributeNames: { "#t": "type", "#scope": "scope", "#month": "month", ...Object.fromEntries(attrs.map(([a], i) => [`#a${i}`, a])) },
              ExpressionAttributeValues: { ":sku": u.sku, ":scope": u.scope, ":month": u.month, ":type": ITEM_TYPES.demand, ":exp": expiresAt, ":zero": 0, ":one": 1, ...Object.fromEntries(attrs.map(([, n], i) => [`:v${i}`, n])) },
            },
          };
        }),
      ];
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: transact, ReturnConsumedCapacity: "TOTAL" }));
        recorded = true;
      } catch (error) {
        if (!failedConditionAt(error, 0)) throw error;
      }
    }
    return recorded;
  }

  async series(sku: string, scope: string, from: string, to: string): Promise<DemandSeries> {
    const days = daysBetween(from, to);
    const byMonth = new Map<string, Record<string, unknown>>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :a AND :b",
          ExpressionAttributeValues: { ":pk": keys.demandPartition(sku), ":a": `${scope}#${from.slice(0, 7)}`, ":b": `${scope}#${to.slice(0, 7)}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      for (const item of out.Items ?? []) byMonth.set(String(item.month), item);
      start = out.LastEvaluatedKey;
    } while (start);
    const at = (kind: "d" | "u" | "r", day: string) => Number(byMonth.get(day.slice(0, 7))?.[dayAttr(kind, day)] ?? 0);
    return { from, to, demand: days.map((d) => at("d", d)), unserved: days.map((d) => at("u", d)), returned: days.map((d) => at("r", d)) };
  }
}
