import { describe, expect, it } from "vitest";
import { changeOrderStatus } from "../../../functions/app/change-order-status.js";
import { InvalidTransitionError, NotFoundError } from "../../../functions/domain/errors.js";
import { createOrder } from "../../../functions/domain/order.js";
import { FakeOrders, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

async function withOrder() {
  const orders = new FakeOrders();
  const order = createOrder(channelOrder(), "01JA", "2026-11-22T09:00:00.000Z");
  await orders.create(order, "h");
  return { orders, clock: fixedClock("2026-11-22T10:00:00.000Z") };
}

describe("changeOrderStatus", () => {
  it("moves the order and records when and why", async () => {
    const deps = await withOrder();
    const out = await changeOrderStatus(deps, { orderId: "01JA", status: "REJECTED", reason: "unknown SKU" });
    expect(out).toEqual({ orderId: "01JA", status: "REJECTED", changed: true, at: "2026-11-22T10:00:00.000Z" });
    const stored = await deps.orders.get("01JA");
    expect(stored?.statusHistory.at(-1)).toEqual({ status: "REJECTED", at: "2026-11-22T10:00:00.000Z", reason: "unknown SKU" });
    expect(stored?.version).toBe(2);
  });

  it("is a no-op when re-applied (a retried workflow step)", async () => {
    const deps = await withOrder();
    await changeOrderStatus(deps, { orderId: "01JA", status: "CONFIRMED" });
    const again = await changeOrderStatus(deps, { orderId: "01JA", status: "CONFIRMED" });
    expect(again).toEqual({ orderId: "01JA", status: "CONFIRMED", changed: false, at: "2026-11-22T10:00:00.000Z" });
    expect((await deps.orders.get("01JA"))?.version).toBe(2);
  });

  it("re-reads and retries when another writer got there first", async () => {
    const deps = await withOrder();
    deps.orders.loseRaces = 2;
    const out = await changeOrderStatus(deps, { orderId: "01JA", status: "CONFIRMED" });
    expect(out.changed).toBe(true);
    expect((await deps.orders.get("01JA"))?.status).toBe("CONFIRMED");
  });

  it("refuses edges the lifecycle does not allow, and unknown orders", async () => {
    const deps = await withOrder();
    await changeOrderStatus(deps, { orderId: "01JA", status: "REJECTED" });
    await expect(changeOrderStatus(deps, { orderId: "01JA", status: "CONFIRMED" })).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(changeOrderStatus(deps, { orderId: "nope", status: "CONFIRMED" })).rejects.toBeInstanceOf(NotFoundError);
  });
});
