import { describe, expect, it } from "vitest";
import { publishDomainEvents, type DomainChange } from "../../../functions/app/publish-domain-events.js";
import type { EventPublisher, OutgoingEvent } from "../../../functions/app/ports.js";

class FakePublisher implements EventPublisher {
  readonly sent: OutgoingEvent[] = [];
  constructor(private readonly refuse: (e: OutgoingEvent) => boolean = () => false) {}
  publish(events: OutgoingEvent[]): Promise<number[]> {
    const failed: number[] = [];
    events.forEach((e, i) => (this.refuse(e) ? failed.push(i) : this.sent.push(e)));
    return Promise.resolve(failed);
  }
}

const s = (reserved: number, version: number) => ({ sku: "MUG", locationId: "L1", onHand: 4, reserved, safetyStock: 0, reorderPoint: 1, version });
const changes: DomainChange[] = [
  { id: "100", kind: "stock", before: s(0, 1), after: s(1, 2), at: "2026-11-22T00:00:00Z" }, // 4 → 3: availability only
  { id: "101", kind: "stock", before: s(1, 2), after: s(4, 3), at: "2026-11-22T00:00:01Z" }, // 3 → 0: low + out
  { id: "102", kind: "adjustment", entry: { journalId: "J1", sku: "MUG", locationId: "L1", reason: "receipt", actor: "ops", at: "2026-11-22T00:00:02Z", delta: 5, before: { onHand: 4, available: 0 }, after: { onHand: 9, available: 5 } } },
  { id: "103", kind: "stock", before: s(4, 3), after: { ...s(4, 4), onHand: 9 }, at: "2026-11-22T00:00:02Z" }, // 0 → 5: back
];

describe("publishDomainEvents", () => {
  it("publishes each change's events from oms.inventory in stream order, with the envelope", async () => {
    const bus = new FakePublisher();
    expect(await publishDomainEvents(bus, changes)).toEqual({ published: 7 });
    expect(bus.sent.map((e) => [e.source, e.detailType, e.detail.metadata.correlationId])).toEqual([
      ["oms.inventory", "AvailabilityChanged", "100"],
      ["oms.inventory", "InventoryLow", "101"],
      ["oms.inventory", "OutOfStock", "101"],
      ["oms.inventory", "AvailabilityChanged", "101"],
      ["oms.inventory", "InventoryAdjusted", "102"],
      ["oms.inventory", "BackInStock", "103"],
      ["oms.inventory", "AvailabilityChanged", "103"],
    ]);
    expect(bus.sent[1]?.detail.metadata).toEqual({ eventId: "MUG@L1.v3.InventoryLow", version: 1, occurredAt: "2026-11-22T00:00:01Z", correlationId: "101" });
  });

  it("names the first change whose events the bus refused, so the stream resumes there", async () => {
    const bus = new FakePublisher((e) => e.detailType === "InventoryAdjusted" || e.detailType === "BackInStock");
    expect(await publishDomainEvents(bus, changes)).toEqual({ published: 5, firstFailed: "102" });
  });

  it("publishes only the availability when nothing crossed a threshold, and nothing when ATP did not move", async () => {
    const bus = new FakePublisher();
    expect(await publishDomainEvents(bus, [changes[0]!])).toEqual({ published: 1 });
    expect(bus.sent.map((e) => [e.detailType, (e.detail.data as { atp: number; previousAtp: number }).atp, (e.detail.data as { previousAtp: number }).previousAtp])).toEqual([["AvailabilityChanged", 3, 4]]);
    const still = new FakePublisher();
    expect(await publishDomainEvents(still, [{ id: "104", kind: "stock", before: s(1, 2), after: { ...s(1, 3), reorderPoint: 2 }, at: "2026-11-22T00:00:03Z" }])).toEqual({ published: 0 });
  });
});
