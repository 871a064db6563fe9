import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../functions/domain/errors.js";
import { MAX_ORDER_LINES, parseGenericOrder } from "../../../functions/domain/order-schema.js";
import { genericOrderBody } from "../../fixtures/orders.js";

function issues(body: unknown): Record<string, string> {
  try {
    parseGenericOrder(body, "generic");
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return Object.fromEntries((e as ValidationError).issues.map((i) => [i.path, i.message]));
  }
  throw new Error("expected a ValidationError");
}

describe("generic order schema", () => {
  it("accepts a complete order and normalizes it with the channel", () => {
    const order = parseGenericOrder(genericOrderBody({ externalOrderId: "A-1" }), "generic");
    expect(order).toMatchObject({ channel: "generic", externalOrderId: "A-1", currency: "EUR" });
    expect(order.lines).toHaveLength(2);
  });

  it("reports every offending field with its path", () => {
    const body = genericOrderBody({
      currency: "EURO",
      customer: { email: "not-an-email", name: "" },
      shippingAddress: { name: "X", line1: "Y", city: "Z", postalCode: "1", country: "XX" },
      lines: [
        { sku: "A", quantity: 0, unitPrice: { amount: 10, currency: "EUR" } },
        { sku: "B", quantity: 1.5, unitPrice: { amount: 9.99, currency: "EUR" } },
      ],
    });
    const found = issues(body);
    expect(Object.keys(found).sort()).toEqual(
      ["currency", "customer.email", "customer.name", "shippingAddress.country", "lines.0.quantity", "lines.1.quantity", "lines.1.unitPrice.amount"].sort(),
    );
    expect(found["lines.1.unitPrice.amount"]).toMatch(/minor units/);
  });

  it("requires every amount in the order currency", () => {
    const found = issues(genericOrderBody({ shippingPrice: { amount: 100, currency: "USD" } }));
    expect(found).toEqual({ "shippingPrice.currency": "must be EUR, the order currency" });
  });

  it("refuses unknown fields (typos), missing lines, too many lines, negative money and a discount above the total", () => {
    expect(issues(genericOrderBody({ shipingAddress: {} }))).toHaveProperty("(root)");
    expect(issues(genericOrderBody({ lines: [] }))).toHaveProperty("lines");
    const many = Array.from({ length: MAX_ORDER_LINES + 1 }, () => ({ sku: "A", quantity: 1, unitPrice: { amount: 1, currency: "EUR" } }));
    expect(issues(genericOrderBody({ lines: many }))["lines"]).toMatch(/at most 98/);
    expect(issues(genericOrderBody({ taxTotal: { amount: -1, currency: "EUR" } }))).toHaveProperty("taxTotal.amount");
    expect(issues(genericOrderBody({ discountTotal: { amount: 10_000_000, currency: "EUR" } }))).toHaveProperty("discountTotal.amount");
  });

  it("needs a shipping address unless the order is picked up in store", () => {
    const noAddress = { ...genericOrderBody(), shippingAddress: undefined };
    expect(issues(noAddress)).toEqual({ shippingAddress: "is required unless the order is picked up in store (pickup)" });
    expect(parseGenericOrder({ ...noAddress, pickup: { locationId: "ST-HAM" } }, "generic")).toMatchObject({ pickup: { locationId: "ST-HAM" } });
    expect(issues(genericOrderBody({ pickup: { locationId: "has space" } }))).toHaveProperty("pickup.locationId");
  });

  it("needs lat and lon together and a time zone on placedAt", () => {
    const a = genericOrderBody();
    (a.shippingAddress as Record<string, unknown>).lon = undefined;
    expect(issues(a)).toHaveProperty("shippingAddress.lon");
    expect(issues(genericOrderBody({ placedAt: "2026-11-20T09:30:00" }))).toHaveProperty("placedAt");
  });

  it("checks the postal code against its country's format (postcode-validator); a country it does not know passes", () => {
    const withPostal = (postalCode: string, country: string) => genericOrderBody({ shippingAddress: { ...(genericOrderBody().shippingAddress as object), postalCode, country } });
    expect(issues(withPostal("1011", "DE"))).toEqual({ "shippingAddress.postalCode": "is not a valid postal code in DE" });
    expect(issues(withPostal("ABCDE", "US"))).toEqual({ "shippingAddress.postalCode": "is not a valid postal code in US" });
    expect(parseGenericOrder(withPostal("1011 AB", "NL"), "generic").shippingAddress?.postalCode).toBe("1011 AB");
    expect(parseGenericOrder(withPostal("anything", "HK"), "generic").shippingAddress?.country).toBe("HK");
  });
});
