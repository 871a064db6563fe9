import { describe, expect, it } from "vitest";
import { recordOrderNotifications } from "../../../functions/app/record-notifications.js";
import { validateOrder } from "../../../functions/app/validate-order.js";
import { createOrder } from "../../../functions/domain/order.js";
import { ruleBasedFraudScorer } from "../../../functions/domain/holds.js";
import { FakeCatalog, FakeOrders, FakeOutbox, fixedClock } from "../../fixtures/fakes.js";
import { channelOrder } from "../../fixtures/orders.js";

const holdDeps = { fraud: ruleBasedFraudScorer, holdRules: () => Promise.resolve({ amountAtLeast: 100_000, fraudScoreAtLeast: 0.7 }) };

describe("validateOrder", () => {
  it("passes an order of sellable SKUs whose totals add up", async () => {
    const orders = new FakeOrders();
    await orders.create(createOrder(channelOrder(), "01JA", "t0"), "h");
    const out = await validateOrder({ orders, catalog: new FakeCatalog({ "TSHIRT-BLK-M": true, "MUG-LOGO": true }), clock: fixedClock(), ...holdDeps }, "01JA");
    expect(out).toEqual({ orderId: "01JA", valid: true, onHold: false, problems: [], checkedAt: "2026-11-22T10:00:00.000Z" });
    expect((await orders.get("01JA"))?.statusHistory.map((h) => h.status)).toEqual(["RECEIVED", "CONFIRMED"]);
    // Run again (a retried step): the same decision, nothing changes.
    expect(await validateOrder({ orders, catalog: new FakeCatalog({}), clock: fixedClock("2026-11-22T11:00:00.000Z"), ...holdDeps }, "01JA")).toEqual(out);
    expect((await orders.get("01JA"))?.version).toBe(2);
  });

  it("holds a valid order over the amount threshold or with a high fraud score, with the reasons", async () => {
    const orders = new FakeOrders();
    await orders.create(createOrder(channelOrder({ customer: { email: "x@mailinator.com", name: "X", phone: "+4412345678" } }), "01JH", "t0"), "h");
    const out = await validateOrder({ orders, catalog: new FakeCatalog({ "TSHIRT-BLK-M": true, "MUG-LOGO": true }), clock: fixedClock(), ...holdDeps }, "01JH");
    expect(out).toMatchObject({ valid: true, onHold: true });
    const held = await orders.get("01JH");
    expect(held?.status).toBe("ON_HOLD");
    expect(held?.statusHistory.at(-1)?.reason).toBe("fraud score 0.70 (disposable email domain mailinator.com; phone not from DE)");
    const big = new FakeOrders();
    await big.create(createOrder(channelOrder(), "01JI", "t0"), "h");
    expect(await validateOrder({ orders: big, catalog: new FakeCatalog({ "TSHIRT-BLK-M": true, "MUG-LOGO": true }), clock: fixedClock(), fraud: ruleBasedFraudScorer, holdRules: () => Promise.resolve({ amountAtLeast: 5000, fraudScoreAtLeast: 1 }) }, "01JI")).toMatchObject({ onHold: true });
    expect((await big.get("01JI"))?.statusHistory.at(-1)?.reason).toBe("grand total 6326 ≥ 5000 EUR minor units");
  });

  it("names each unknown or inactive SKU by line and catches tampered totals", async () => {
    const orders = new FakeOrders();
    const order = createOrder(channelOrder(), "01JB", "t0");
    order.totals.grandTotal = { amount: 1, currency: "EUR" };
    await orders.create(order, "h");
    const out = await validateOrder({ orders, catalog: new FakeCatalog({ "MUG-LOGO": false }), clock: fixedClock(), ...holdDeps }, "01JB");
    expect(out.valid).toBe(false);
    expect(out.problems).toEqual([
      { path: "totals.grandTotal", message: "is 1, lines add up to 6326" },
      { path: "lines.0.sku", message: "TSHIRT-BLK-M is not in the catalog" },
      { path: "lines.1.sku", message: "MUG-LOGO is not sellable (inactive)" },
    ]);
    const rejected = await orders.get("01JB");
    expect(rejected).toMatchObject({ status: "REJECTED", problems: out.problems });
    expect(rejected?.statusHistory.at(-1)?.reason).toContain("lines.0.sku: TSHIRT-BLK-M is not in the catalog");
    expect((await validateOrder({ orders, catalog: new FakeCatalog({ "TSHIRT-BLK-M": true, "MUG-LOGO": true }), clock: fixedClock(), ...holdDeps }, "01JB")).problems).toEqual(out.problems);
  });
  it("an order its channel adapter could not take as it came waits ON_HOLD with the channel's reasons and its problems, instead of being rejected", async () => {
    const orders = new FakeOrders();
    await orders.create(createOrder(channelOrder({ intakeHolds: ["unknown-sku: line 1 (Mug, variant 42) has no SKU"] }), "01JC", "t0"), "h");
    const out = await validateOrder({ orders, catalog: new FakeCatalog({ "MUG-LOGO": true }), clock: fixedClock(), ...holdDeps }, "01JC");
    expect(out).toMatchObject({ valid: true, onHold: true, problems: [{ path: "lines.0.sku", message: "TSHIRT-BLK-M is not in the catalog" }] });
    const held = await orders.get("01JC");
    expect(held).toMatchObject({ status: "ON_HOLD", problems: out.problems });
    expect(held?.statusHistory.at(-1)?.reason).toBe("from the channel: unknown-sku: line 1 (Mug, variant 42) has no SKU; lines.0.sku: TSHIRT-BLK-M is not in the catalog");
  });
  it("places an address without coordinates with the geocoder and records the precision; the channel's own coordinates are exact", async () => {
    const orders = new FakeOrders();
    const base = channelOrder();
    const { lat: _lat, lon: _lon, ...bare } = base.shippingAddress!;
    await orders.create(createOrder(channelOrder({ shippingAddress: bare }), "01JG", "t0"), "h");
    await orders.create(createOrder(channelOrder({ externalOrderId: "EXACT-1", shippingAddress: { ...bare, lat: 52.5, lon: 13.4 } }), "01JX", "t0"), "h2");
    const asked: string[] = [];
    const geocoder = { locate: (a: { city: string }) => (asked.push(a.city), Promise.resolve({ lat: 52.52, lon: 13.41, precision: "city" as const, source: "geonames" })) };
    const deps = { orders, catalog: new FakeCatalog({ "TSHIRT-BLK-M": true, "MUG-LOGO": true }), clock: fixedClock(), ...holdDeps, geocoder };
    await validateOrder(deps, "01JG");
    await validateOrder(deps, "01JX");
    expect(await orders.get("01JG")).toMatchObject({ status: "CONFIRMED", shippingAddress: { lat: 52.52, lon: 13.41 }, geocode: { precision: "city", source: "geonames" } });
    expect(await orders.get("01JX")).toMatchObject({ shippingAddress: { lat: 52.5, lon: 13.4 }, geocode: { precision: "exact", source: "order" } });
    expect(asked).toEqual([bare.city]);
  });
});

describe("recordOrderNotifications", () => {
  it("records each notification once per event, however often the event is delivered", async () => {
    const deps = { outbox: new FakeOutbox(), clock: fixedClock(), ...holdDeps };
    const detail = {
      metadata: { eventId: "01JA.OrderConfirmed", version: 1, occurredAt: "t", correlationId: "01JA" },
      data: { orderId: "01JA", externalOrderId: "E", customer: { email: "a@b.co", name: "A B", phone: "+4915112345678" }, grandTotal: { amount: 1, currency: "EUR" }, itemCount: 1 },
    };
    expect(await recordOrderNotifications(deps, "OrderConfirmed", detail)).toEqual({ rendered: 2, recorded: 2 });
    expect(await recordOrderNotifications(deps, "OrderConfirmed", detail)).toEqual({ rendered: 2, recorded: 0 });
    expect(deps.outbox.entries.size).toBe(2);
  });
});
