import { describe, expect, it } from "vitest";
import { changeOrderStatus } from "../../../functions/app/change-order-status.js";
import { decideHold } from "../../../functions/app/decide-hold.js";
import { validateOrder } from "../../../functions/app/validate-order.js";
import { ConcurrentModificationError } from "../../../functions/domain/errors.js";
import { AGAIN, MAX_ATTEMPTS, withOptimisticRetry } from "../../../functions/domain/optimistic.js";
import { createOrder, transition } from "../../../functions/domain/order.js";
import { WORKFLOW_ERROR_NAMES } from "../../../functions/domain/workflow-errors.js";
import { errorBody, statusFor } from "../../../functions/shared/http.js";
import { ruleBasedFraudScorer } from "../../../functions/domain/holds.js";
import { FakeCatalog, FakeOrders, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

describe("withOptimisticRetry", () => {
  it("answers the first attempt that does not ask to go again, numbering attempts from 1", async () => {
    const seen: number[] = [];
    const out = await withOptimisticRetry("x", (n) => {
      seen.push(n);
      return Promise.resolve(n < 3 ? AGAIN : `won at ${n}`);
    });
    expect(out).toBe("won at 3");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("gives up after MAX_ATTEMPTS with a typed, retryable ConcurrentModificationError naming the record", async () => {
    let tries = 0;
    const failing = withOptimisticRetry("Order 01JA", () => {
      tries++;
      return Promise.resolve(AGAIN);
    });
    await expect(failing).rejects.toBeInstanceOf(ConcurrentModificationError);
    await expect(failing).rejects.toMatchObject({ code: "CONCURRENT_MODIFICATION", message: `Order 01JA kept changing under us; gave up after ${MAX_ATTEMPTS} attempts`, details: { retryable: true } });
    expect(tries).toBe(MAX_ATTEMPTS);
  });

  it("honours its attempts and answers `otherwise` instead of throwing when losing is an outcome", async () => {
    let tries = 0;
    const out = await withOptimisticRetry("x", () => (tries++, Promise.resolve(AGAIN)), { attempts: 2, otherwise: () => "someone else did it" });
    expect(out).toBe("someone else did it");
    expect(tries).toBe(2);
  });

  it("does not swallow other errors", async () => {
    await expect(withOptimisticRetry("x", () => Promise.reject(new RangeError("boom")))).rejects.toBeInstanceOf(RangeError);
  });

  it("is a 409 over HTTP that says it can be retried, and a name the workflows retry", () => {
    const error = new ConcurrentModificationError("Order 01JA", 5);
    expect(statusFor(error)).toBe(409);
    expect(JSON.parse(errorBody(error, "req").body as string)).toEqual({ error: { code: "CONCURRENT_MODIFICATION", message: "Order 01JA kept changing under us; gave up after 5 attempts", details: { subject: "Order 01JA", attempts: 5, retryable: true } } });
    expect(WORKFLOW_ERROR_NAMES).toContain("ConcurrentModificationError");
  });
});

describe("use cases under a record that never stops changing", () => {
  async function withOrder(status?: "ON_HOLD") {
    const orders = new FakeOrders();
    const order = createOrder(channelOrder(), "01JA", "2026-11-22T09:00:00.000Z");
    await orders.create(status ? transition(order, status, "2026-11-22T09:00:01.000Z", "review") : order, "h");
    orders.loseRaces = Number.MAX_SAFE_INTEGER;
    return { orders, clock: fixedClock("2026-11-22T10:00:00.000Z") };
  }

  it("changeOrderStatus, decideHold and validateOrder give up with ConcurrentModificationError, having written nothing", async () => {
    const a = await withOrder();
    await expect(changeOrderStatus(a, { orderId: "01JA", status: "CONFIRMED" })).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect((await a.orders.get("01JA"))?.status).toBe("RECEIVED");

    const b = await withOrder("ON_HOLD");
    const holds = { getToken: () => Promise.resolve(undefined), putToken: () => Promise.resolve() };
    const tasks = { succeed: () => Promise.resolve(), fail: () => Promise.resolve() };
    await expect(decideHold({ ...b, holds, tasks, problems: () => Promise.resolve([]) } as never, "01JA", "release", "op")).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect((await b.orders.get("01JA"))?.status).toBe("ON_HOLD");

    const c = await withOrder();
    const catalog = new FakeCatalog({ "TSHIRT-BLK-M": true, "MUG-LOGO": true });
    await expect(validateOrder({ ...c, catalog, fraud: ruleBasedFraudScorer, holdRules: () => Promise.resolve({ amountAtLeast: 100_000, fraudScoreAtLeast: 0.7 }) }, "01JA")).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect((await c.orders.get("01JA"))?.status).toBe("RECEIVED");
  });
});
