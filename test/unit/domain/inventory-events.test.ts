import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { availableToPromise } from "../../../functions/domain/catalog.js";
import { adjustmentEvent, stockChangeEvents, type StockSnapshot } from "../../../functions/domain/inventory-events.js";

const stock = (onHand: number, reserved: number, version: number, extra: Partial<StockSnapshot> = {}): StockSnapshot => ({
  sku: "MUG",
  locationId: "WH-BER",
  onHand,
  reserved,
  safetyStock: 0,
  reorderPoint: 5,
  version,
  ...extra,
});
// The threshold events (AvailabilityChanged, on every change of ATP, has its own test).
const types = (before: StockSnapshot | undefined, after: StockSnapshot | undefined) =>
  stockChangeEvents(before, after, "2026-11-22T00:00:00Z")
    .map((e) => e.detailType)
    .filter((t) => t !== "AvailabilityChanged");

describe("stock change events", () => {
  it("fire on crossings only", () => {
    expect(types(stock(10, 0, 1), stock(10, 3, 2))).toEqual([]); // 10 → 7
    expect(types(stock(10, 3, 2), stock(10, 5, 3))).toEqual(["InventoryLow"]); // 7 → 5, to the reorder point
    expect(types(stock(10, 5, 3), stock(10, 6, 4))).toEqual([]); // already low
    expect(types(stock(10, 6, 4), stock(10, 10, 5))).toEqual(["OutOfStock"]); // 4 → 0
    expect(types(stock(10, 3, 5), stock(10, 10, 6))).toEqual(["InventoryLow", "OutOfStock"]); // 7 → 0 in one step
    expect(types(stock(10, 10, 6), stock(10, 8, 7))).toEqual(["BackInStock"]); // 0 → 2
    expect(types(undefined, stock(3, 0, 1))).toEqual(["BackInStock"]); // a first receipt
    expect(types(undefined, stock(0, 0, 1))).toEqual([]);
    expect(types(stock(1, 0, 1), undefined)).toEqual([]); // a deleted record says nothing
  });

  it("judge ATP, so safety stock and a shortfall count", () => {
    expect(types(stock(10, 0, 1, { safetyStock: 2 }), stock(10, 0, 2, { safetyStock: 10 }))).toEqual(["InventoryLow", "OutOfStock"]);
    expect(types(stock(8, 0, 1), stock(0, 3, 2))).toEqual(["InventoryLow", "OutOfStock"]); // shortfall: ATP clamps at 0
  });

  it("carry deterministic ids from the stock version and the numbers an operator needs", () => {
    const [e] = stockChangeEvents(stock(10, 6, 4), stock(10, 10, 5, { updatedAt: "2026-11-22T10:00:00Z" }), "ignored");
    expect(e).toEqual({
      detailType: "OutOfStock",
      eventId: "MUG@WH-BER.v5.OutOfStock",
      occurredAt: "2026-11-22T10:00:00Z",
      data: { sku: "MUG", locationId: "WH-BER", atp: 0, previousAtp: 4, onHand: 10, reserved: 10, safetyStock: 0, reorderPoint: 5, stockVersion: 5 },
    });
  });

  it("announce every change of ATP (AvailabilityChanged, for the channels), and nothing when ATP stayed", () => {
    const all = (before: StockSnapshot | undefined, after: StockSnapshot) => stockChangeEvents(before, after, "t").filter((e) => e.detailType === "AvailabilityChanged");
    const [changed] = all(stock(10, 0, 1), stock(10, 3, 2));
    expect([changed?.eventId, changed?.data.atp, changed?.data.previousAtp]).toEqual(["MUG@WH-BER.v2.AvailabilityChanged", 7, 10]);
    expect(all(stock(10, 3, 2), stock(10, 3, 3, { reorderPoint: 1 }))).toEqual([]);
    expect(all(undefined, stock(3, 0, 1))).toHaveLength(1);
  });

  it("over any walk, OutOfStock and BackInStock alternate and match where ATP hit and left 0", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 40 }), (reservedSeq) => {
        let before: StockSnapshot | undefined;
        const seen: string[] = [];
        reservedSeq.forEach((reserved, i) => {
          const after = stock(12, reserved, i + 1);
          seen.push(...types(before, after).filter((t) => t !== "InventoryLow"));
          before = after;
        });
        const zeros = reservedSeq.map((r) => availableToPromise(stock(12, r, 0)) === 0);
        const expected: string[] = [];
        zeros.forEach((z, i) => {
          const was = i === 0 ? true : zeros[i - 1];
          if (was && !z) expected.push("BackInStock");
          if (!was && z) expected.push("OutOfStock");
        });
        expect(seen).toEqual(expected);
      }),
    );
  });
});

describe("adjustment events", () => {
  it("announce each journal entry once, under its journal id", () => {
    const entry = { journalId: "01J", sku: "MUG", locationId: "WH-BER", reason: "damage", actor: "ops", at: "2026-11-22T00:00:00Z", delta: -2, before: { onHand: 5, available: 5 }, after: { onHand: 3, available: 3 } };
    expect(adjustmentEvent(entry)).toEqual({ detailType: "InventoryAdjusted", eventId: "01J.InventoryAdjusted", occurredAt: entry.at, data: entry });
  });
});
