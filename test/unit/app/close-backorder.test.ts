import { describe, expect, it } from "vitest";
import { closeBackorder, type CloseBackorderDeps } from "../../../functions/app/close-backorder.js";
import { createOrder, transition, type Order } from "../../../functions/domain/order.js";
import type { PaymentRecord } from "../../../functions/domain/payment.js";
import type { Shipment } from "../../../functions/domain/shipment.js";
import { FakeOrders, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

const ORDER_ID = "01JABCDEFGHJKMNPQRSTVWXYZ0";
const AT = "2026-11-22T10:00:00.000Z";
const REASON = "backordered stock did not arrive within 14 days";

function setup(status: Order["status"][], shipments: Pick<Shipment, "status" | "lines">[], payment: PaymentRecord["status"]) {
  const orders = new FakeOrders();
  let order = createOrder(channelOrder({ lines: [{ sku: "A", quantity: 3, unitPrice: { amount: 1000, currency: "EUR" } }] }), ORDER_ID, AT);
  for (const s of status) order = transition(order, s, AT);
  orders.orders.set(ORDER_ID, order);
  const record: PaymentRecord = { orderId: ORDER_ID, status: payment, method: "card", amount: order.totals.grandTotal, authorizationId: "auth_1", at: AT };
  const calls: string[] = [];
  const deps: CloseBackorderDeps = {
    orders,
    shipments: { ofOrder: () => Promise.resolve(shipments as never) },
    backorders: { unpark: () => (calls.push("unpark"), Promise.resolve()) },
    inventory: { releaseOrder: () => (calls.push("release"), Promise.resolve(0)) },
    payments: {
      get: () => Promise.resolve({ ...record }),
      save: (r) => Promise.resolve(r),
      markVoided: () => ((record.status = "VOIDED"), calls.push("voided"), Promise.resolve()),
    },
    provider: {
      authorize: () => Promise.reject(new Error("not here")),
      capture: () => Promise.reject(new Error("not here")),
      reduceAuthorization: () => Promise.reject(new Error("not here")),
      refund: () => Promise.reject(new Error("not here")),
      void: (r: { idempotencyKey: string }) => (calls.push(`void ${r.idempotencyKey}`), Promise.resolve({ status: "VOIDED" as const, at: AT })),
    },
    clock: fixedClock(),
    // Nothing shipped never changes the order (that path cancels it): no change may be attempted.
    change: new Proxy({} as CloseBackorderDeps["change"], { get: () => { throw new Error("no order change expected"); } }),
  };
  return { deps, orders, calls, record };
}

describe("closeBackorder", () => {
  it("nothing shipped: the order is cancelled, its stock released and its authorization voided; again, nothing more", async () => {
    const { deps, orders, calls } = setup(["CONFIRMED", "BACKORDERED"], [], "AUTHORIZED");
    expect(await closeBackorder(deps, ORDER_ID, REASON)).toEqual({ orderId: ORDER_ID, status: "CANCELLED", closedShort: 0 });
    expect((await orders.get(ORDER_ID))?.statusHistory.at(-1)).toMatchObject({ status: "CANCELLED", reason: REASON });
    expect(calls).toEqual(["unpark", "release", `void ${ORDER_ID}.void`, "voided"]);
    await closeBackorder(deps, ORDER_ID, REASON);
    expect(calls.filter((c) => c.startsWith("void "))).toHaveLength(1);
  });

  it("a regular exchange's replacement still waiting for its return's goods: not cancelled, it goes back to wait (AWAITING_RETURN)", async () => {
    const { deps, orders, calls } = setup(["CONFIRMED", "ALLOCATED"], [], "AUTHORIZED");
    const order = (await orders.get(ORDER_ID))!;
    orders.orders.set(ORDER_ID, { ...order, exchangeOf: { orderId: "01JORIGINAL0000000000000000", returnId: "01JORIGINAL0000000000000000-R1", mode: "regular", credit: order.totals.grandTotal, awaitingReturn: true } });
    expect(await closeBackorder(deps, ORDER_ID, REASON)).toEqual({ orderId: ORDER_ID, status: "AWAITING_RETURN", closedShort: 0 });
    expect((await orders.get(ORDER_ID))?.status).toBe("ALLOCATED");
    expect(calls).toEqual(["unpark"]);
  });
});
