import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Incoming } from "../../domain/catalog.js";
import { NotFoundError } from "../../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import { supplyOf, type PurchaseOrder, type Supplier, type SupplierInput, type SupplyTerms } from "../../domain/purchasing.js";
import { isConditionFailed, writeIf } from "./client.js";
import { indexPage } from "./cursor.js";
import { cancellation, getItems, keyOf, queryAll, stripKeys, type Item, type StoredStock, type TransactItem } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { IncomingTarget, PurchaseOrderChange, PurchasingStore } from "../../app/ports.js";

const strip = (i: Item) => {
  const { PK: _a, SK: _b, GSI1PK: _c, GSI1SK: _d, GSI2PK: _e, GSI2SK: _f, GSI3PK: _g, GSI3SK: _h, type: _t, ...rest } = i;
  return rest;
};


/**
 * Suppliers (with each SKU's terms copied into the SKU's partition for the planner), purchase
 * orders (one open draft per supplier and location, by a pointer item), their receipts, and the
 * incoming stock an approved order puts on its location's stock records.
 */
export class DynamoPurchasing implements PurchasingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putSupplier(supplierId: string, input: SupplierInput, now: string): Promise<Supplier> {
    const prior = await this.getSupplier(supplierId);
    const supplier: Supplier = { supplierId, ...input, updatedAt: now, version: (prior?.version ?? 0) + 1 };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.supplier(supplierId), ...keys.supplierIndex(supplierId), type: ITEM_TYPES.supplier, ...supplier } }));
    // The SKUs' copies follow (idempotent: a PUT again converges); SKUs dropped from the list lose theirs.
    const terms = supplyOf(supplier);
    const dropped = (prior?.skus ?? []).filter((k) => !input.skus.some((s) => s.sku === k.sku));
    const writes = [
      ...terms.map((t) => ({ PutRequest: { Item: { ...keys.supply(t.sku, supplierId), type: ITEM_TYPES.supply, ...t } } })),
      ...dropped.map((k) => ({ DeleteRequest: { Key: keys.supply(k.sku, supplierId) } })),
    ];
    for (let i = 0; i < writes.length; i += 25) {
      let pending: unknown[] | undefined = writes.slice(i, i + 25);
      for (let round = 0; pending?.length; round++) {
        if (round > 8) throw new Error("DynamoDB kept returning unprocessed writes");
        if (round) await new Promise((r) => setTimeout(r, 25 * 2 ** round));
        const out: { UnprocessedItems?: Record<string, unknown[]> } = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
        pending = out.UnprocessedItems?.[this.tableName];
      }
    }
    return supplier;
  }

  async getSupplier(supplierId: string): Promise<Supplier | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.supplier(supplierId), ConsistentRead: true }));
    return out.Item ? (strip(out.Item) as unknown as Supplier) : undefined;
  }

  async listSuppliers(limit: number, cursor?: string): Promise<{ items: Supplier[]; cursor?: string }> {
    const page = await indexPage(this.db, this.tableName, keys.suppliers(), limit, cursor);
    const found = await getItems(this.db, this.tableName, page.items.map((i) => ({ PK: String(i.PK), SK: String(i.SK) })));
    const items = page.items.flatMap((i) => (found.get(keyOf(i)) ? [strip(found.get(keyOf(i))!) as unknown as Supplier] : []));
    return page.cursor ? { items, cursor: page.cursor } : { items };
  }

  /** A SKU's sources, each supplier's terms. */
  async supplyOf(sku: string): Promise<SupplyTerms[]> {
    return (await queryAll(this.db, this.tableName, keys.skuPartition(sku), keys.supplyPrefix)).map((i) => stripKeys(i) as unknown as SupplyTerms);
  }

  async get(poId: string): Promise<PurchaseOrder | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.purchaseOrder(poId), ConsistentRead: true }));
    return out.Item ? (strip(out.Item) as unknown as PurchaseOrder) : undefined;
  }

  async list(filter: { status?: string; supplierId?: string }, limit: number, cursor?: string): Promise<{ items: PurchaseOrder[]; cursor?: string }> {
    const target = filter.supplierId ? keys.purchaseOrdersBySupplier(filter.supplierId) : filter.status ? keys.purchaseOrdersByStatus(filter.status) : keys.allPurchaseOrders();
    const page = await indexPage(this.db, this.tableName, target, limit, cursor);
    const found = await getItems(this.db, this.tableName, page.items.map((i) => ({ PK: String(i.PK), SK: String(i.SK) })));
    let items = page.items.flatMap((i) => (found.get(keyOf(i)) ? [strip(found.get(keyOf(i))!) as unknown as PurchaseOrder] : []));
    if (filter.supplierId && filter.status) items = items.filter((p) => p.status === filter.status);
    return page.cursor ? { items, cursor: page.cursor } : { items };
  }

  /** The open draft of a supplier for a location, if there is one. */
  async draftOf(supplierId: string, locationId: string): Promise<PurchaseOrder | undefined> {
    const pointer = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.draftPurchaseOrder(supplierId, locationId), ConsistentRead: true }));
    const po = pointer.Item ? await this.get(String(pointer.Item.poId)) : undefined;
    return po?.status === "DRAFT" ? po : undefined;
  }

  private item(po: PurchaseOrder) {
    return { ...keys.purchaseOrder(po.poId), ...keys.purchaseOrderIndexes(po), type: ITEM_TYPES.purchaseOrder, ...po };
  }

  /** Creates a draft and makes it the supplier's open draft for the location; false when another draft took that place first. */
  async createDraft(po: PurchaseOrder, replacing?: string): Promise<boolean> {
    const pointer = keys.draftPurchaseOrder(po.supplierId, po.locationId);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: this.item(po), ConditionExpression: "attribute_not_exists(PK)" } },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...pointer, type: ITEM_TYPES.draftPurchaseOrder, poId: po.poId, version: 1 },
                ConditionExpression: replacing ? "poId = :old" : "attribute_not_exists(PK)",
                ...(replacing ? { ExpressionAttributeValues: { ":old": replacing } } : {}),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellation(error)) return false;
      throw error;
    }
  }

  /**
   * Saves a purchase order written at `expectedVersion`, together with its incoming stock (each
   * SKU's entry under the order's reference set to the target; 0 removes it) and other items
   * (a receipt), all or nothing. False when the order or a stock record changed meanwhile.
   */
  async save(options: PurchaseOrderChange, expectedVersion: number): Promise<boolean> {
    const po = options.po;
    const items: TransactItem[] = [{ Put: { TableName: this.tableName, Item: this.item(po), ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": expectedVersion } } }];
    if (options.dropDraftPointer) items.push({ Delete: { TableName: this.tableName, Key: keys.draftPurchaseOrder(po.supplierId, po.locationId), ConditionExpression: "attribute_not_exists(PK) OR poId = :id", ExpressionAttributeValues: { ":id": po.poId } } });
    if (options.incoming?.size) items.push(...(await this.incomingWrites(po, options.incoming)));
    if (options.receipt) items.push(this.receiptItem(po.poId, options.receipt.receiptId, options.receipt.body));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: "TOTAL" }));
      return true;
    } catch (error) {
      if (cancellation(error)?.some((r) => r?.Code === "ConditionalCheckFailed")) return false;
      throw error;
    }
  }

  private async incomingWrites(po: PurchaseOrder, target: IncomingTarget): Promise<TransactItem[]> {
    const skus = [...target.keys()];
    const found = await getItems(this.db, this.tableName, skus.map((s) => keys.stock(s, po.locationId)));
    return skus.flatMap((sku): TransactItem[] => {
      const want = target.get(sku)!;
      const key = keys.stock(sku, po.locationId);
      const stored = found.get(keyOf(key)) as unknown as StoredStock | undefined;
      const others = (stored?.incoming ?? []).filter((i) => i.reference !== po.poId);
      const current = (stored?.incoming ?? []).find((i) => i.reference === po.poId);
      if ((current?.quantity ?? 0) === want.quantity && (want.quantity === 0 || current?.expectedAt === want.expectedAt)) return [];
      const incoming: Incoming[] = want.quantity > 0 ? [...others, { reference: po.poId, source: "purchase-order", quantity: want.quantity, expectedAt: want.expectedAt }] : others;
      if (stored)
        return [{ Update: { TableName: this.tableName, Key: key, UpdateExpression: "SET incoming = :inc, version = version + :one", ConditionExpression: "version = :v", ExpressionAttributeValues: { ":inc": incoming, ":one": 1, ":v": stored.version } } }];
      if (want.quantity === 0) return [];
      // The first stock of a SKU at a location may well arrive by purchase order.
      return [{ Put: { TableName: this.tableName, Item: { ...key, ...keys.stockIndex(sku, po.locationId), type: ITEM_TYPES.stock, sku, locationId: po.locationId, onHand: 0, reserved: 0, safetyStock: 0, reorderPoint: 0, available: 0, incoming, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" } }];
    });
  }

  /** A receipt's record, written with the order's update: a receipt id is applied once. */
  private receiptItem(poId: string, receiptId: string, body: Record<string, unknown>): TransactItem {
    return { Put: { TableName: this.tableName, Item: { ...keys.purchaseOrderReceipt(poId, receiptId), type: ITEM_TYPES.purchaseOrderReceipt, poId, receiptId, ...body, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" } };
  }

  async receipt(poId: string, receiptId: string): Promise<Item | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.purchaseOrderReceipt(poId, receiptId), ConsistentRead: true }));
    return out.Item ? strip(out.Item) : undefined;
  }

  async receipts(poId: string): Promise<Item[]> {
    const out = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": keys.purchaseOrderPartition(poId), ":p": "RECEIPT#" }, ConsistentRead: true }));
    return (out.Items ?? []).map(strip);
  }

  /** The purchase order the supplier's draft pointer for the location names (a draft, or one approved since). */
  async pointerOf(supplierId: string, locationId: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.draftPurchaseOrder(supplierId, locationId), ConsistentRead: true }));
    return out.Item ? String(out.Item.poId) : undefined;
  }

  async alertRaised(kind: string, id: string): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.alert(kind, id), ConsistentRead: true }));
    return out.Item !== undefined;
  }

  /** Each sending of a purchase order to its supplier, per event: claimed before the call, done after. */
  readonly deliveries = {
    claimed: async (poId: string, eventId: string): Promise<boolean> => {
      const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: keys.purchaseOrderPartition(poId), SK: `DELIVERY#${eventId}` }, ConsistentRead: true }));
      return out.Item?.status === "DONE";
    },
    claim: async (poId: string, eventId: string, at: string): Promise<void> => {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { PK: keys.purchaseOrderPartition(poId), SK: `DELIVERY#${eventId}`, type: "PurchaseOrderDelivery", poId, eventId, status: "CLAIMED", claimedAt: at, version: 1 }, ConditionExpression: "attribute_not_exists(PK) OR #s <> :done", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":done": "DONE" } }));
    },
    done: async (poId: string, eventId: string, outcome: Record<string, unknown>): Promise<void> => {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { PK: keys.purchaseOrderPartition(poId), SK: `DELIVERY#${eventId}`, type: "PurchaseOrderDelivery", poId, eventId, ...outcome, status: "DONE", version: 2 } }));
    },
    of: async (poId: string): Promise<Item[]> => {
      const out = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": keys.purchaseOrderPartition(poId), ":p": "DELIVERY#" }, ConsistentRead: true }));
      return (out.Items ?? []).map(strip);
    },
  };

  /** Raises an alert once per (kind, id): true the first time. */
  async raiseOnce(kind: string, id: string, body: Record<string, unknown>): Promise<boolean> {
    return writeIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.alert(kind, id), type: ITEM_TYPES.alert, kind, id, ...body, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" })));
  }

  /** Runs `change` on the current order until it saves (optimistic); NotFoundError when it does not exist. */
  async update(poId: string, change: (po: PurchaseOrder) => Promise<PurchaseOrderChange | undefined>): Promise<PurchaseOrder> {
    return withOptimisticRetry(`Purchase order ${poId}`, async () => {
      const po = await this.get(poId);
      if (!po) throw new NotFoundError(`Purchase order ${poId} does not exist`);
      const next = await change(po);
      if (!next) return po;
      const saved = { ...next.po, version: po.version + 1 };
      try {
        return (await this.save({ ...next, po: saved }, po.version)) ? saved : AGAIN;
      } catch (error) {
        if (isConditionFailed(error)) return AGAIN;
        throw error;
      }
    });
  }
}
