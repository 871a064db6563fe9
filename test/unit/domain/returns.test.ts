import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deliveredOrderOf } from "../../fixtures/orders.js";
import { lineIdFor, type Order } from "../../../functions/domain/order.js";
import type { PaymentRecord } from "../../../functions/domain/payment.js";
import { allocate, computeRefund, planRefund, refundable, unitAmounts } from "../../../functions/domain/refund.js";
import { checkEligibility, emptyLedger, giveBackUnits, takeUnits, type ReturnLedger, type ShipmentFacts } from "../../../functions/domain/return-eligibility.js";
import { defaultReturnPolicy } from "../../../functions/domain/return-policy.js";
import { RETURN_STATUSES, RETURN_TRANSITIONS, applyReturnEvent, canReturnTransition, moveReturn, settlementOf, type Return, type ReturnStatus } from "../../../functions/domain/return.js";

const EUR = (amount: number) => ({ amount, currency: "EUR" });

const orderOf = deliveredOrderOf;

const orders = fc
  .record({
    lines: fc.array(fc.record({ price: fc.integer({ min: 0, max: 500_000 }), quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 5 }),
    discount: fc.integer({ min: 0, max: 200_000 }),
    tax: fc.integer({ min: 0, max: 100_000 }),
    shipping: fc.integer({ min: 0, max: 5_000 }),
  })
  .map((o) => orderOf(o.lines, o));

describe("unit amounts (largest remainder)", () => {
  it("allocate: integer parts that sum exactly to the total, each within one unit of its exact share", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        const parts = allocate(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        const sum = weights.reduce((a, b) => a + b, 0);
        parts.forEach((p, i) => {
          expect(Number.isInteger(p)).toBe(true);
          const exact = sum > 0 ? (total * weights[i]!) / sum : total / weights.length;
          expect(Math.abs(p - exact)).toBeLessThan(1);
        });
      }),
    );
  });

  it("every unit's net plus shipping is the grand total, and each line's units sum to the line (discount never taxed)", () => {
    fc.assert(
      fc.property(orders, (order) => {
        const u = unitAmounts(order);
        const nets = Object.values(u.lines).flat();
        expect(nets.reduce((n, x) => n + x.net, 0) + u.shipping).toBe(order.totals.grandTotal.amount);
        expect(nets.reduce((n, x) => n + x.discount, 0)).toBe(order.totals.discount.amount);
        expect(nets.reduce((n, x) => n + x.tax, 0)).toBe(order.totals.tax.amount);
        for (const x of nets) expect(x.net).toBe(x.price - x.discount + x.tax);
      }),
    );
  });
});

/** A payment record with one capture per shipment, as the order workflow leaves it. */
const captured = (amounts: number[]): PaymentRecord => ({
  orderId: "o",
  status: "CAPTURED",
  method: "card",
  amount: EUR(amounts.reduce((a, b) => a + b, 0)),
  at: "",
  captures: Object.fromEntries(amounts.map((a, i) => [`o-S${i + 1}`, { amount: EUR(a), units: 1, captureId: `cap_${i}` }])),
});

describe("the refund ledger", () => {
  it("for any sequence of partial refunds: never more than a capture took, per capture and in all", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 4 }), fc.array(fc.record({ amount: fc.integer({ min: 0, max: 150_000 }), prefer: fc.nat(3) }), { maxLength: 12 }), (captures, refunds) => {
        let record = captured(captures);
        refunds.forEach((r, i) => {
          const plan = planRefund(record, r.amount, [`o-S${r.prefer + 1}`]);
          expect(plan.amount).toBeLessThanOrEqual(r.amount);
          expect(Object.values(plan.against).reduce((a, b) => a + b, 0)).toBe(plan.amount);
          record = { ...record, refunds: { ...record.refunds, [`k${i}`]: { amount: EUR(plan.amount), against: plan.against } } };
        });
        const left = refundable(record);
        for (const v of Object.values(left.byCapture)) expect(v).toBeGreaterThanOrEqual(0);
        const refunded = Object.values(record.refunds ?? {}).reduce((n, r) => n + r.amount.amount, 0);
        expect(refunded).toBeLessThanOrEqual(captures.reduce((a, b) => a + b, 0));
        expect(left.total).toBe(captures.reduce((a, b) => a + b, 0) - refunded);
      }),
    );
  });

  it("goes against the returned units' shipment first", () => {
    const plan = planRefund(captured([1000, 3000]), 2500, ["o-S2"]);
    expect(plan).toEqual({ amount: 2500, against: { "o-S2": 2500 } });
    expect(planRefund(captured([1000, 3000]), 3500, ["o-S2"]).against).toEqual({ "o-S2": 3000, "o-S1": 500 });
  });
});

const delivered = (order: Order): ShipmentFacts[] => [{ shipmentId: `${order.orderId}-S1`, status: "DELIVERED", lines: order.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })), history: [{ status: "DELIVERED", at: "2026-11-02T00:00:00.000Z" }] }];

describe("eligibility and partial returns", () => {
  it("for any sequence of partial returns: no unit is in two returns, and refunds of all units plus shipping equal the grand total", () => {
    fc.assert(
      fc.property(orders, fc.array(fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 15 }), (order, asks) => {
        let ledger: ReturnLedger = emptyLedger();
        const policy = defaultReturnPolicy("generic");
        let refunded = 0;
        for (const [line, qty] of asks) {
          const lineId = lineIdFor(line % order.lines.length);
          try {
            const e = checkEligibility({ order, shipments: delivered(order), ledger, policy, request: { method: "in-store", lines: [{ lineId, quantity: qty, reason: "unwanted", resolution: "refund" }] }, now: "2026-11-05T00:00:00.000Z" });
            ledger = takeUnits(ledger, `r${ledger.count + 1}`, e.lines, e.shippingRefund > 0);
            refunded += e.estimate.total;
          } catch (error) {
            expect((error as Error).name).toBe("ReturnNotAllowedError");
          }
          const held = Object.values(ledger.units).flat().length;
          expect(new Set(Object.entries(ledger.units).flatMap(([l, us]) => us.map((u) => `${l}:${u}`))).size).toBe(held);
        }
        // Take back whatever is left, line by line: then the money is exactly the order's.
        for (const l of order.lines) {
          const left = l.quantity - (ledger.units[l.lineId]?.length ?? 0);
          if (left === 0) continue;
          const e = checkEligibility({ order, shipments: delivered(order), ledger, policy, request: { method: "in-store", lines: [{ lineId: l.lineId, quantity: left, reason: "unwanted", resolution: "refund" }] }, now: "2026-11-05T00:00:00.000Z" });
          ledger = takeUnits(ledger, `r${ledger.count + 1}`, e.lines, e.shippingRefund > 0);
          refunded += e.estimate.total;
        }
        expect(refunded).toBe(order.totals.grandTotal.amount);
      }),
    );
  });

  it("refuses too many units and a closed window, naming the line; a cancelled return gives its units back", () => {
    const order = orderOf([{ price: 1000, quantity: 2 }], { discount: 0, tax: 0, shipping: 0 });
    const input = { order, shipments: delivered(order), policy: defaultReturnPolicy("generic"), now: "2026-11-05T00:00:00.000Z" };
    const ask = (quantity: number) => ({ method: "ship-back" as const, lines: [{ lineId: "001", quantity, reason: "unwanted" as const, resolution: "refund" as const }] });
    expect(() => checkEligibility({ ...input, ledger: emptyLedger(), request: ask(3) })).toThrow(expect.objectContaining({ details: { issues: [expect.objectContaining({ path: "lines.0.quantity" })] } }) as Error);
    expect(() => checkEligibility({ ...input, now: "2026-12-03T00:00:00.000Z", ledger: emptyLedger(), request: ask(1) })).toThrow(/not allowed/);
    const e = checkEligibility({ ...input, ledger: emptyLedger(), request: ask(2) });
    const held = takeUnits(emptyLedger(), "r1", e.lines, false);
    expect(() => checkEligibility({ ...input, ledger: held, request: ask(1) })).toThrow(/not allowed/);
    expect(checkEligibility({ ...input, ledger: giveBackUnits(held, "r1", e.lines), request: ask(1) }).lines[0]!.units).toEqual([0]);
  });

  it("a product the catalog marks not returnable is refused, naming the line, whatever the policy", () => {
    const order = orderOf([{ price: 1000, quantity: 1 }], { discount: 0, tax: 0, shipping: 0 });
    const input = { order, shipments: delivered(order), policy: defaultReturnPolicy("generic"), now: "2026-11-05T00:00:00.000Z", ledger: emptyLedger() };
    const request = { method: "ship-back" as const, lines: [{ lineId: "001", quantity: 1, reason: "unwanted" as const, resolution: "refund" as const }] };
    expect(checkEligibility({ ...input, request }).lines).toHaveLength(1);
    expect(() => checkEligibility({ ...input, request, notReturnable: new Set(["SKU-0"]) })).toThrow(expect.objectContaining({ details: { issues: [{ path: "lines.0.lineId", message: "SKU-0 is not returnable (the product catalog says so)" }] } }) as Error);
  });

  it("fees: restocking per unit waived for merchant fault, the return shipping fee capped by what is refunded", () => {
    expect(computeRefund("EUR", [{ lineId: "001", reason: "unwanted", accepted: [1005, 1005] }], { restockingFeePercent: 10, returnShippingFee: 300, shippingRefund: 0 })).toMatchObject({ restockingFee: 202, returnShippingFee: 300, total: 1508 });
    expect(computeRefund("EUR", [{ lineId: "001", reason: "defective", accepted: [1005] }], { restockingFeePercent: 10, returnShippingFee: 0, shippingRefund: 495 })).toMatchObject({ restockingFee: 0, shipping: 495, total: 1500 });
    expect(computeRefund("EUR", [{ lineId: "001", reason: "unwanted", accepted: [] }], { restockingFeePercent: 10, returnShippingFee: 300, shippingRefund: 495 }).total).toBe(0);
  });
});

const aReturn = (over: Partial<Return> = {}): Return => ({
  returnId: "01M8VVPXANXBXPRHY28BDY7ND1-R1",
  orderId: "01M8VVPXANXBXPRHY28BDY7ND1",
  channel: "generic",
  externalOrderId: "x",
  customer: { email: "a@example.com", name: "A" },
  currency: "EUR",
  method: "ship-back",
  locationId: "WH",
  status: "AWAITING_GOODS",
  lines: [{ lineId: "001", sku: "A", quantity: 3, reason: "unwanted", resolution: "refund", units: [0, 1, 2], unitNet: [1000, 1000, 1001], shipmentIds: ["s1"], received: 0, wrongItem: 0, dispositions: {} }],
  createdAt: "",
  updatedAt: "",
  history: [],
  facts: [],
  policy: { version: 1, restockingFeePercent: 0, returnShippingFee: 0, shipWithinDays: 14, receiveWithinDays: 21, approvalTimeoutDays: 7 },
  needsApproval: false,
  shippingRefund: 0,
  effects: [],
  idempotencyKey: "k",
  requestHash: "h",
  actor: "op",
  version: 1,
  ...over,
});

describe("the return lifecycle", () => {
  it("moves only along allowed edges, whatever is asked", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...RETURN_STATUSES), { maxLength: 30 }), (asks) => {
        let r = aReturn({ status: "REQUESTED" });
        for (const to of asks) {
          const from: ReturnStatus = r.status;
          try {
            r = moveReturn(r, to, "t");
            expect(RETURN_TRANSITIONS[from]).toContain(to);
          } catch {
            expect(canReturnTransition(from, to)).toBe(false);
            expect(r.status).toBe(from);
          }
        }
      }),
    );
  });

  it("partial receipts loop; an inspection restocks once, with an effect per report; a repeated report (same key) changes nothing", () => {
    let r = aReturn();
    r = applyReturnEvent(r, { type: "received", lines: [{ lineId: "001", quantity: 2, wrongItem: 0 }] }, "t1", "a").next;
    expect(r.status).toBe("RECEIVED");
    const once = applyReturnEvent(r, { type: "inspected", lines: [{ lineId: "001", dispositions: { restock: 1, damaged: 1 } }] }, "t2", "b");
    expect(once.effect).toEqual({ id: `${r.returnId}.i1`, locationId: "WH", items: [{ sku: "A", restock: 1, unsellable: 1 }] });
    expect(applyReturnEvent(once.next, { type: "inspected", lines: [{ lineId: "001", dispositions: { restock: 1, damaged: 1 } }] }, "t3", "b")).toEqual({ next: once.next });
    expect(() => applyReturnEvent(once.next, { type: "inspected", lines: [{ lineId: "001", dispositions: { restock: 1 } }] }, "t3", "c")).toThrow(/more units than were received/);
    const last = applyReturnEvent(once.next, { type: "inspected", lines: [{ lineId: "001", dispositions: { missing: 1 } }] }, "t4", "d").next;
    expect(last.status).toBe("ACCEPTED");
    // Two units accepted (1000 + 1000); the missing one is not refunded.
    expect(settlementOf(last).refund.total).toBe(2000);
  });
});
