import { afterEach, describe, expect, it } from "vitest";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("the composition root", () => {
  it("builds the payment provider and carrier the stage named, and refuses a name it does not have, naming the variable", async () => {
    process.env.TABLE_NAME = "oms-test";
    process.env.AWS_REGION = "us-east-1";
    const root = await import("../../../functions/handlers/composition-root.js");
    delete process.env.PAYMENT_PROVIDER;
    expect(() => root.paymentProvider()).toThrow(/PAYMENT_PROVIDER/);
    process.env.PAYMENT_PROVIDER = "stripe";
    expect(() => root.paymentProvider()).toThrow(/PAYMENT_PROVIDER=stripe is not a payment provider this build has \(local\)/);
    process.env.CARRIER = "dhl";
    expect(() => root.carrier()).toThrow(/CARRIER=dhl is not a carrier this build has/);
    process.env.PAYMENT_PROVIDER = "local";
    process.env.CARRIER = "local";
    const provider = root.paymentProvider();
    expect(provider.constructor.name).toBe("LocalPaymentProvider");
    expect(root.paymentProvider()).toBe(provider);
    expect(root.carrier().constructor.name).toBe("LocalCarrier");
  });
});
