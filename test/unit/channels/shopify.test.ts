import { describe, expect, it } from "vitest";
import { normalizeShopifyOrder, parseShopifyBody, shopifyHmac, verifyShopifyHmac } from "../../../functions/adapters/channels/shopify.js";
import { currencyExponent, toDecimalText, toMinorUnits } from "../../../functions/adapters/channels/money-text.js";
import { UnauthorizedError } from "../../../functions/domain/errors.js";
import { computeTotals } from "../../../functions/domain/order.js";
import { channelSample } from "../../fixtures/channel-samples.js";

// Payloads: ../shared/data/channels (Shopify's own SDK fixtures; sources in its README).
const order = (file: string) => normalizeShopifyOrder(parseShopifyBody(channelSample(file)), "shop-eu");

describe("Shopify webhook HMAC", () => {
  const body = channelSample("shopify-order-eur-1.json");
  it("accepts the base64 HMAC-SHA256 of the raw body under the app secret, and nothing else", () => {
    expect(() => verifyShopifyHmac(shopifyHmac("s3cret", body), body, "s3cret")).not.toThrow();
    expect(() => verifyShopifyHmac(shopifyHmac("other", body), body, "s3cret")).toThrow(UnauthorizedError);
    expect(() => verifyShopifyHmac(shopifyHmac("s3cret", body), body.replace("74.99", "7.49"), "s3cret")).toThrow(/does not match/);
    expect(() => verifyShopifyHmac(undefined, body, "s3cret")).toThrow(/Missing x-shopify-hmac-sha256/);
    expect(() => verifyShopifyHmac("not base64 at all", body, "s3cret")).toThrow(UnauthorizedError);
  });
  it("is the digest of the bytes as sent: re-serialized JSON does not verify", () => {
    const compact = JSON.stringify(JSON.parse(body), null, 2);
    expect(() => verifyShopifyHmac(shopifyHmac("s3cret", body), compact, "s3cret")).toThrow(UnauthorizedError);
  });
});

describe("money text to minor units, by the currency's exponent", () => {
  it("JPY 0, EUR 2, KWD 3, exactly", () => {
    expect([currencyExponent("JPY"), currencyExponent("EUR"), currencyExponent("KWD")]).toEqual([0, 2, 3]);
    expect(toMinorUnits("1500", "JPY")).toBe(1500);
    expect(toMinorUnits("1500.00", "JPY")).toBe(1500);
    expect(toMinorUnits("74.99", "EUR")).toBe(7499);
    expect(toMinorUnits("0.1", "EUR")).toBe(10);
    expect(toMinorUnits("12.345", "KWD")).toBe(12345);
    expect(toMinorUnits("19.99", "USD") * 3).toBe(5997); // a float would give 59.97000000000001 × 100
  });
  it("and back, to the channel's decimal text: JPY 0, EUR 2, KWD 3 decimals, exactly", () => {
    expect([toDecimalText(1500, "JPY"), toDecimalText(7499, "EUR"), toDecimalText(5, "EUR"), toDecimalText(12345, "KWD"), toDecimalText(-250, "USD")]).toEqual(["1500", "74.99", "0.05", "12.345", "-2.50"]);
    for (const [minor, currency] of [[1, "EUR"], [99999, "KWD"], [7, "JPY"]] as const) expect(toMinorUnits(toDecimalText(minor, currency), currency)).toBe(minor);
  });
  it("refuses text that is not an amount of the currency", () => {
    expect(() => toMinorUnits("74.999", "EUR")).toThrow(/more decimals than EUR/);
    expect(() => toMinorUnits("1500.5", "JPY")).toThrow(/more decimals than JPY/);
    expect(() => toMinorUnits("1e3", "EUR")).toThrow(/not a decimal amount/);
  });
});

describe("Shopify order to our order", () => {
  it("2025-07 order: presentment money, totals equal Shopify's to the cent, 64-bit ids as text, properties, notes and coordinates kept", () => {
    const o = order("shopify-order-get-partially-refunded-1.json");
    expect(o).toMatchObject({ channel: "shop-eu", externalOrderId: "450789469", currency: "USD", customer: { email: "bob.norman@mail.example.com", name: "Bob Norman", phone: "+557734881234" } });
    expect(o.intakeHolds).toBeUndefined();
    expect(o.lines.map((l) => [l.sku, l.quantity, l.unitPrice.amount])).toEqual([["IPOD2008GREEN", 1, 19900], ["IPOD2008RED", 1, 19900], ["IPOD2008BLACK", 1, 19900]]);
    expect(computeTotals(o)).toMatchObject({ subtotal: { amount: 59700 }, tax: { amount: 1194 }, discount: { amount: 1000 }, grandTotal: { amount: 59894, currency: "USD" } });
    expect(o.shippingAddress).toEqual({ name: "Bob Norman", line1: "Chestnut Street 92", city: "Louisville", region: "KY", postalCode: "40202", country: "US", lat: 45.41634, lon: -75.6868 });
    expect(o.channelData?.shopify).toMatchObject({
      orderName: "#1001",
      taxLines: [{ title: "State Tax", rate: "0.06", amount: 1194 }],
      noteAttributes: [{ name: "custom engraving", value: "Happy Birthday" }, { name: "colour", value: "green" }],
      lines: { "001": { lineItemId: "466157049", variantId: "39072856", productId: "632910392", properties: [{ name: "Custom Engraving Front", value: "Happy Birthday" }, { name: "Custom Engraving Back", value: "Merry Christmas" }] } },
    });
  });

  it("a 64-bit id survives exactly (a JS number would round it)", () => {
    const big = "9007199254740993123";
    const raw = channelSample("shopify-order-eur-1.json").replace(/"id":\s*1073459976/, `"id": ${big}`);
    expect(Number(big).toString()).not.toBe(big);
    expect(normalizeShopifyOrder(parseShopifyBody(raw), "shop-eu").externalOrderId).toBe(big);
  });

  it("several tax lines: kept line by line, and their sum is the order's tax", () => {
    const o = order("shopify-order-multitax-1.json");
    const data = o.channelData?.shopify as { taxLines: { title: string; amount: number }[] };
    expect(data.taxLines.map((t) => [t.title, t.amount])).toEqual([["State tax", 1020], ["County tax", 425]]);
    expect(o.taxTotal?.amount).toBe(1445);
    expect(computeTotals(o).grandTotal.amount).toBe(27037);
  });

  it("what cannot be taken as it came holds the order with the reason, never drops it: no SKU, no email, no address", () => {
    const o = order("shopify-order-eur-1.json");
    expect(o.currency).toBe("EUR");
    expect(computeTotals(o).grandTotal.amount).toBe(23847);
    expect(o.lines).toMatchObject([{ quantity: 3, unitPrice: { amount: 7499, currency: "EUR" } }]);
    expect(o.lines[0]?.sku).toMatch(/^UNMAPPED-\d+$/);
    expect(o.intakeHolds).toEqual([expect.stringMatching(/^unknown-sku: line 1 .*has no SKU/), "the order has no customer email", "the order has no shipping address"]);
  });

  it("totals that do not add up to Shopify's hold the order (this fixture's 3 × 199.00 lines against its 409.94 total)", () => {
    const o = order("shopify-orders-create-1.json");
    expect(o.intakeHolds).toEqual([expect.stringContaining("totals do not add up: lines 59700 + shipping 0 + tax 1194 − discounts 0 = 60894, Shopify's total is 40994")]);
  });

  it("line-item properties whose value is an object, and repeated property names, are kept as sent", () => {
    const o = order("shopify-orders-create-2-properties.json");
    const lines = (o.channelData?.shopify as { lines: Record<string, { properties: { name: string; value: unknown }[] }> }).lines;
    expect(lines["002"]?.properties.filter((p) => p.name === "Coffees").map((p) => p.value)).toEqual(["Coffee blend 1", "Coffee blend 2", "Coffee blend 3"]);
    expect(lines["002"]?.properties[0]?.value).toEqual({ "Your First Name": { '". If you want something specific on the label, enter it here:': "" } });
    expect(o.shippingAddress).toMatchObject({ lat: 45.41634, lon: -75.6868 });
  });

  it("the same payload normalizes to the same order every time (so a redelivery dedupes)", () => {
    expect(JSON.stringify(order("shopify-order-cancelled-1.json"))).toBe(JSON.stringify(order("shopify-order-cancelled-1.json")));
  });
});
