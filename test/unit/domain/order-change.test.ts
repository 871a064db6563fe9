import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConflictError, ValidationError } from "../../../functions/domain/errors.js";
import { cancelLines, cancellableUnits, editOrder, retotal } from "../../../functions/domain/order-change.js";
import { orderChangeEvents, paymentEvents, type OrderHeaderImage } from "../../../functions/domain/order-events.js";
import { createOrder, type Order } from "../../../functions/domain/order.js";
import { shipmentChangeEvents } from "../../../functions/domain/shipment-events.js";
import type { Shipment } from "../../../functions/domain/shipment.js";
import { channelOrder } from "../../fixtures/orders.js";

const AT = "2026-11-22T10:00:00.000Z";
const ORDER_ID = "01JABCDEFGHJKMNPQRSTVWXYZ0";
const EUR = (amount: number) => ({ amount, currency: "EUR" });
const meta = { at: AT, actor: "ops", reason: "customer asked", idempotencyKey: "k1" };

// Subtotal 6000 (A 2 × 2500, B 1 × 1000), shipping 495, tax 1083, discount 500: 7078.
const order = (over: Partial<Order> = {}): Order => ({
  ...createOrder(channelOrder({ lines: [{ sku: "A", quantity: 2, unitPrice: EUR(2500) }, { sku: "B", quantity: 1, unitPrice: EUR(1000) }] }), ORDER_ID, AT),
  status: "ALLOCATED",
  ...over,
});
const shipment = (n: number, lines: Shipment["lines"], over: Partial<Shipment> = {}): Shipment => ({
  shipmentId: `${ORDER_ID}-S${n}`,
  orderId: ORDER_ID,
  locationId: `WH-${n}`,
  round: 1,
  lines,
  status: "RELEASED",
  history: [{ status: "RELEASED", at: AT }],
  createdAt: AT,
  updatedAt: AT,
  version: 3,
  ...over,
});

describe("cancelling lines", () => {
  it("cuts the line out of its shipment, recomputes the totals and records the change with a new revision", () => {
    const s1 = shipment(1, [{ lineId: "001", sku: "A", quantity: 2 }, { lineId: "002", sku: "B", quantity: 1 }]);
    const { order: next, change, shipments } = cancelLines(order(), [s1], { lines: [{ lineId: "002" }] }, meta);
    expect(next.lines.map((l) => [l.lineId, l.quantity, l.cancelledQuantity ?? 0, l.lineTotal.amount])).toEqual([["001", 2, 0, 5000], ["002", 0, 1, 0]]);
    expect(next.totals).toEqual({ subtotal: EUR(5000), shipping: EUR(495), tax: EUR(903), discount: EUR(417), grandTotal: EUR(5981) });
    expect(next).toMatchObject({ revision: 2, version: order().version + 1 });
    expect(change).toMatchObject({ revision: 2, kind: "cancel-lines", lines: [{ lineId: "002", from: 1, to: 0 }], shipments: [{ shipmentId: s1.shipmentId, removed: [{ lineId: "002", quantity: 1 }] }], totalsBefore: { grandTotal: EUR(7078) } });
    expect(shipments.map((s) => [s.expectedVersion, s.shipment.status, s.shipment.lines, s.shipment.version])).toEqual([[3, "RELEASED", [{ lineId: "001", sku: "A", quantity: 2 }], 4]]);
  });

  it("takes units no shipment holds first, then the newest shipment's; a shipment left with nothing is CANCELLED", () => {
    const o = order({ lines: order().lines.map((l) => (l.lineId === "001" ? { ...l, quantity: 5, lineTotal: EUR(12500) } : l)) });
    // 5 of A: 1 unrouted, 2 in S1, 2 in S2. Cancelling 4 takes the unrouted one, then S2's two, then one of S1's.
    const s1 = shipment(1, [{ lineId: "001", sku: "A", quantity: 2 }]);
    const s2 = shipment(2, [{ lineId: "001", sku: "A", quantity: 2 }]);
    const { shipments } = cancelLines(o, [s1, s2], { lines: [{ lineId: "001", quantity: 4 }] }, meta);
    expect(shipments.map((s) => [s.shipment.shipmentId.slice(-2), s.shipment.status, s.shipment.lines[0]?.quantity])).toEqual([["S2", "CANCELLED", 2], ["S1", "RELEASED", 1]]);
    expect(shipments[0]!.shipment.history.at(-1)).toMatchObject({ status: "CANCELLED", reason: "lines cancelled: customer asked" });
  });

  it("refuses units that left a location (409, pointing to returns) and unknown lines or too many units (400), changing nothing", () => {
    const shipped = shipment(1, [{ lineId: "001", sku: "A", quantity: 2 }], { status: "SHIPPED" });
    const handedOver = shipment(2, [{ lineId: "002", sku: "B", quantity: 1 }], { handover: { carrier: "c", weightGrams: 1, at: AT } });
    expect(cancellableUnits(order(), [shipped, handedOver])).toEqual(new Map([["001", 0], ["002", 0]]));
    expect(() => cancelLines(order(), [shipped, handedOver], { lines: [{ lineId: "001", quantity: 1 }] }, meta)).toThrow(ConflictError);
    expect(() => cancelLines(order(), [], { lines: [{ lineId: "009" }] }, meta)).toThrow(ValidationError);
    expect(() => cancelLines(order(), [], { lines: [{ lineId: "002", quantity: 2 }] }, meta)).toThrow(ValidationError);
    expect(() => cancelLines(order(), [], { lines: [{ lineId: "001" }, { lineId: "001" }] }, meta)).toThrow(ValidationError);
  });

  it("property: the money always adds up, and units are only ever taken from what was still at a location", () => {
    const lineArb = fc.record({ quantity: fc.integer({ min: 1, max: 5 }), price: fc.integer({ min: 0, max: 10_000 }) });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 100 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }), (lines, shipping, tax, discountPct, cancels) => {
        const base = createOrder(channelOrder({ lines: lines.map((l, i) => ({ sku: `S${i}`, quantity: l.quantity, unitPrice: EUR(l.price) })), shippingPrice: EUR(shipping), taxTotal: EUR(tax), discountTotal: EUR(Math.floor((lines.reduce((n, l) => n + l.quantity * l.price, 0) * discountPct) / 100)) }), ORDER_ID, AT);
        let o: Order = { ...base, status: "ALLOCATED" };
        // One shipment per line holding all of it; odd lines have shipped.
        let shipments = o.lines.map((l, i) => shipment(i + 1, [{ lineId: l.lineId, sku: l.sku, quantity: l.quantity }], i % 2 ? { status: "SHIPPED" } : {}));
        for (const [pick, amount] of cancels) {
          const target = o.lines[pick % o.lines.length]!;
          const can = cancellableUnits(o, shipments).get(target.lineId) ?? 0;
          if (can === 0 || target.quantity === 0) continue;
          const q = (amount % can) + 1;
          const prepared = cancelLines(o, shipments, { lines: [{ lineId: target.lineId, quantity: q }] }, { ...meta, idempotencyKey: `k${o.revision ?? 1}` });
          for (const cut of prepared.shipments) shipments = shipments.map((s) => (s.shipmentId === cut.shipment.shipmentId ? cut.shipment : s));
          o = prepared.order;
        }
        const t = o.totals;
        expect(t.subtotal.amount).toBe(o.lines.reduce((n, l) => n + l.lineTotal.amount, 0));
        expect(t.grandTotal.amount).toBe(t.subtotal.amount + t.shipping.amount + t.tax.amount - t.discount.amount);
        o.lines.forEach((l, i) => {
          expect(l.quantity + (l.cancelledQuantity ?? 0)).toBe(base.lines[i]!.quantity);
          expect(l.lineTotal.amount).toBe(l.quantity * l.unitPrice.amount);
          // Shipped lines kept every unit; the units left at a location equal what the line still asks for.
          if (i % 2) expect(l.quantity).toBe(base.lines[i]!.quantity);
          const held = shipments.filter((s) => s.status !== "CANCELLED").flatMap((s) => s.lines).filter((x) => x.lineId === l.lineId).reduce((n, x) => n + x.quantity, 0);
          expect(held).toBe(l.quantity);
        });
        expect(o.changes?.map((c) => c.revision)).toEqual(o.changes?.map((_, i) => i + 2));
      }),
      { numRuns: 300 },
    );
  });
});

describe("editing before release", () => {
  it("changes quantities, adds lines with the next ids and a new address; refused once a shipment exists or the order is past routing", () => {
    const o = order({ status: "BACKORDERED" });
    const address = { name: "G", line1: "Hafenstr. 1", city: "Hamburg", postalCode: "20457", country: "DE" };
    const { order: next, change } = editOrder(o, [], { shippingAddress: address, lines: [{ lineId: "002", quantity: 3 }], addLines: [{ sku: "C", quantity: 1, unitPrice: EUR(700) }] }, meta);
    expect(next.lines.map((l) => [l.lineId, l.sku, l.quantity])).toEqual([["001", "A", 2], ["002", "B", 3], ["003", "C", 1]]);
    expect(next.totals.subtotal).toEqual(EUR(8700));
    expect(next.shippingAddress).toEqual(address);
    expect(change).toMatchObject({ kind: "edit", revision: 2, address: { from: o.shippingAddress, to: address }, lines: [{ lineId: "002", from: 1, to: 3 }, { lineId: "003", from: 0, to: 1 }] });
    expect(() => editOrder(o, [shipment(1, [])], { lines: [{ lineId: "001", quantity: 1 }] }, meta)).toThrow(ConflictError);
    expect(() => editOrder(order({ status: "ALLOCATED" }), [], { lines: [{ lineId: "001", quantity: 1 }] }, meta)).toThrow(ConflictError);
    expect(() => editOrder(o, [], { lines: [{ lineId: "001", quantity: 0 }, { lineId: "002", quantity: 0 }] }, meta)).toThrow(ValidationError);
    expect(() => editOrder(o, [], { shippingPrice: { amount: 1, currency: "USD" } }, meta)).toThrow(ValidationError);
    expect(() => editOrder(o, [], { lines: [{ lineId: "001", quantity: 2 }] }, meta)).toThrow(ValidationError);
  });

  it("retotal keeps given totals and scales tax and discount with the subtotal otherwise", () => {
    const before = order().totals;
    expect(retotal(before, [{ lineTotal: EUR(3000) }])).toEqual({ subtotal: EUR(3000), shipping: EUR(495), tax: EUR(542), discount: EUR(250), grandTotal: EUR(3787) });
    expect(retotal(before, [{ lineTotal: EUR(3000) }], { tax: EUR(100), shipping: EUR(0) }).grandTotal).toEqual(EUR(2850));
  });
});

describe("change events", () => {
  it("OrderChanged per new change (by revision, without the idempotency key); ShipmentAmended per cut that leaves lines; PaymentAuthorizationReduced and PaymentRefunded once each", () => {
    const s1 = shipment(1, [{ lineId: "001", sku: "A", quantity: 2 }, { lineId: "002", sku: "B", quantity: 1 }]);
    const { order: next, shipments } = cancelLines(order(), [s1], { lines: [{ lineId: "002" }] }, meta);
    const image = (o: Order) => ({ ...o, grandTotal: o.totals.grandTotal, itemCount: 0, lineCount: 0 }) as unknown as OrderHeaderImage;
    const events = orderChangeEvents(image(order()), image(next));
    expect(events.map((e) => [e.detailType, e.eventId])).toEqual([["OrderChanged", `${ORDER_ID}.OrderChanged.2`]]);
    expect(events[0]!.data).not.toHaveProperty("idempotencyKey");
    expect(orderChangeEvents(image(next), image(next))).toEqual([]);
    const amended = shipmentChangeEvents(s1, shipments[0]!.shipment);
    expect(amended.map((e) => [e.detailType, e.eventId])).toEqual([["ShipmentAmended", `${s1.shipmentId}.ShipmentAmended.1`]]);
    const payment = { orderId: ORDER_ID, status: "AUTHORIZED", amount: EUR(7078), method: "card", at: AT };
    const reduced = { ...payment, amount: EUR(5981), reductions: [{ revision: 2, from: EUR(7078), to: EUR(5981), at: AT }] };
    const refunded = { ...reduced, status: "CAPTURED", refunds: { r3: { amount: EUR(5), refundId: "re_1", at: AT } }, refunded: EUR(5) };
    expect(paymentEvents(payment, reduced).map((e) => e.eventId)).toEqual([`${ORDER_ID}.PaymentAuthorizationReduced.2`]);
    expect(paymentEvents(reduced, refunded).map((e) => e.eventId)).toEqual([`${ORDER_ID}.r3.PaymentRefunded`]);
    expect(paymentEvents(refunded, refunded)).toEqual([]);
  });
});
