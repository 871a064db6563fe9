import { EVENT_SOURCES, EVENT_VERSION } from "../domain/events.js";
import { adjustmentEvent, stockChangeEvents, type JournalEntry, type StockSnapshot } from "../domain/inventory-events.js";
import { orderChangeEvents, paymentEvents, type OrderHeaderImage } from "../domain/order-events.js";
import type { PaymentRecord } from "../domain/payment.js";
import type { Return } from "../domain/return.js";
import { returnChangeEvents } from "../domain/return-events.js";
import type { Shipment } from "../domain/shipment.js";
import { shipmentChangeEvents } from "../domain/shipment-events.js";
import type { EventPublisher, OutgoingEvent } from "./ports.js";
import type { PurchaseOrder } from "../domain/purchasing.js";
import { purchaseOrderEvents } from "../domain/purchasing-events.js";

/** One change read from the table's change stream, already typed. */
export type DomainChange =
  | { id: string; kind: "stock"; before?: StockSnapshot; after?: StockSnapshot; at: string }
  | { id: string; kind: "adjustment"; entry: JournalEntry }
  | { id: string; kind: "order"; before?: OrderHeaderImage; after?: OrderHeaderImage }
  | { id: string; kind: "payment"; before?: PaymentRecord; after?: PaymentRecord }
  | { id: string; kind: "shipment"; before?: Shipment; after?: Shipment }
  | { id: string; kind: "return"; before?: Return; after?: Return }
  | { id: string; kind: "purchase-order"; before?: PurchaseOrder; after?: PurchaseOrder };

const produce = (change: DomainChange) => {
  switch (change.kind) {
    case "stock":
      return stockChangeEvents(change.before, change.after, change.at).map((e) => ({ source: EVENT_SOURCES.inventory, ...e }));
    case "adjustment":
      return [{ source: EVENT_SOURCES.inventory, ...adjustmentEvent(change.entry) }];
    case "order":
      return orderChangeEvents(change.before, change.after).map((e) => ({ source: EVENT_SOURCES.orders, ...e }));
    case "payment":
      return paymentEvents(change.before, change.after).map((e) => ({ source: EVENT_SOURCES.orders, ...e }));
    case "shipment":
      return shipmentChangeEvents(change.before, change.after).map((e) => ({ source: EVENT_SOURCES.fulfillment, ...e }));
    case "return":
      return returnChangeEvents(change.before, change.after).map((e) => ({ source: EVENT_SOURCES.returns, ...e }));
    case "purchase-order":
      return purchaseOrderEvents(change.before, change.after).map((e) => ({ source: EVENT_SOURCES.purchasing, ...e }));
  }
};

/**
 * Turns a batch of order, stock and journal changes into domain events and publishes them, in
 * stream order. Returns the id of the first change whose events could not all be published (the stream
 * resumes there, re-publishing later ones under the same event ids), or undefined when all went out.
 */
export async function publishDomainEvents(publisher: EventPublisher, changes: DomainChange[]): Promise<{ published: number; firstFailed?: string }> {
  const events: OutgoingEvent[] = [];
  const origin: string[] = [];
  for (const change of changes) {
    for (const e of produce(change)) {
      events.push({
        source: e.source,
        detailType: e.detailType,
        detail: { metadata: { eventId: e.eventId, version: EVENT_VERSION, occurredAt: e.occurredAt, correlationId: change.id }, data: e.data },
      });
      origin.push(change.id);
    }
  }
  if (events.length === 0) return { published: 0 };
  const failed = await publisher.publish(events);
  if (failed.length === 0) return { published: events.length };
  return { published: events.length - failed.length, firstFailed: origin[Math.min(...failed)] };
}
