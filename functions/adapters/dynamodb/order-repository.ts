import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Order, OrderLine } from "../../domain/order.js";
import type { PreparedChange } from "../../domain/order-change.js";
import { shipmentItem } from "./shipment-store.js";
import { failedConditionAt, isConditionFailed } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { CreateOrderResult, OrderListItem, OrderQuery, OrderRepository, Page } from "../../app/ports.js";

/** Attributes the order list indexes project (see infra: the same list). */
export const ORDER_LIST_ATTRIBUTES = [
  "orderId",
  "status",
  "channel",
  "externalOrderId",
  "placedAt",
  "createdAt",
  "updatedAt",
  "grandTotal",
  "itemCount",
] as const;

type Header = Omit<Order, "lines">;

function headerItem(order: Order) {
  const { lines: _lines, ...header } = order;
  return {
    ...keys.order(order.orderId),
    ...keys.orderIndexes(order),
    type: ITEM_TYPES.order,
    ...header,
    grandTotal: order.totals.grandTotal,
    itemCount: order.lines.reduce((n, l) => n + l.quantity, 0),
    lineCount: order.lines.length,
  };
}

const STRIP = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "type", "grandTotal", "itemCount", "lineCount"];
function strip<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !STRIP.includes(k))) as T;
}

/** Orders in the single table: header item, one item per line, and the channel dedupe item. */
export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(order: Order, payloadHash: string): Promise<CreateOrderResult> {
    const dedupe = keys.channelOrder(order.channel, order.externalOrderId);
    try {
      await this.db.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: "TOTAL",
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...dedupe, type: ITEM_TYPES.channelOrder, orderId: order.orderId, payloadHash, createdAt: order.createdAt, version: 1 },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
            { Put: { TableName: this.tableName, Item: headerItem(order), ConditionExpression: "attribute_not_exists(PK)" } },
            ...order.lines.map((line) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...keys.orderLine(order.orderId, line.lineId), type: ITEM_TYPES.orderLine, orderId: order.orderId, ...line, version: 1 },
              },
            })),
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      if (!failedConditionAt(error, 0)) throw error;
      const existing = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: dedupe, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
      );
      const item = existing.Item as { orderId: string; payloadHash: string } | undefined;
      if (!item) throw error;
      return { created: false, existingOrderId: item.orderId, existingPayloadHash: item.payloadHash };
    }
  }

  async findByExternalId(channel: string, externalOrderId: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.channelOrder(channel, externalOrderId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
    return (out.Item as { orderId?: string } | undefined)?.orderId;
  }

  async get(orderId: string): Promise<Order | undefined> {
    let header: Header | undefined;
    const lines: OrderLine[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":prefix": keys.orderWithLinesPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.type === ITEM_TYPES.order) header = strip<Header>(item);
        else if (item.type === ITEM_TYPES.orderLine) {
          const { orderId: _o, version: _v, ...line } = strip<OrderLine & { orderId: string; version: number }>(item);
          lines.push(line);
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return header ? { ...header, lines } : undefined;
  }

  async saveHeader(order: Order, expectedVersion: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: headerItem(order),
          ConditionExpression: "version = :expected",
          ExpressionAttributeValues: { ":expected": expectedVersion },
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Commits an order change all or nothing: the header (if still at `expectedVersion`), the lines
   * it changed, and the shipments it cut (if each is still at the version read and not handed
   * over). `allocation` is the latest allocation round seen: if another plan was recorded since,
   * the change is refused (false) and the caller reads again, so no plan of the old lines slips by.
   */
  async commitChange(prepared: PreparedChange, expectedVersion: number, allocation: { round: number; planId?: string }): Promise<boolean> {
    const { order, change } = prepared;
    const changed = new Set(change.lines.map((l) => l.lineId));
    const orderId = order.orderId;
    const latest = keys.allocation(orderId, Math.max(1, allocation.round));
    try {
      await this.db.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: "TOTAL",
          TransactItems: [
            { Put: { TableName: this.tableName, Item: headerItem(order), ConditionExpression: "version = :expected", ExpressionAttributeValues: { ":expected": expectedVersion } } },
            ...order.lines.filter((l) => changed.has(l.lineId)).map((line) => ({ Put: { TableName: this.tableName, Item: { ...keys.orderLine(orderId, line.lineId), type: ITEM_TYPES.orderLine, orderId, ...line, version: change.revision } } })),
            ...prepared.shipments.map(({ shipment, expectedVersion: v }) => ({
              Put: { TableName: this.tableName, Item: shipmentItem(shipment), ConditionExpression: "version = :v AND attribute_not_exists(handover)", ExpressionAttributeValues: { ":v": v } },
            })),
            allocation.planId
              ? { ConditionCheck: { TableName: this.tableName, Key: latest, ConditionExpression: "planId = :p", ExpressionAttributeValues: { ":p": allocation.planId } } }
              : { ConditionCheck: { TableName: this.tableName, Key: latest, ConditionExpression: "attribute_not_exists(PK)" } },
            ...(allocation.planId ? [{ ConditionCheck: { TableName: this.tableName, Key: keys.allocation(orderId, allocation.round + 1), ConditionExpression: "attribute_not_exists(PK)" } }] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      // Something changed under us (a condition, or a concurrent transaction on the same items): read again.
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if ((error as { name?: string }).name === "TransactionCanceledException" && reasons?.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict")) return false;
      throw error;
    }
  }

  async list(query: OrderQuery): Promise<Page<OrderListItem>> {
    const target = query.status
      ? keys.ordersByStatus(query.status)
      : query.channel
        ? keys.ordersByChannel(query.channel)
        : keys.allOrders();
    const filterChannel = query.status !== undefined && query.channel !== undefined;
    const items: OrderListItem[] = [];
    let start: Record<string, unknown> | undefined = query.cursor ? decodeCursor(query.cursor, target.index) : undefined;
    // With both filters the channel is a filter expression, so a page may come back short: keep reading.
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: target.index,
          KeyConditionExpression: "#pk = :pk",
          FilterExpression: filterChannel ? "channel = :channel" : undefined,
          ExpressionAttributeNames: { "#pk": target.pk },
          ExpressionAttributeValues: { ":pk": target.value, ...(filterChannel ? { ":channel": query.channel } : {}) },
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      for (const item of page.Items ?? [])
        items.push(Object.fromEntries(ORDER_LIST_ATTRIBUTES.map((a) => [a, item[a]])) as unknown as OrderListItem);
      start = page.LastEvaluatedKey;
    } while (start && items.length < query.limit);
    return start ? { items, cursor: encodeCursor(target.index, start) } : { items };
  }
}
