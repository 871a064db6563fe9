import { describe, expect, it } from "vitest";
import { decideHold, parkHoldToken } from "../../../functions/app/decide-hold.js";
import { ConflictError, type FieldIssue } from "../../../functions/domain/errors.js";
import { createOrder, transition } from "../../../functions/domain/order.js";
import { FakeOrders, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";
import type { HoldStore, TaskResponder } from "../../../functions/app/ports.js";

class FakeHolds implements HoldStore {
  readonly tokens = new Map<string, string>();
  getToken(id: string) {
    return Promise.resolve(this.tokens.get(id));
  }
  putToken(id: string, token: string) {
    this.tokens.set(id, token);
    return Promise.resolve();
  }
}
class FakeTasks implements TaskResponder {
  readonly answers: string[] = [];
  succeed(token: string) {
    this.answers.push(`success:${token}`);
    return Promise.resolve(true);
  }
  fail(token: string, error: string) {
    this.answers.push(`${error}:${token}`);
    return Promise.resolve(true);
  }
}
function setup(problems: FieldIssue[] = []) {
  const orders = new FakeOrders();
  orders.orders.set("01JH", transition(createOrder(channelOrder(), "01JH", "t0"), "ON_HOLD", "t1", "amount"));
  return { orders, holds: new FakeHolds(), tasks: new FakeTasks(), clock: fixedClock(), problems: () => Promise.resolve(problems) };
}

describe("hold decisions", () => {
  it("token parked first: the decision changes the status and answers the task", async () => {
    const deps = setup();
    await parkHoldToken(deps, "01JH", "T1");
    expect(deps.tasks.answers).toEqual([]);
    expect(await decideHold(deps, "01JH", "release", "ops")).toEqual({ orderId: "01JH", status: "CONFIRMED" });
    expect(deps.tasks.answers).toEqual(["success:T1"]);
    expect((await deps.orders.get("01JH"))?.statusHistory.at(-1)).toMatchObject({ status: "CONFIRMED", reason: "hold released by ops" });
  });

  it("decision first: parking the token answers at once, so the order of the two never matters", async () => {
    const deps = setup();
    await decideHold(deps, "01JH", "cancel", "ops");
    expect(deps.tasks.answers).toEqual([]);
    await parkHoldToken(deps, "01JH", "T2");
    expect(deps.tasks.answers).toEqual(["HoldCancelled:T2"]);
  });

  it("repeating a decision is harmless; the other decision after it, or one on an order not held, is a conflict", async () => {
    const deps = setup();
    await decideHold(deps, "01JH", "release", "ops");
    expect(await decideHold(deps, "01JH", "release", "ops")).toEqual({ orderId: "01JH", status: "CONFIRMED" });
    await expect(decideHold(deps, "01JH", "cancel", "ops")).rejects.toThrow(ConflictError);
  });

  it("an order that still has problems (a channel line mapped to no SKU, say) is not released; it can still be cancelled", async () => {
    const deps = setup([{ path: "lines.0.sku", message: "UNMAPPED-1 is not in the catalog" }]);
    await parkHoldToken(deps, "01JH", "T3");
    await expect(decideHold(deps, "01JH", "release", "ops")).rejects.toThrow(/cannot be released yet: lines.0.sku UNMAPPED-1 is not in the catalog/);
    expect((await deps.orders.get("01JH"))?.status).toBe("ON_HOLD");
    expect(deps.tasks.answers).toEqual([]);
    expect(await decideHold(deps, "01JH", "cancel", "ops")).toEqual({ orderId: "01JH", status: "CANCELLED" });
  });
});
