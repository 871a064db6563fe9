import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidTransitionError } from "../../../functions/domain/errors.js";
import { add, format, multiply, subtract, sum } from "../../../functions/domain/money.js";
import {
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  canTransition,
  createOrder,
  summarize,
  transition,
  type OrderStatus,
} from "../../../functions/domain/order.js";
import { channelOrder } from "../../fixtures/orders.js";

describe("money", () => {
  it("adds, subtracts and multiplies in integer minor units", () => {
    expect(add({ amount: 1999, currency: "EUR" }, { amount: 1, currency: "EUR" })).toEqual({ amount: 2000, currency: "EUR" });
    expect(subtract({ amount: 500, currency: "EUR" }, { amount: 501, currency: "EUR" })).toEqual({ amount: -1, currency: "EUR" });
    expect(multiply({ amount: 333, currency: "JPY" }, 3)).toEqual({ amount: 999, currency: "JPY" });
    expect(sum([], "USD")).toEqual({ amount: 0, currency: "USD" });
  });

  it("refuses mixed currencies, fractional quantities and unsafe amounts", () => {
    expect(() => add({ amount: 1, currency: "EUR" }, { amount: 1, currency: "USD" })).toThrow(/Currency mismatch/);
    expect(() => multiply({ amount: 1, currency: "EUR" }, 1.5)).toThrow(/not an integer/);
    expect(() => multiply({ amount: Number.MAX_SAFE_INTEGER, currency: "EUR" }, 2)).toThrow(/safe integer/);
  });

  it("formats with the currency's own minor-unit digits", () => {
    expect(format({ amount: 1999, currency: "EUR" })).toBe("€19.99");
    expect(format({ amount: 1999, currency: "JPY" })).toBe("¥1,999");
  });

  it("sums are exact for any integer amounts (no float drift)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 200 }), (amounts) => {
        const total = sum(amounts.map((amount) => ({ amount, currency: "EUR" })), "EUR");
        expect(total.amount).toBe(amounts.reduce((a, b) => a + b, 0));
        expect(Number.isInteger(total.amount)).toBe(true);
      }),
    );
  });
});

describe("order", () => {
  it("computes line totals and order totals in minor units", () => {
    const order = createOrder(channelOrder(), "01JXXXXXXXXXXXXXXXXXXXXXXX", "2026-11-22T10:00:00.000Z");
    expect(order.lines.map((l) => [l.lineId, l.lineTotal.amount])).toEqual([["001", 3998], ["002", 1250]]);
    expect(order.totals).toEqual({
      subtotal: { amount: 5248, currency: "EUR" },
      shipping: { amount: 495, currency: "EUR" },
      tax: { amount: 1083, currency: "EUR" },
      discount: { amount: 500, currency: "EUR" },
      grandTotal: { amount: 6326, currency: "EUR" },
    });
    expect(order.status).toBe("RECEIVED");
    expect(order.statusHistory).toEqual([{ status: "RECEIVED", at: "2026-11-22T10:00:00.000Z" }]);
    expect(summarize(order)).toMatchObject({ lineCount: 2, itemCount: 3, grandTotal: { amount: 6326 } });
  });

  it("moves along allowed edges and records each change", () => {
    const order = createOrder(channelOrder(), "01J0", "t0");
    const confirmed = transition(order, "CONFIRMED", "t1");
    expect(confirmed).toMatchObject({ status: "CONFIRMED", version: 2, updatedAt: "t1" });
    expect(confirmed.statusHistory.map((s) => s.status)).toEqual(["RECEIVED", "CONFIRMED"]);
    expect(() => transition(confirmed, "REJECTED", "t2")).toThrow(InvalidTransitionError);
  });

  it("never moves along an edge the lifecycle does not allow (property)", () => {
    const status = fc.constantFrom(...ORDER_STATUSES);
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), (attempts) => {
        let order = createOrder(channelOrder(), "01J0", "t0");
        for (const [i, to] of attempts.entries()) {
          const from: OrderStatus = order.status;
          try {
            order = transition(order, to, `t${i + 1}`);
            expect(ORDER_TRANSITIONS[from]).toContain(to);
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidTransitionError);
            expect(canTransition(from, to)).toBe(false);
          }
        }
        const history = order.statusHistory.map((s) => s.status);
        for (let i = 1; i < history.length; i++) expect(canTransition(history[i - 1]!, history[i]!)).toBe(true);
        expect(order.version).toBe(history.length);
      }),
    );
  });
});
