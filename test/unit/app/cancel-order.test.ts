import { describe, expect, it } from "vitest";
import { authorizePayment } from "../../../functions/app/authorize-payment.js";
import { cancelOrder } from "../../../functions/app/cancel-order.js";
import { ConflictError } from "../../../functions/domain/errors.js";
import { OrderCancelledError } from "../../../functions/domain/workflow-errors.js";
import { createOrder, transition, type Order } from "../../../functions/domain/order.js";
import { FakeOrders, FakePaymentProvider, FakePayments, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

function setup(status: Order["status"][]) {
  const orders = new FakeOrders();
  let order = createOrder(channelOrder({ payment: { method: "card", token: "tok_visa" } }), "01JC", "t0");
  for (const s of status) order = transition(order, s, "t1");
  orders.orders.set(order.orderId, order);
  const released: string[] = [];
  const deps = { orders, payments: new FakePayments(), provider: new FakePaymentProvider(), inventory: { releaseOrder: (id: string) => (released.push(id), Promise.resolve(released.length === 1 ? 2 : 0)) }, clock: fixedClock() };
  return { deps, released };
}

describe("cancelOrder", () => {
  it("cancels first, then releases the stock and voids the authorization, once", async () => {
    const { deps, released } = setup(["CONFIRMED", "ALLOCATED"]);
    await authorizePayment(deps, "01JC");
    expect(await cancelOrder(deps, "01JC", "customer asked")).toEqual({ orderId: "01JC", status: "CANCELLED", released: 2, payment: "VOIDED" });
    expect((await deps.orders.get("01JC"))?.statusHistory.at(-1)).toEqual({ status: "CANCELLED", at: "2026-11-22T10:00:00.000Z", reason: "customer asked" });
    expect(deps.payments.records.get("01JC")?.status).toBe("VOIDED");
    expect(await cancelOrder(deps, "01JC", "again")).toEqual({ orderId: "01JC", status: "CANCELLED", released: 0, payment: "VOIDED" });
    expect(released).toEqual(["01JC", "01JC"]);
    expect(deps.provider.voids).toEqual(["01JC.void"]);
  });

  it("refuses an order whose life is over, naming its status", async () => {
    const { deps } = setup(["REJECTED"]);
    await expect(cancelOrder(deps, "01JC", "x")).rejects.toThrow(ConflictError);
  });

  it("a payment step that finds the order cancelled voids what it authorized and stops the workflow", async () => {
    const { deps } = setup(["CONFIRMED", "ALLOCATED"]);
    await cancelOrder(deps, "01JC", "raced");
    await expect(authorizePayment(deps, "01JC")).rejects.toThrow(OrderCancelledError);
    expect(deps.payments.records.get("01JC")?.status).toBe("VOIDED");
  });
});
