import { availableToPromise, type Stock } from "./catalog.js";
import { INVENTORY_EVENTS, eventIdFor, type InventoryEventType } from "./events.js";

/** A stock record as it was or is, with the version every change increments. */
export interface StockSnapshot extends Stock {
  version: number;
  updatedAt?: string;
}

/** One adjustment as journaled: who changed what, why, and the numbers before and after. */
export interface JournalEntry {
  journalId: string;
  sku: string;
  locationId: string;
  reason: string;
  actor: string;
  at: string;
  delta: number;
  before: { onHand: number; available: number };
  after: { onHand: number; available: number };
}

/** An inventory event ready to publish: its detail type, a deterministic id, and its data. */
export interface InventoryEvent {
  detailType: InventoryEventType;
  eventId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * The threshold events one stock change causes, judged on available-to-promise before and after.
 * Events fire on crossings only, so a SKU sitting below its reorder point is not re-announced on
 * every reservation: `InventoryLow` when ATP falls to or below the reorder point, `OutOfStock`
 * when it reaches 0, `BackInStock` when it rises from 0 (a first receipt at a location counts:
 * a waiting backorder can now be served there); and `AvailabilityChanged` on every change of ATP
 * (the channels' stock levels follow it, coalesced by their queue). Ids carry the stock version, so a redelivered
 * change yields the same ids and consumers drop the repeat.
 */
export function stockChangeEvents(before: StockSnapshot | undefined, after: StockSnapshot | undefined, occurredAt: string): InventoryEvent[] {
  if (!after) return [];
  const was = before ? availableToPromise(before) : 0;
  const now = availableToPromise(after);
  const data = {
    sku: after.sku,
    locationId: after.locationId,
    atp: now,
    previousAtp: was,
    onHand: after.onHand,
    reserved: after.reserved,
    safetyStock: after.safetyStock,
    reorderPoint: after.reorderPoint,
    stockVersion: after.version,
  };
  const subject = `${after.sku}@${after.locationId}.v${after.version}`;
  const event = (detailType: InventoryEventType): InventoryEvent => ({ detailType, eventId: eventIdFor(subject, detailType), occurredAt: after.updatedAt ?? occurredAt, data });
  const events: InventoryEvent[] = [];
  const wasLow = before !== undefined && was <= before.reorderPoint;
  if (before && !wasLow && now <= after.reorderPoint) events.push(event(INVENTORY_EVENTS.low));
  if (before && was > 0 && now === 0) events.push(event(INVENTORY_EVENTS.outOfStock));
  if (was === 0 && now > 0) events.push(event(INVENTORY_EVENTS.backInStock));
  if (now !== was) events.push(event(INVENTORY_EVENTS.availabilityChanged));
  return events;
}

/** `InventoryAdjusted` for one journal entry, identified by the entry. */
export function adjustmentEvent(entry: JournalEntry): InventoryEvent {
  return {
    detailType: INVENTORY_EVENTS.adjusted,
    eventId: eventIdFor(entry.journalId, INVENTORY_EVENTS.adjusted),
    occurredAt: entry.at,
    data: { ...entry },
  };
}
