import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConflictError, InvalidTransitionError } from "../../../functions/domain/errors.js";
import { createOrder } from "../../../functions/domain/order.js";
import { shipmentChangeEvents } from "../../../functions/domain/shipment-events.js";
import {
  SHIPMENT_STATUSES,
  SHIPMENT_TRANSITIONS,
  TERMINAL_SHIPMENT_STATUSES,
  COLLECTION_WINDOW_SECONDS,
  applyFulfillmentEvent,
  captureAmountFor,
  moveShipment,
  orderIdOfShipment,
  orderStatusFromShipments,
  type FulfillmentEvent,
  type Shipment,
} from "../../../functions/domain/shipment.js";
import { channelOrder } from "../../fixtures/orders.js";

const AT = "2026-11-22T10:00:00.000Z";
const ORDER_ID = "01JABCDEFGHJKMNPQRSTVWXYZ0";
const shipment = (over: Partial<Shipment> = {}): Shipment => ({
  shipmentId: `${ORDER_ID}-S1`,
  orderId: ORDER_ID,
  locationId: "WH-BER",
  round: 1,
  lines: [{ lineId: "001", sku: "A", quantity: 2 }],
  status: "RELEASED",
  history: [{ status: "RELEASED", at: AT }],
  createdAt: AT,
  updatedAt: AT,
  version: 1,
  ...over,
});

const eventArb: fc.Arbitrary<FulfillmentEvent> = fc.oneof(
  fc.constant({ type: "accepted" as const }),
  fc.constant({ type: "picked" as const }),
  fc.constant({ type: "packed" as const }),
  fc.constant({ type: "rejected" as const, reason: "no stock on the shelf" }),
  fc.constant({ type: "shipped" as const, carrier: "oms-post", weightGrams: 900 }),
  fc.constant({ type: "ready_for_pickup" as const }),
  fc.constant({ type: "picked_up" as const }),
);

describe("shipment status model", () => {
  it("terminal statuses have no way out; every other status can still be cancelled or shipped", () => {
    for (const s of TERMINAL_SHIPMENT_STATUSES) expect(SHIPMENT_TRANSITIONS[s]).toEqual([]);
    for (const s of SHIPMENT_STATUSES.filter((x) => !TERMINAL_SHIPMENT_STATUSES.includes(x) && x !== "SHIPPED" && x !== "READY_FOR_PICKUP" && x !== "AWAITING_STOCK")) expect(SHIPMENT_TRANSITIONS[s]).toEqual(expect.arrayContaining(["SHIPPED", "READY_FOR_PICKUP", "CANCELLED", "REJECTED"]));
    // A rest waiting for stock has no location yet: it is released where stock comes in, or given up; nothing else.
    expect([...SHIPMENT_TRANSITIONS.AWAITING_STOCK].sort()).toEqual(["CANCELLED", "RELEASED"]);
    // A pickup waiting at the store is collected, not collected, or cancelled; never rejected or shipped.
    expect([...SHIPMENT_TRANSITIONS.READY_FOR_PICKUP].sort()).toEqual(["CANCELLED", "NOT_COLLECTED", "PICKED_UP"]);
  });

  it("moves only along allowed edges, and records every move in its history", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SHIPMENT_STATUSES), { maxLength: 12 }), (targets) => {
        let s = shipment();
        for (const to of targets) {
          const allowed = SHIPMENT_TRANSITIONS[s.status].includes(to);
          if (allowed) {
            const next = moveShipment(s, to, AT);
            expect(next.history.length).toBe(s.history.length + 1);
            expect(next.version).toBe(s.version + 1);
            s = next;
          } else expect(() => moveShipment(s, to, AT)).toThrow(InvalidTransitionError);
        }
        // The history is a walk along allowed edges.
        for (let i = 1; i < s.history.length; i++) expect(SHIPMENT_TRANSITIONS[s.history[i - 1]!.status]).toContain(s.history[i]!.status);
      }),
    );
  });

  it("any sequence of location callbacks leaves a shipment that only went forward, never past the handover", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 10 }), fc.boolean(), (events, pickup) => {
        let s = shipment(pickup ? { pickup: true } : {});
        for (const e of events) {
          try {
            s = applyFulfillmentEvent(s, e, AT);
          } catch (error) {
            expect(error).toBeInstanceOf(ConflictError);
          }
        }
        for (let i = 1; i < s.history.length; i++) expect(SHIPMENT_TRANSITIONS[s.history[i - 1]!.status]).toContain(s.history[i]!.status);
        // A handed-over shipment was never rejected after it, and is never SHIPPED by a callback alone.
        if (s.handover) expect(s.status).not.toBe("REJECTED");
        expect(s.status).not.toBe("SHIPPED");
        // A pickup never meets a carrier; a parcel never waits at a store.
        if (pickup) expect(s.handover).toBeUndefined();
        else expect(s.history.map((h) => h.status)).not.toContain("READY_FOR_PICKUP");
        if (s.status === "READY_FOR_PICKUP" || s.status === "PICKED_UP") expect(Date.parse(s.pickupBy ?? "") - Date.parse(AT)).toBe(COLLECTION_WINDOW_SECONDS * 1000);
      }),
    );
  });

  it("repeating the latest callback changes nothing; a late one after a rejection is a conflict", () => {
    const accepted = applyFulfillmentEvent(shipment(), { type: "accepted" }, AT);
    expect(applyFulfillmentEvent(accepted, { type: "accepted" }, AT)).toBe(accepted);
    const handed = applyFulfillmentEvent(accepted, { type: "shipped", carrier: "oms-post", weightGrams: 500 }, AT);
    expect(handed.handover).toEqual({ carrier: "oms-post", weightGrams: 500, at: AT });
    expect(applyFulfillmentEvent(handed, { type: "shipped", carrier: "other", weightGrams: 1 }, AT)).toBe(handed);
    expect(() => applyFulfillmentEvent(handed, { type: "rejected", reason: "x" }, AT)).toThrow(ConflictError);
    const rejected = applyFulfillmentEvent(shipment(), { type: "rejected", reason: "damaged" }, AT);
    expect(rejected.history.at(-1)).toEqual({ status: "REJECTED", at: AT, reason: "damaged" });
    expect(() => applyFulfillmentEvent(rejected, { type: "packed" }, AT)).toThrow(ConflictError);
  });

  it("a pickup is set aside, then collected; a parcel's callbacks are refused for it, and the other way round", () => {
    const pickup = shipment({ pickup: true });
    expect(() => applyFulfillmentEvent(pickup, { type: "shipped", carrier: "oms-post", weightGrams: 500 }, AT)).toThrow(/is a pickup/);
    expect(() => applyFulfillmentEvent(shipment(), { type: "ready_for_pickup" }, AT)).toThrow(/for pickup orders/);
    expect(() => applyFulfillmentEvent(pickup, { type: "picked_up" }, AT)).toThrow(ConflictError);
    const ready = applyFulfillmentEvent(applyFulfillmentEvent(pickup, { type: "packed" }, AT), { type: "ready_for_pickup" }, AT);
    expect(ready).toMatchObject({ status: "READY_FOR_PICKUP", pickupBy: "2026-11-29T10:00:00.000Z" });
    expect(applyFulfillmentEvent(ready, { type: "ready_for_pickup" }, AT)).toBe(ready);
    expect(() => applyFulfillmentEvent(ready, { type: "rejected", reason: "x" }, AT)).toThrow(ConflictError);
    const collected = applyFulfillmentEvent(ready, { type: "picked_up" }, AT);
    expect(collected.history.map((h) => h.status)).toEqual(["RELEASED", "PACKED", "READY_FOR_PICKUP", "PICKED_UP"]);
    expect(applyFulfillmentEvent(collected, { type: "picked_up" }, AT)).toBe(collected);
  });

  it("reads the order id out of a shipment id, and nothing out of anything else", () => {
    expect(orderIdOfShipment(`${ORDER_ID}-S12`)).toBe(ORDER_ID);
    expect(orderIdOfShipment(ORDER_ID)).toBeUndefined();
    expect(orderIdOfShipment("x-S1")).toBeUndefined();
  });
});

describe("order status from its shipments", () => {
  const order = { ...createOrder(channelOrder({ lines: [{ sku: "A", quantity: 2, unitPrice: { amount: 1000, currency: "EUR" } }, { sku: "B", quantity: 1, unitPrice: { amount: 500, currency: "EUR" } }] }), ORDER_ID, AT), status: "ALLOCATED" as const };
  const s = (status: Shipment["status"], lines: Shipment["lines"]) => ({ status, lines });
  it("partially shipped, shipped, delivered by units", () => {
    expect(orderStatusFromShipments(order, [s("RELEASED", [{ lineId: "001", sku: "A", quantity: 2 }])])).toBe("ALLOCATED");
    expect(orderStatusFromShipments(order, [s("SHIPPED", [{ lineId: "001", sku: "A", quantity: 2 }]), s("PACKED", [{ lineId: "002", sku: "B", quantity: 1 }])])).toBe("PARTIALLY_SHIPPED");
    expect(orderStatusFromShipments(order, [s("SHIPPED", [{ lineId: "001", sku: "A", quantity: 2 }]), s("DELIVERED", [{ lineId: "002", sku: "B", quantity: 1 }])])).toBe("SHIPPED");
    expect(orderStatusFromShipments(order, [s("REJECTED", [{ lineId: "001", sku: "A", quantity: 2 }]), s("DELIVERED", [{ lineId: "001", sku: "A", quantity: 2 }]), s("DELIVERED", [{ lineId: "002", sku: "B", quantity: 1 }])])).toBe("DELIVERED");
  });
  it("a pickup order is ready when every unit waits at the store, delivered when every unit was collected", () => {
    const all = [{ lineId: "001", sku: "A", quantity: 2 }, { lineId: "002", sku: "B", quantity: 1 }];
    expect(orderStatusFromShipments(order, [s("PACKED", all)])).toBe("ALLOCATED");
    expect(orderStatusFromShipments(order, [s("READY_FOR_PICKUP", [all[0]!]), s("PACKED", [all[1]!])])).toBe("ALLOCATED");
    expect(orderStatusFromShipments(order, [s("READY_FOR_PICKUP", all)])).toBe("READY_FOR_PICKUP");
    expect(orderStatusFromShipments({ ...order, status: "READY_FOR_PICKUP" }, [s("PICKED_UP", all)])).toBe("DELIVERED");
    expect(orderStatusFromShipments({ ...order, status: "READY_FOR_PICKUP" }, [s("NOT_COLLECTED", all)])).toBe("READY_FOR_PICKUP");
  });
});

describe("capture per shipment", () => {
  it("the captures of any split add up exactly to the grand total, each within it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 5 }), price: fc.integer({ min: 1, max: 50_000 }) }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 4 }),
        (lines, shipping, tax, parts) => {
          const order = createOrder(channelOrder({ lines: lines.map((l, i) => ({ sku: `S${i}`, quantity: l.quantity, unitPrice: { amount: l.price, currency: "EUR" } })), shippingPrice: { amount: shipping, currency: "EUR" }, taxTotal: { amount: tax, currency: "EUR" }, discountTotal: undefined }), ORDER_ID, AT);
          // Split every unit across `parts` shipments, round robin.
          const shipments: Shipment["lines"][] = Array.from({ length: parts }, () => []);
          let k = 0;
          for (const l of order.lines) for (let u = 0; u < l.quantity; u++) shipments[k++ % parts]!.push({ lineId: l.lineId, sku: l.sku, quantity: 1 });
          let before = { amount: 0, units: 0 };
          for (const sl of shipments.filter((x) => x.length)) {
            const amount = captureAmountFor(order, { lines: sl }, before).amount;
            expect(amount).toBeGreaterThanOrEqual(0);
            before = { amount: before.amount + amount, units: before.units + sl.length };
          }
          expect(before.amount).toBe(order.totals.grandTotal.amount);
        },
      ),
    );
  });
});

describe("shipment events", () => {
  it("one event per status entered, with ids that repeat for a redelivered record; DeliveryLate per alert", () => {
    const released = shipment({ customer: { email: "a@b.c", name: "A B" }, externalOrderId: "EXT-1" });
    expect(shipmentChangeEvents(undefined, released).map((e) => [e.detailType, e.eventId])).toEqual([["ShipmentReleased", `${ORDER_ID}-S1.ShipmentReleased`]]);
    const shipped: Shipment = { ...moveShipment(moveShipment(released, "PACKED", AT), "SHIPPED", AT), handover: { carrier: "oms-post", weightGrams: 900, at: AT }, carrierShipment: { carrier: "oms-post", service: "express", trackingNumber: "OMS123", labelCreatedAt: AT, promisedBy: AT } };
    const events = shipmentChangeEvents(released, shipped);
    expect(events.map((e) => e.detailType)).toEqual(["ShipmentPacked", "ShipmentShipped"]);
    expect(events[1]?.data).toMatchObject({ trackingNumber: "OMS123", carrier: "oms-post", customer: { email: "a@b.c" }, externalOrderId: "EXT-1", label: `/shipments/${ORDER_ID}-S1/label` });
    expect(shipmentChangeEvents(released, shipped)).toEqual(events);
    const late = shipmentChangeEvents(shipped, { ...shipped, lateAlerts: 2 });
    expect(late.map((e) => e.eventId)).toEqual([`${ORDER_ID}-S1.DeliveryLate.1`, `${ORDER_ID}-S1.DeliveryLate.2`]);
  });
});
