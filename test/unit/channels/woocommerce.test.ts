import { describe, expect, it } from "vitest";
import { normalizeWooOrder, parseWooBody, verifyWooSignature, wooDeliveryKey, wooPing, wooSignature } from "../../../functions/adapters/channels/woocommerce.js";
import { UnauthorizedError } from "../../../functions/domain/errors.js";
import { computeTotals } from "../../../functions/domain/order.js";
import { channelSample } from "../../fixtures/channel-samples.js";

// Payloads: woocommerce/woocommerce-rest-api-docs (Apache-2.0), in ../shared/data/channels (sources in its README).
const created = channelSample("woocommerce-order-1.json");

describe("WooCommerce webhook signature and ping", () => {
  it("accepts the base64 HMAC-SHA256 of the body as sent, and nothing else", () => {
    expect(() => verifyWooSignature(wooSignature("wc-secret", created), created, "wc-secret")).not.toThrow();
    expect(() => verifyWooSignature(wooSignature("wc-secret", created), created.replace('"29.35"', '"2.35"'), "wc-secret")).toThrow(/does not match/);
    expect(() => verifyWooSignature(undefined, created, "wc-secret")).toThrow(UnauthorizedError);
  });
  it("a new webhook's ping is the form-encoded webhook_id, and only that", () => {
    expect(wooPing("webhook_id=17", "application/x-www-form-urlencoded")).toBe("17");
    expect(wooPing("webhook_id=17", undefined)).toBe("17");
    expect(wooPing("webhook_id=17", "application/json")).toBeUndefined();
    expect(wooPing('{"webhook_id":17}', "application/x-www-form-urlencoded")).toBeUndefined();
    expect(wooPing("webhook_id=17&x=1", "application/x-www-form-urlencoded")).toBeUndefined();
  });
});

describe("WooCommerce order to our order", () => {
  it("the docs' order 727: line subtotals, shipping and tax add up to WooCommerce's total to the cent; metadata and ids kept", () => {
    const o = normalizeWooOrder(parseWooBody(created), "woo-us");
    expect(o).toMatchObject({ channel: "woo-us", externalOrderId: "727", currency: "USD", placedAt: "2017-03-22T19:28:02.000Z", customer: { email: "john.doe@example.com", name: "John Doe" } });
    expect(o.lines.map((l) => [l.quantity, l.unitPrice.amount])).toEqual([[2, 300], [1, 1200]]);
    expect(computeTotals(o)).toMatchObject({ subtotal: { amount: 1800 }, shipping: { amount: 1000 }, tax: { amount: 135 }, grandTotal: { amount: 2935 } });
    expect(o.shippingAddress).toEqual({ name: "John Doe", line1: "969 Market", city: "San Francisco", region: "CA", postalCode: "94103", country: "US" });
    expect(o.channelData?.woocommerce).toMatchObject({
      orderNumber: "727",
      paymentMethod: "Direct Bank Transfer",
      taxLines: [{ label: "State Tax", rateCode: "US-CA-STATE TAX", amount: 135 }],
      lines: { "002": { lineItemId: "316", productId: "22", variationId: "23", meta: [{ key: "pa_color", value: "black" }, { key: "size", value: "M Test" }] } },
    });
    // The first line has no SKU in the docs' sample: held, with the product named.
    expect(o.lines[1]?.sku).toBe("Bar3");
    expect(o.intakeHolds).toEqual([expect.stringMatching(/^unknown-sku: line 1 \(Woo Single #1, product 93\) has no SKU/)]);
  });

  it("deliveries of one state of an order share a key; a later state (the completed update) has its own", () => {
    const completed = parseWooBody(channelSample("woocommerce-order-updated-completed-1.json"));
    expect(wooDeliveryKey(parseWooBody(created), "order.created")).toBe("727@2017-03-22T19:28:08");
    expect(wooDeliveryKey(completed, "order.updated")).not.toBe(wooDeliveryKey(parseWooBody(created), "order.created"));
    expect(wooDeliveryKey({ id: "727" }, "order.deleted")).toBe("727@deleted");
  });

  it("each order of the docs' list normalizes, with WooCommerce's totals", () => {
    const list = JSON.parse(channelSample("woocommerce-orders-list-1.json")) as unknown[];
    expect(list).toHaveLength(2);
    for (const raw of list) {
      const body = parseWooBody(JSON.stringify(raw));
      const o = normalizeWooOrder(body, "woo-us");
      expect(o.intakeHolds?.some((h) => h.startsWith("totals do not add up")) ?? false).toBe(false);
      expect(computeTotals(o).grandTotal.amount).toBe(Math.round(Number(body.total) * 100));
    }
  });

  it("a postal code not in its country's format holds the order with the reason", () => {
    const o = normalizeWooOrder(parseWooBody(created.replace(/"postcode": "94103"/g, '"postcode": "9410"')), "woo-us");
    expect(o.intakeHolds).toContain('the shipping address\'s postal code "9410" is not a valid postal code in US');
  });
});
