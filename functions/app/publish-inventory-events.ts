import { EVENT_SOURCES, EVENT_VERSION } from "../domain/events.js";
import { adjustmentEvent, stockChangeEvents, type InventoryEvent, type JournalEntry, type StockSnapshot } from "../domain/inventory-events.js";
import type { EventPublisher, OutgoingEvent } from "../domain/ports.js";

/** One change read from the table's change stream, already typed. */
export type InventoryChange =
  | { id: string; kind: "stock"; before?: StockSnapshot; after?: StockSnapshot; at: string }
  | { id: string; kind: "adjustment"; entry: JournalEntry };

/**
 * Turns a batch of stock and journal changes into inventory events and publishes them, in stream
 * order. Returns the id of the first change whose events could not all be published (the stream
 * resumes there, re-publishing later ones under the same event ids), or undefined when all went out.
 */
export async function publishInventoryEvents(publisher: EventPublisher, changes: InventoryChange[]): Promise<{ published: number; firstFailed?: string }> {
  const events: OutgoingEvent[] = [];
  const origin: string[] = [];
  for (const change of changes) {
    const produced: InventoryEvent[] = change.kind === "stock" ? stockChangeEvents(change.before, change.after, change.at) : [adjustmentEvent(change.entry)];
    for (const e of produced) {
      events.push({
        source: EVENT_SOURCES.inventory,
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
