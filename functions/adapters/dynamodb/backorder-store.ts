import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ITEM_TYPES, keys } from "./keys.js";
import type { BackorderStore } from "../../app/ports.js";

/** Backordered orders: one item per (SKU, order) for "who waits for this SKU", and one per order with the token. */
export class DynamoBackorderStore implements BackorderStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async park(orderId: string, skus: string[], token: string, at: string, shipmentId?: string, units?: Record<string, number>): Promise<void> {
    const prior = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.backorderOfOrder(orderId), ConsistentRead: true }));
    // Parked again (a retried step): the order keeps its place in the queue.
    const parkedAt = (prior.Item?.parkedAt as string | undefined) ?? at;
    // Parked again with other SKUs (its lines were changed): it stays listed under the earlier ones too, so unpark finds every entry.
    skus = [...new Set([...((prior.Item?.skus as string[] | undefined) ?? []), ...skus])];
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...keys.backorderOfOrder(orderId), type: ITEM_TYPES.backorder, orderId, skus, token, parkedAt, ...(shipmentId ? { shipmentId } : {}), version: 1 } } },
          ...skus.map((sku) => ({ Put: { TableName: this.tableName, Item: { ...keys.backorderOfSku(sku, parkedAt, orderId), type: ITEM_TYPES.backorder, orderId, sku, parkedAt, ...(units?.[sku] ? { units: units[sku] } : {}), version: 1 } } })),
        ],
      }),
    );
  }

  async unpark(orderId: string): Promise<void> {
    const prior = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.backorderOfOrder(orderId), ConsistentRead: true }));
    if (!prior.Item) return;
    const { skus, parkedAt } = prior.Item as { skus: string[]; parkedAt: string };
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [{ Delete: { TableName: this.tableName, Key: keys.backorderOfOrder(orderId) } }, ...skus.map((sku) => ({ Delete: { TableName: this.tableName, Key: keys.backorderOfSku(sku, parkedAt, orderId) } }))],
      }),
    );
  }

  async parkingOf(orderId: string): Promise<{ token: string; shipmentId?: string } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.backorderOfOrder(orderId), ConsistentRead: true }));
    if (typeof out.Item?.token !== "string") return undefined;
    return { token: out.Item.token, ...(typeof out.Item.shipmentId === "string" ? { shipmentId: out.Item.shipmentId } : {}) };
  }

  async tokenOf(orderId: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.backorderOfOrder(orderId), ConsistentRead: true }));
    return out.Item?.token as string | undefined;
  }

  /** Units of the SKU the parked orders wait for (what planning counts as backordered). */
  async unitsWaitingFor(sku: string): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": keys.backordersOfSku(sku) }, ProjectionExpression: "units", ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const i of out.Items ?? []) total += Number(i.units ?? 0);
      start = out.LastEvaluatedKey;
    } while (start);
    return total;
  }

  async waitingFor(sku: string, limit: number): Promise<string[]> {
    const out = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": keys.backordersOfSku(sku) }, Limit: limit, ConsistentRead: true }));
    return (out.Items ?? []).map((i) => String(i.orderId));
  }
}
