import { describe, expect, it } from "vitest";
import { authorizePayment } from "../../../functions/app/authorize-payment.js";
import { createOrder } from "../../../functions/domain/order.js";
import { PaymentDeclinedError } from "../../../functions/domain/workflow-errors.js";
import { FakeOrders, FakePaymentProvider as FakeProvider, FakePayments } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

async function setup(payment?: { method: "card"; token: string }) {
  const orders = new FakeOrders();
  await orders.create(createOrder(channelOrder(payment ? { payment } : {}), "01JP", "t0"), "h");
  return { orders, payments: new FakePayments(), provider: new FakeProvider() };
}

describe("authorizePayment", () => {
  it("authorizes the grand total once under the order's idempotency key, however often the step runs", async () => {
    const deps = await setup({ method: "card", token: "tok_visa" });
    const first = await authorizePayment(deps, "01JP");
    expect(first).toMatchObject({ status: "AUTHORIZED", method: "card", authorizationId: "auth_1", amount: { amount: 6326, currency: "EUR" } });
    expect(await authorizePayment(deps, "01JP")).toEqual(first);
    expect(deps.provider.requests).toHaveLength(1);
    expect(deps.provider.requests[0]?.idempotencyKey).toBe("01JP.authorize");
  });

  it("records a decline and throws PaymentDeclinedError (the name the workflow catches), again on a retry", async () => {
    const deps = await setup({ method: "card", token: "tok_chargeDeclined" });
    await expect(authorizePayment(deps, "01JP")).rejects.toThrow(PaymentDeclinedError);
    await expect(authorizePayment(deps, "01JP")).rejects.toMatchObject({ name: "PaymentDeclinedError", declineCode: "card_declined" });
    expect(deps.payments.records.get("01JP")).toMatchObject({ status: "DECLINED", declineCode: "card_declined" });
    expect(deps.provider.requests).toHaveLength(1);
  });

  it("an order the channel already collected is authorized as marketplace; an unknown token is declined", async () => {
    expect(await authorizePayment(await setup(), "01JP")).toMatchObject({ status: "AUTHORIZED", method: "marketplace" });
    await expect(authorizePayment(await setup({ method: "card", token: "tok_nonsense" }), "01JP")).rejects.toMatchObject({ declineCode: "invalid_token" });
  });
});
