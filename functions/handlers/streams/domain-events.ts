import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { ITEM_TYPES } from "../../adapters/dynamodb/keys.js";
import { publishDomainEvents, type DomainChange } from "../../app/publish-domain-events.js";
import type { JournalEntry, StockSnapshot } from "../../domain/inventory-events.js";
import type { OrderHeaderImage } from "../../domain/order-events.js";
import type { PaymentRecord } from "../../domain/payment.js";
import type { Return } from "../../domain/return.js";
import type { PurchaseOrder } from "../../domain/purchasing.js";
import type { Shipment } from "../../domain/shipment.js";
import { taskHandler } from "../../shared/middy.js";
import { logger } from "../../shared/powertools.js";
import * as root from "../composition-root.js";

const publisher = root.eventPublisher();

const image = (i: Record<string, unknown> | undefined) => (i ? unmarshall(i as Record<string, AttributeValue>) : undefined);

/** The stream record as a typed change, or undefined for items this consumer does not watch. */
function toChange(record: DynamoDBRecord): DomainChange | undefined {
  const id = record.dynamodb?.SequenceNumber ?? record.eventID ?? "";
  const before = image(record.dynamodb?.OldImage);
  const after = image(record.dynamodb?.NewImage);
  const type = ((after ?? before) as { type?: unknown } | undefined)?.type;
  const at = new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString();
  if (type === ITEM_TYPES.stock) return { id, kind: "stock", before: before as StockSnapshot | undefined, after: after as StockSnapshot | undefined, at };
  if (type === ITEM_TYPES.adjustment && record.eventName === "INSERT" && after) return { id, kind: "adjustment", entry: after as unknown as JournalEntry };
  if (type === ITEM_TYPES.payment) return { id, kind: "payment", before: before as PaymentRecord | undefined, after: after as PaymentRecord | undefined };
  if (type === ITEM_TYPES.shipment) return { id, kind: "shipment", before: before as Shipment | undefined, after: after as Shipment | undefined };
  if (type === ITEM_TYPES.return) return { id, kind: "return", before: before as Return | undefined, after: after as Return | undefined };
  if (type === ITEM_TYPES.purchaseOrder) return { id, kind: "purchase-order", before: before as PurchaseOrder | undefined, after: after as PurchaseOrder | undefined };
  if (type === ITEM_TYPES.order) return { id, kind: "order", before: before as OrderHeaderImage | undefined, after: after as OrderHeaderImage | undefined };
  return undefined;
}

/**
 * Consumer of the table's change stream (filtered to order headers, stock items and new journal
 * entries): publishes the order events (OrderCreated, OrderConfirmed, ...) and the inventory
 * events (InventoryLow, OutOfStock, BackInStock, InventoryAdjusted). A failure to publish reports
 * the first unpublished record, so Lambda retries from there and nothing is skipped.
 */
export const handler = taskHandler(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const changes = event.Records.map(toChange).filter((c): c is DomainChange => c !== undefined);
  const result = await publishDomainEvents(publisher, changes);
  logger.info("Domain events", { records: event.Records.length, changes: changes.length, ...result });
  return { batchItemFailures: result.firstFailed ? [{ itemIdentifier: result.firstFailed }] : [] };
});
