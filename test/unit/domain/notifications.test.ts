import { describe, expect, it } from "vitest";
import { renderOrderNotifications } from "../../../functions/domain/notifications.js";

const order = {
  orderId: "01J0",
  externalOrderId: "SHOP-42",
  customer: { email: "ada@example.com", name: "Ada Lovelace", phone: "+4915112345678" },
  grandTotal: { amount: 6326, currency: "EUR" },
  itemCount: 3,
};

describe("order notifications", () => {
  it("confirms by email and, with a phone number, by SMS", () => {
    const out = renderOrderNotifications("OrderConfirmed", order);
    expect(out.map((n) => [n.channel, n.template, n.recipient])).toEqual([
      ["email", "order-confirmed", "ada@example.com"],
      ["sms", "order-confirmed-sms", "+4915112345678"],
    ]);
    expect(out[0]?.subject).toBe("Your order SHOP-42 is confirmed");
    expect(out[0]?.text).toContain("Hi Ada, thank you for your order SHOP-42 (3 items, €63.26)");
  });

  it("tells the customer what an order change did: lines cancelled, closed short, or edited", () => {
    const text = (kind: "cancel-lines" | "close-short" | "edit") => renderOrderNotifications("OrderChanged", { ...order, kind, reason: "asked by phone" }).map((n) => [n.template, n.text]);
    expect(text("cancel-lines")).toEqual([["order-changed", "Hi Ada, some items of your order were cancelled (asked by phone). It now has 3 items, €63.26 in all; you are charged only for what we ship, and any difference is released or refunded to your card."]]);
    expect(text("close-short")[0]?.[1]).toContain("we could not get the rest of your order in time, so it was cancelled");
    expect(text("edit")[0]?.[1]).toBe("Hi Ada, your order was updated (asked by phone). It now has 3 items, €63.26 in all.");
  });

  it("tells the customer why an order was rejected, by email only", () => {
    const out = renderOrderNotifications("OrderRejected", { ...order, problems: [{ path: "lines.0.sku", message: "X-1 is not in the catalog" }] });
    expect(out).toHaveLength(1);
    expect(out[0]?.text).toContain("(X-1 is not in the catalog)");
  });

  it("tells a pickup customer where and until when to collect, by email and SMS", () => {
    const out = renderOrderNotifications("ShipmentReadyForPickup", { ...order, locationId: "ST-HAM", pickupBy: "2026-11-29T10:00:00.000Z" });
    expect(out.map((n) => [n.channel, n.template])).toEqual([["email", "ready-for-pickup"], ["sms", "ready-for-pickup-sms"]]);
    expect(out[0]?.text).toContain("3 items of your order SHOP-42 are ready for you at store ST-HAM. Please collect them by 2026-11-29");
    expect(out[1]?.text).toBe("Order SHOP-42 is ready for pickup at store ST-HAM until 2026-11-29.");
  });

  it("renders nothing for events customers do not hear about", () => {
    expect(renderOrderNotifications("OrderCreated", order)).toEqual([]);
  });
});
