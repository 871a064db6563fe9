import { describe, expect, it } from "vitest";
import { capturePayment } from "../../../functions/app/capture-payment.js";
import type { CaptureStore } from "../../../functions/app/ports.js";
import { ConcurrentModificationError } from "../../../functions/domain/errors.js";
import { createOrder } from "../../../functions/domain/order.js";
import type { PaymentRecord } from "../../../functions/domain/payment.js";
import { FakePaymentProvider, FakePayments } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

// The fixture order: 2 x TSHIRT-BLK-M at 19.99 (line 001) and 1 x MUG-LOGO at 12.50 (line 002);
// subtotal 52.48, grand total 63.26 EUR (shipping, tax and a discount spread over the lines).
const order = createOrder(channelOrder(), "01JA", "2026-11-22T09:00:00.000Z");
const tshirts = { shipmentId: "01JA-S1", lines: [{ lineId: "001", sku: "TSHIRT-BLK-M", quantity: 2 }] };
const mug = { shipmentId: "01JA-S2", lines: [{ lineId: "002", sku: "MUG-LOGO", quantity: 1 }] };

/** The payment record under a version, like the DynamoDB store; `beforeWrite` runs between a caller's read and its conditional write. */
class VersionedPayments extends FakePayments implements CaptureStore {
  version = 1;
  writes = 0;
  beforeWrite?: () => Promise<void>;
  override getVersioned(orderId: string) {
    const record = this.records.get(orderId);
    return Promise.resolve(record ? { record: structuredClone(record), version: this.version } : undefined);
  }
  override async writeCaptures(orderId: string, update: Partial<PaymentRecord>, expectedVersion: number): Promise<boolean> {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    await hook?.();
    if (this.version !== expectedVersion) return false;
    this.records.set(orderId, { ...this.records.get(orderId)!, ...update });
    this.version++;
    this.writes++;
    return true;
  }
}

function setup(status: PaymentRecord["status"] = "AUTHORIZED") {
  const payments = new VersionedPayments();
  payments.records.set("01JA", { orderId: "01JA", status, method: "card", amount: { amount: 6326, currency: "EUR" }, ...(status === "DECLINED" ? { declineCode: "card_declined" } : { authorizationId: "auth_1" }), at: "t" });
  return { payments, provider: new FakePaymentProvider() };
}

describe("capturePayment (a shipment's part of the authorization)", () => {
  it("takes each shipment's share of the grand total, rounded down, and the exact rest with the shipment that completes the order", async () => {
    const deps = setup();
    const first = await capturePayment(deps, order, tshirts);
    // 63.26 x 39.98 / 52.48 = 48.19...: shipping, tax and discount follow the merchandise.
    expect(first).toEqual({ amount: { amount: 4819, currency: "EUR" }, units: 2, captureId: "cap_01JA-S1.capture", at: "t-capture" });
    expect(deps.payments.records.get("01JA")).toMatchObject({ status: "PARTIALLY_CAPTURED", captured: { amount: 4819, currency: "EUR" } });
    const last = await capturePayment(deps, order, mug);
    expect(last?.amount).toEqual({ amount: 6326 - 4819, currency: "EUR" });
    expect(deps.payments.records.get("01JA")).toMatchObject({ status: "CAPTURED", captured: { amount: 6326, currency: "EUR" } });
    expect([...deps.provider.captures.entries()]).toEqual([
      ["01JA-S1.capture", { amount: 4819, currency: "EUR" }],
      ["01JA-S2.capture", { amount: 1507, currency: "EUR" }],
    ]);
  });

  it("captures once however often the step runs, under the key <shipmentId>.capture", async () => {
    const deps = setup();
    const first = await capturePayment(deps, order, tshirts);
    const writes = deps.payments.writes;
    expect(await capturePayment(deps, order, tshirts)).toEqual(first);
    expect(deps.payments.writes).toBe(writes);
    expect(deps.provider.captures.size).toBe(1);
  });

  it("a crash after the provider captured (before the record was written) is finished by the retry with the same amount and key", async () => {
    const deps = setup();
    deps.payments.beforeWrite = undefined;
    // Decide the amount, then lose the write that records the capture.
    let calls = 0;
    const original = deps.payments.writeCaptures.bind(deps.payments);
    deps.payments.writeCaptures = (id, update, v) => (++calls === 2 ? Promise.reject(new Error("crash")) : original(id, update, v));
    await expect(capturePayment(deps, order, tshirts)).rejects.toThrow("crash");
    deps.payments.writeCaptures = original;
    expect((await capturePayment(deps, order, tshirts))?.captureId).toBe("cap_01JA-S1.capture");
    expect([...deps.provider.captures.values()]).toEqual([{ amount: 4819, currency: "EUR" }]);
  });

  it("two shipments shipping at once cannot both take the rest: the captures add up to the authorization exactly", async () => {
    const deps = setup();
    // The mug's capture decides its amount between the t-shirts' read and their write.
    deps.payments.beforeWrite = async () => void (await capturePayment(deps, order, mug));
    await capturePayment(deps, order, tshirts);
    const record = deps.payments.records.get("01JA")!;
    expect(record.status).toBe("CAPTURED");
    const amounts = Object.values(record.captures ?? {}).map((c) => c.amount.amount);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(6326);
    expect([...deps.provider.captures.values()].reduce((n, m) => n + m.amount, 0)).toBe(6326);
  });

  it("captures nothing from a voided, declined or missing authorization", async () => {
    for (const status of ["VOIDED", "DECLINED"] as const) {
      const deps = setup(status);
      expect(await capturePayment(deps, order, tshirts)).toBeUndefined();
      expect(deps.provider.captures.size).toBe(0);
    }
    const none = { payments: new VersionedPayments(), provider: new FakePaymentProvider() };
    expect(await capturePayment(none, order, tshirts)).toBeUndefined();
  });

  it("gives up with ConcurrentModificationError, before any capture, on a record that never stops changing", async () => {
    const deps = setup();
    deps.payments.writeCaptures = () => Promise.resolve(false);
    await expect(capturePayment(deps, order, tshirts)).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect(deps.provider.captures.size).toBe(0);
  });
});
