import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ReturnLedger } from "../../domain/return-eligibility.js";
import { orderIdOfReturn, type Return, type ReturnStatus } from "../../domain/return.js";
import type { Page, ReturnStore, StoredReturn } from "../../app/ports.js";
import { batchGetAll, isConditionFailed, writeIf } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ttlFrom } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";

const TOKEN_KINDS = ["approval", "goods", "manual"] as const;
const tokenAttribute = (kind: (typeof TOKEN_KINDS)[number]) => `${kind}Token`;
const strip = ({ PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, GSI2PK: _e, GSI2SK: _f, GSI3PK: _g, GSI3SK: _h, type: _t, approvalToken, goodsToken, manualToken, ...rest }: Record<string, unknown>) => {
  const tokens = Object.fromEntries(Object.entries({ approval: approvalToken, goods: goodsToken, manual: manualToken }).filter(([, v]) => typeof v === "string"));
  return { ...rest, ...(Object.keys(tokens).length ? { tokens } : {}) } as unknown as StoredReturn;
};
/** The item of a return; the tokens it was read with are written back (a token parked since bumped the version, so this write would fail). */
const item = (r: Return) => {
  const { tokens, ...rest } = r as StoredReturn;
  return { ...keys.returnOf(r.orderId, r.returnId), ...keys.returnIndexes(r), type: ITEM_TYPES.return, ...rest, ...Object.fromEntries(TOKEN_KINDS.flatMap((k) => (tokens?.[k] ? [[tokenAttribute(k), tokens[k]]] : []))) };
};

/** Returns beside their order, the units each order's returns hold, and the request keys that made them. */
export class DynamoReturnStore implements ReturnStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(returnId: string): Promise<StoredReturn | undefined> {
    const orderId = orderIdOfReturn(returnId);
    if (!orderId) return undefined;
    const out = await this.db.send(new GetCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: keys.returnOf(orderId, returnId), ConsistentRead: true }));
    return out.Item ? strip(out.Item) : undefined;
  }

  async ofOrder(orderId: string): Promise<StoredReturn[]> {
    const out: StoredReturn[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":p": keys.returnPrefix }, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      out.push(...(page.Items ?? []).map(strip));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async ledger(orderId: string): Promise<{ ledger: ReturnLedger; version: number }> {
    const out = await this.db.send(new GetCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: keys.returnLedger(orderId), ConsistentRead: true }));
    if (!out.Item) return { ledger: { units: {}, count: 0 }, version: 0 };
    return { ledger: { units: out.Item.units as ReturnLedger["units"], count: Number(out.Item.count), ...(out.Item.shippingBy ? { shippingBy: String(out.Item.shippingBy) } : {}) }, version: Number(out.Item.version) };
  }

  async byRequestKey(orderId: string, idempotencyKey: string): Promise<{ returnId: string; requestHash: string } | undefined> {
    const out = await this.db.send(new GetCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: keys.idempotency(`returns#${orderId}`, idempotencyKey), ConsistentRead: true }));
    return out.Item ? { returnId: String(out.Item.returnId), requestHash: String(out.Item.requestHash) } : undefined;
  }

  async create(r: Return, ledger: ReturnLedger, ledgerVersion: number): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: "TOTAL",
          TransactItems: [
            { Put: { TableName: this.tableName, Item: item(r), ConditionExpression: "attribute_not_exists(PK)" } },
            this.ledgerWrite(r.orderId, ledger, ledgerVersion),
            { Put: { TableName: this.tableName, Item: { ...keys.idempotency(`returns#${r.orderId}`, r.idempotencyKey), type: ITEM_TYPES.idempotency, returnId: r.returnId, requestHash: r.requestHash, at: r.createdAt, expiresAt: ttlFrom(r.createdAt), version: 1 }, ConditionExpression: "attribute_not_exists(PK)" } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "TransactionCanceledException") return false;
      throw error;
    }
  }

  async save(r: Return, expectedVersion: number, ledger?: { ledger: ReturnLedger; version: number }): Promise<boolean> {
    const put = { TableName: this.tableName, Item: item(r), ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": expectedVersion } };
    if (!ledger) return writeIf(this.db.send(new PutCommand({ ...put, ReturnConsumedCapacity: "TOTAL" })));
    try {
      await this.db.send(new TransactWriteCommand({ ReturnConsumedCapacity: "TOTAL", TransactItems: [{ Put: put }, this.ledgerWrite(r.orderId, ledger.ledger, ledger.version)] }));
      return true;
    } catch (error) {
      if ((error as Error).name === "TransactionCanceledException") return false;
      throw error;
    }
  }

  /** Keeps a waiting workflow step's task token on the return; the version moves, so a save that read the return before cannot drop the token. */
  async setToken(returnId: string, kind: "approval" | "goods" | "manual", token: string): Promise<void> {
    const orderId = orderIdOfReturn(returnId)!;
    try {
      await this.db.send(
        new UpdateCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: keys.returnOf(orderId, returnId), UpdateExpression: "SET #k = :t, version = version + :one", ExpressionAttributeNames: { "#k": tokenAttribute(kind) }, ExpressionAttributeValues: { ":t": token, ":one": 1 }, ConditionExpression: "attribute_exists(PK)" }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** The label's tracking number, so the carrier's updates find the return. */
  async indexTracking(carrier: string, trackingNumber: string, returnId: string): Promise<void> {
    await writeIf(this.db.send(new PutCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Item: { ...keys.tracking(carrier, trackingNumber), type: ITEM_TYPES.tracking, returnId, orderId: orderIdOfReturn(returnId), version: 1 }, ConditionExpression: "attribute_not_exists(PK)" })));
  }

  async byTracking(carrier: string, trackingNumber: string): Promise<StoredReturn | undefined> {
    const out = await this.db.send(new GetCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: keys.tracking(carrier, trackingNumber), ConsistentRead: true }));
    return out.Item?.returnId ? this.get(String(out.Item.returnId)) : undefined;
  }

  async list(query: { status?: ReturnStatus; channel?: string; from?: string; to?: string; limit: number; cursor?: string }): Promise<Page<StoredReturn>> {
    const target = query.status ? keys.returnsByStatus(query.status) : query.channel ? keys.returnsByChannel(query.channel) : keys.allReturns();
    const filterChannel = query.status !== undefined && query.channel !== undefined;
    const range = query.from !== undefined || query.to !== undefined;
    const found: { PK: string; SK: string }[] = [];
    let start: Record<string, unknown> | undefined = query.cursor ? decodeCursor(query.cursor, target.index) : undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          ReturnConsumedCapacity: "TOTAL",
          TableName: this.tableName,
          IndexName: target.index,
          KeyConditionExpression: `#pk = :pk${range ? " AND #sk BETWEEN :from AND :to" : ""}`,
          FilterExpression: filterChannel ? "channel = :channel" : undefined,
          ExpressionAttributeNames: { "#pk": target.pk, ...(range ? { "#sk": target.sk } : {}) },
          ExpressionAttributeValues: { ":pk": target.value, ...(filterChannel ? { ":channel": query.channel } : {}), ...(range ? { ":from": query.from ?? "", ":to": `${query.to ?? "9999"}~` } : {}) },
          ScanIndexForward: false,
          Limit: query.limit - found.length,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(page.Items ?? []).map((i) => ({ PK: String(i.PK), SK: String(i.SK) })));
      start = page.LastEvaluatedKey;
    } while (start && found.length < query.limit);
    const full = new Map((await batchGetAll(this.db, this.tableName, found)).map((i) => [`${String(i.PK)}|${String(i.SK)}`, strip(i)]));
    const items = found.flatMap((k) => full.get(`${k.PK}|${k.SK}`) ?? []);
    return start ? { items, cursor: encodeCursor(target.index, start) } : { items };
  }

  /** Records store credit issued to a customer by a return, once. */
  async issueStoreCredit(email: string, returnId: string, amount: { amount: number; currency: string }, at: string): Promise<void> {
    await writeIf(this.db.send(new PutCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Item: { ...keys.storeCredit(email, returnId), type: ITEM_TYPES.storeCredit, email: email.toLowerCase(), returnId, amount, at, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" })));
  }

  private ledgerWrite(orderId: string, ledger: ReturnLedger, version: number) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.returnLedger(orderId), type: ITEM_TYPES.returnLedger, orderId, units: ledger.units, count: ledger.count, ...(ledger.shippingBy ? { shippingBy: ledger.shippingBy } : {}), version: version + 1 },
        ConditionExpression: version === 0 ? "attribute_not_exists(PK)" : "version = :lv",
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ":lv": version } }),
      },
    };
  }
}
