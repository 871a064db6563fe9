import { describe, expect, it } from "vitest";
import type { AllocateDeps } from "../../../functions/app/backorders.js";
import type { CancelOrderDeps } from "../../../functions/app/cancel-order.js";
import { changeOrder, type ChangeOrderDeps } from "../../../functions/app/change-order.js";
import type { PreparedChange } from "../../../functions/domain/order-change.js";
import { createOrder, type Order } from "../../../functions/domain/order.js";
import type { PaymentRecord } from "../../../functions/domain/payment.js";
import { FakeOrders, FakePaymentProvider, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";
import type { StoredShipment } from "../../../functions/app/ports.js";

const ORDER_ID = "01JABCDEFGHJKMNPQRSTVWXYZ0";
const AT = "2026-11-22T10:00:00.000Z";
const EUR = (amount: number) => ({ amount, currency: "EUR" });

/** Orders that also commit changes, and the shipments those changes cut, like the DynamoDB transaction. */
class ChangingOrders extends FakeOrders {
  constructor(readonly shipments: Map<string, StoredShipment>) {
    super();
  }
  commitChange(prepared: PreparedChange, expectedVersion: number): Promise<boolean> {
    if (this.orders.get(prepared.order.orderId)?.version !== expectedVersion) return Promise.resolve(false);
    if (prepared.shipments.some(({ shipment, expectedVersion: v }) => this.shipments.get(shipment.shipmentId)?.version !== v)) return Promise.resolve(false);
    this.orders.set(prepared.order.orderId, structuredClone(prepared.order));
    for (const { shipment } of prepared.shipments) this.shipments.set(shipment.shipmentId, structuredClone(shipment));
    return Promise.resolve(true);
  }
}

function setup(captured: number) {
  const shipments = new Map<string, StoredShipment>();
  const orders = new ChangingOrders(shipments);
  // A 3000 (shipped, its share captured) and B 2000 (still at its location): 5000, no shipping, tax or discount.
  const order: Order = { ...createOrder(channelOrder({ lines: [{ sku: "A", quantity: 1, unitPrice: EUR(3000) }, { sku: "B", quantity: 1, unitPrice: EUR(2000) }], shippingPrice: EUR(0), taxTotal: EUR(0), discountTotal: EUR(0) }), ORDER_ID, AT), status: "PARTIALLY_SHIPPED" };
  orders.orders.set(ORDER_ID, order);
  const base = { orderId: ORDER_ID, round: 1, history: [], createdAt: AT, updatedAt: AT, version: 1 };
  shipments.set(`${ORDER_ID}-S1`, { ...base, shipmentId: `${ORDER_ID}-S1`, locationId: "WH-1", lines: [{ lineId: "001", sku: "A", quantity: 1 }], status: "SHIPPED", handover: { carrier: "c", weightGrams: 1, at: AT } });
  shipments.set(`${ORDER_ID}-S2`, { ...base, shipmentId: `${ORDER_ID}-S2`, locationId: "WH-2", lines: [{ lineId: "002", sku: "B", quantity: 1 }], status: "RELEASED" });
  let payment: { record: PaymentRecord; version: number } = {
    record: { orderId: ORDER_ID, status: "PARTIALLY_CAPTURED", method: "card", amount: EUR(5000), authorizationId: "auth_1", at: AT, captures: { [`${ORDER_ID}-S1`]: { amount: EUR(captured), units: 1, captureId: "cap_1", at: AT } }, captured: EUR(captured) },
    version: 1,
  };
  const resized: string[] = [];
  const failed: string[] = [];
  const provider = new FakePaymentProvider();
  const deps: ChangeOrderDeps = {
    orders,
    shipments: {
      get: (_o, id) => Promise.resolve(structuredClone(shipments.get(id))),
      ofOrder: () => Promise.resolve([...shipments.values()].map((s) => structuredClone(s))),
      create: () => Promise.resolve(false),
      save: () => Promise.resolve(false),
      setToken: () => Promise.resolve(),
      byTracking: () => Promise.resolve(undefined),
    },
    allocations: { get: () => Promise.resolve(undefined) },
    inventory: { resize: (_o, line, q) => (resized.push(`${line.lineId}@${line.locationId}→${q}`), Promise.resolve(1)) },
    payments: {
      getVersioned: () => Promise.resolve(structuredClone(payment)),
      writeCaptures: () => Promise.reject(new Error("not here")),
      update: (_o, patch, v) => {
        if (v !== payment.version) return Promise.resolve(false);
        payment = { record: { ...payment.record, ...patch }, version: v + 1 };
        return Promise.resolve(true);
      },
    },
    provider,
    catalog: { unsellable: () => Promise.resolve([]) },
    clock: fixedClock(AT),
    allocate: { backorders: { parkingOf: () => Promise.resolve(undefined) }, tasks: { fail: (_t: string, e: string) => (failed.push(e), Promise.resolve(true)) } } as unknown as AllocateDeps,
    cancel: {} as CancelOrderDeps,
  };
  return { deps, orders, shipments, provider, resized, failed, payment: () => payment.record };
}

const cancelB = (deps: ChangeOrderDeps) => changeOrder(deps, ORDER_ID, { kind: "cancel-lines", lines: [{ lineId: "002" }] }, { actor: "ops", reason: "customer asked", idempotencyKey: "k-1" });

describe("changeOrder: the money after lines are cancelled", () => {
  it("nothing left to ship and more captured than the new total: the difference is refunded once, the payment is final", async () => {
    // 3600 was captured (the shipped share of totals since lowered); the order is now A alone: 3000.
    const { deps, provider, resized, shipments, payment } = setup(3600);
    const result = await cancelB(deps);
    expect(result).toMatchObject({ status: "SHIPPED", revision: 2, totals: { grandTotal: EUR(3000) }, payment: "CAPTURED" });
    expect(shipments.get(`${ORDER_ID}-S2`)?.status).toBe("CANCELLED");
    expect(resized).toEqual(["002@WH-2→0"]);
    expect([...provider.reductions]).toEqual([[`${ORDER_ID}.r2.reduce`, EUR(3600)]]);
    expect([...provider.refunds]).toEqual([[`${ORDER_ID}.r2.refund`, EUR(600)]]);
    expect(payment()).toMatchObject({ status: "CAPTURED", amount: EUR(3600), captured: EUR(3600), refunded: EUR(600), refunds: { r2: { amount: EUR(600), refundId: `re_${ORDER_ID}.r2.refund` } }, reductions: [{ revision: 2, from: EUR(5000), to: EUR(3600) }] });

    // The same request again (a retry): the same answer, nothing refunded twice.
    expect(await cancelB(deps)).toEqual(result);
    expect(provider.refunds.size).toBe(1);
    expect(payment().refunded).toEqual(EUR(600));
  });

  it("nothing left to ship and less captured than the new total: the rest is captured at once, the authorization lowered to it", async () => {
    const { deps, provider, payment } = setup(2900);
    expect((await cancelB(deps)).payment).toBe("CAPTURED");
    expect([...provider.reductions]).toEqual([[`${ORDER_ID}.r2.reduce`, EUR(3000)]]);
    expect([...provider.captures]).toEqual([[`${ORDER_ID}.r2.capture`, EUR(100)]]);
    expect(provider.refunds.size).toBe(0);
    expect(payment()).toMatchObject({ status: "CAPTURED", amount: EUR(3000), captured: EUR(3000) });
  });
});
