import { describe, expect, it } from "vitest";
import { payloadHash, placeOrder, workflowInputFor } from "../../../functions/app/place-order.js";
import { ConflictError } from "../../../functions/domain/errors.js";
import { parseGenericOrder } from "../../../functions/domain/order-schema.js";
import { FakeOrders, FakeWorkflow, fixedClock, sequentialIds } from "../../fixtures/fakes.js";
import { channelOrder, genericOrderBody } from "../../fixtures/orders.js";

const setup = () => {
  const deps = { orders: new FakeOrders(), workflow: new FakeWorkflow(), clock: fixedClock(), ids: sequentialIds() };
  return deps;
};

describe("placeOrder", () => {
  it("stores a new order and starts its workflow named by the order id", async () => {
    const deps = setup();
    const result = await placeOrder(deps, channelOrder({ externalOrderId: "E-1" }));
    expect(result).toEqual({ orderId: "01JORDER000000000000000001", status: "RECEIVED", created: true });
    const stored = deps.orders.orders.get(result.orderId);
    expect(stored?.status).toBe("RECEIVED");
    expect(JSON.parse(deps.workflow.started.get(result.orderId) ?? "null")).toEqual(workflowInputFor(stored!));
  });

  it("answers a redelivery with the same order and re-sends the identical start (crash between write and start)", async () => {
    const deps = setup();
    deps.workflow.failNext = true;
    const input = channelOrder({ externalOrderId: "E-2" });
    await expect(placeOrder(deps, input)).rejects.toThrow(/unavailable/);
    expect(deps.orders.orders.size).toBe(1);
    expect(deps.workflow.started.size).toBe(0);
    const retry = await placeOrder(deps, input);
    expect(retry.created).toBe(false);
    expect(deps.orders.orders.size).toBe(1);
    expect([...deps.workflow.started.keys()]).toEqual([retry.orderId]);
    const again = await placeOrder(deps, input);
    expect(again).toEqual(retry);
    expect(deps.orders.orders.size).toBe(1);
  });

  it("refuses the same external id with different content, changing nothing", async () => {
    const deps = setup();
    await placeOrder(deps, channelOrder({ externalOrderId: "E-3" }));
    const changed = channelOrder({ externalOrderId: "E-3", currency: "EUR", lines: [{ sku: "MUG-LOGO", quantity: 9, unitPrice: { amount: 1, currency: "EUR" } }] });
    await expect(placeOrder(deps, changed)).rejects.toBeInstanceOf(ConflictError);
    expect(deps.orders.orders.size).toBe(1);
    expect(deps.workflow.calls).toBe(1);
  });

  it("hashes the normalized order: key order and spacing of the sender do not matter", () => {
    const body = genericOrderBody({ externalOrderId: "E-4" });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const a = parseGenericOrder(JSON.parse(JSON.stringify(body)), "generic");
    const b = parseGenericOrder(JSON.parse(JSON.stringify(reordered, null, 4)), "generic");
    expect(payloadHash(a)).toBe(payloadHash(b));
    expect(payloadHash(a)).not.toBe(payloadHash(parseGenericOrder({ ...body, currency: "EUR", taxTotal: { amount: 1, currency: "EUR" } }, "generic")));
  });
});
