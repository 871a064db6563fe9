import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deliveredOrderOf } from "../../fixtures/orders.js";
import { computeTotals, lineIdFor, type Order } from "../../../functions/domain/order.js";
import { exchangeMoney, replacementFor } from "../../../functions/domain/exchange.js";
import { unitAmounts } from "../../../functions/domain/refund.js";
import type { ReturnLine } from "../../../functions/domain/return.js";

const EUR = (amount: number) => ({ amount, currency: "EUR" });

const orderOf = deliveredOrderOf;

/** A return line exchanging the first `quantity` units of line `lineId`. */
function exchangeLine(order: Order, lineId: string, quantity: number, replacement: { sku: string; quantity?: number; unitPrice?: number }): ReturnLine {
  const line = order.lines.find((l) => l.lineId === lineId)!;
  const units = Array.from({ length: quantity }, (_, u) => u);
  const amounts = unitAmounts(order).lines[lineId]!;
  return { lineId, sku: line.sku, quantity, reason: "size-too-small", resolution: "exchange", units, unitNet: units.map((u) => amounts[u]!.net), shipmentIds: [], received: 0, wrongItem: 0, dispositions: {}, replacement: { sku: replacement.sku, quantity: replacement.quantity ?? quantity, unitPrice: replacement.unitPrice ?? line.unitPrice.amount } };
}

const ret = (lines: ReturnLine[]) => ({ returnId: "01M8VVPXANXBXPRHY28BDY7ND1-R2", lines, method: "ship-back" as const, createdAt: "2026-11-10T00:00:00.000Z" });

describe("exchanges: the replacement order's price", () => {
  it("like for like (same unit price and quantity, any SKU): costs exactly what the returned units were paid, discount and tax included, whatever the order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.integer({ min: 0, max: 500_000 }), quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.nat(),
        (lines, discount, tax, pick) => {
          const order = orderOf(lines, { discount, tax });
          const i = pick % lines.length;
          const q = 1 + (pick % lines[i]!.quantity);
          const { input, value, expected } = replacementFor(order, ret([exchangeLine(order, lineIdFor(i), q, { sku: "OTHER-SIZE" })]), "regular");
          expect(value).toBe(expected);
          // The replacement's own totals (as validation and payment compute them) are that value, to the cent.
          expect(computeTotals(input).grandTotal.amount).toBe(value);
          expect(exchangeMoney(expected, Math.min(expected, value))).toEqual({ accepted: expected, credit: expected, refund: 0, charge: 0 });
        },
      ),
    );
  });

  it("at another price: the new price taxed at the returned line's rate (rounded half up), without the old discount; the difference charged or refunded", () => {
    const order = orderOf([{ price: 2000, quantity: 1 }], { discount: 0, tax: 380 });
    const dearer = replacementFor(order, ret([exchangeLine(order, "001", 1, { sku: "B", unitPrice: 3000 })]), "regular");
    expect(dearer).toMatchObject({ value: 3570, expected: 2380, input: { taxTotal: EUR(570), discountTotal: EUR(0), exchangeOf: { credit: EUR(2380), awaitingReturn: true } } });
    const cheaper = replacementFor(order, ret([exchangeLine(order, "001", 1, { sku: "B", unitPrice: 1001 })]), "advanced");
    // 1001 × 380 / 2000 = 190.19 → 190.
    expect(cheaper).toMatchObject({ value: 1191, expected: 2380, input: { exchangeOf: { mode: "advanced", credit: EUR(1191), awaitingReturn: false } } });
    expect(exchangeMoney(2380, 1191)).toEqual({ accepted: 2380, credit: 1191, refund: 1189, charge: 0 });
    // An advanced exchange whose goods never came: the whole credit is charged.
    expect(exchangeMoney(0, 2380)).toMatchObject({ refund: 0, charge: 2380 });
  });

  it("is placed under an id derived from the return (a retry finds the same order), ships to the customer, or to the store for an in-store exchange", () => {
    const order = orderOf([{ price: 1000, quantity: 2 }], { discount: 100, tax: 171 });
    const line = exchangeLine(order, "001", 2, { sku: "B" });
    const a = replacementFor(order, ret([line]), "regular");
    expect(a.input).toEqual(replacementFor(order, ret([line]), "regular").input);
    expect(a.input).toMatchObject({ externalOrderId: "ext-1/exchange-R2", placedAt: "2026-11-10T00:00:00.000Z", shippingAddress: order.shippingAddress, payment: order.payment });
    const inStore = replacementFor(order, { ...ret([line]), method: "in-store", locationId: "ST-1" }, "regular");
    expect(inStore.input).toMatchObject({ pickup: { locationId: "ST-1" } });
    expect(inStore.input.shippingAddress).toBeUndefined();
  });
});
