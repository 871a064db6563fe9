import { describe, expect, it } from "vitest";
import { channelDifference, mapListings, recordChannelRefund } from "../../../functions/app/channel-orders.js";
import { parseShopifyBody, shopifyRefundOf } from "../../../functions/adapters/channels/shopify.js";
import type { PaymentRecord } from "../../../functions/domain/payment.js";
import { channelSample } from "../../fixtures/channel-samples.js";
import { createOrder } from "../../../functions/domain/order.js";
import { productsFromRows } from "../../../functions/app/product-import.js";
import { ValidationError } from "../../../functions/domain/errors.js";
import { channelOrder } from "../../fixtures/orders.js";

const catalog = (listings: Record<string, string>, skus: string[]) => ({
  skuForListing: (channelId: string, key: string) => Promise.resolve(listings[`${channelId}/${key}`]),
  unsellable: (asked: string[]) => Promise.resolve(asked.filter((s) => !skus.includes(s)).map((s) => ({ path: s, message: "is not in the catalog" }))),
});

describe("channel lines to our SKUs", () => {
  const input = channelOrder({
    channel: "shop-eu",
    lines: [
      { sku: "UNMAPPED-9", quantity: 1, unitPrice: { amount: 500, currency: "EUR" }, listingKey: "variant:111" },
      { sku: "MUG-LOGO", quantity: 1, unitPrice: { amount: 500, currency: "EUR" }, listingKey: "variant:222" },
      { sku: "OLD-SKU", quantity: 1, unitPrice: { amount: 500, currency: "EUR" }, listingKey: "variant:333" },
    ],
    intakeHolds: ["unknown-sku: line 1 (Mug, variant 111) has no SKU", "the order has no customer email"],
  });

  it("a listing maps the channel's variant to our SKU and lifts that line's hold; an unknown SKU no listing maps holds the order", async () => {
    const out = await mapListings(catalog({ "shop-eu/variant:111": "TSHIRT-BLK-M" }, ["TSHIRT-BLK-M", "MUG-LOGO"]), input);
    expect(out.lines.map((l) => l.sku)).toEqual(["TSHIRT-BLK-M", "MUG-LOGO", "OLD-SKU"]);
    expect(out.intakeHolds).toEqual(["the order has no customer email", "unknown-sku: line 3 has SKU OLD-SKU, which is not in the catalog, and no listing of shop-eu maps variant:333"]);
  });

  it("the listing wins over the SKU text the channel sent (which may be stale)", async () => {
    const out = await mapListings(catalog({ "shop-eu/variant:222": "HOODIE-GRY-M", "shop-eu/variant:333": "SNEAKER-WHT-42", "shop-eu/variant:111": "TSHIRT-BLK-M" }, ["TSHIRT-BLK-M", "HOODIE-GRY-M", "SNEAKER-WHT-42"]), input);
    expect(out.lines.map((l) => l.sku)).toEqual(["TSHIRT-BLK-M", "HOODIE-GRY-M", "SNEAKER-WHT-42"]);
    expect(out.intakeHolds).toEqual(["the order has no customer email"]);
  });

  it("another channel's listing does not apply", async () => {
    const out = await mapListings(catalog({ "shop-us/variant:111": "TSHIRT-BLK-M" }, ["TSHIRT-BLK-M", "MUG-LOGO", "OLD-SKU"]), input);
    expect(out.lines[0]?.sku).toBe("UNMAPPED-9");
    expect(out.intakeHolds?.[0]).toMatch(/^unknown-sku: line 1 /);
  });
});

describe("product import rows", () => {
  it("reads sizes, kits, customs and one column per listing field", () => {
    const [p] = productsFromRows([{ sku: "KIT-1", name: "Gift kit", unit_weight_grams: "900", length_mm: "300", width_mm: "200", height_mm: "100", active: "yes", returnable: "no", hs_code: "61091000", country_of_origin: "PT", components: "TSHIRT-BLK-M:2;MUG-LOGO:1", "listing:shop-eu:variantId": "39072856", "listing:shop-eu:inventoryItemId": "808950810", "listing:woo-us:productId": "93" }]);
    expect(p).toEqual({
      sku: "KIT-1",
      input: { name: "Gift kit", unitWeightGrams: 900, dimensionsMm: { length: 300, width: 200, height: 100 }, components: [{ sku: "TSHIRT-BLK-M", quantity: 2 }, { sku: "MUG-LOGO", quantity: 1 }], active: true, returnable: false, customs: { hsCode: "61091000", countryOfOrigin: "PT" }, listings: [{ channelId: "shop-eu", variantId: "39072856", inventoryItemId: "808950810" }, { channelId: "woo-us", productId: "93" }] },
    });
  });
  it("checks every row first and names row and field of each problem (row 1 is the header)", () => {
    let issues: { path: string; message: string }[] = [];
    try {
      productsFromRows([{ sku: "A-1", name: "ok", unit_weight_grams: "10" }, { sku: "bad sku!", name: "x", unit_weight_grams: "1" }, { sku: "A-1", name: "dup", unit_weight_grams: "1" }, { sku: "B-1", name: "", unit_weight_grams: "heavy", active: "maybe" }]);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues = error.issues;
    }
    expect(issues.map((i) => i.path)).toEqual(["rows.3.sku", "rows.4.sku", "rows.5.name", "rows.5.unitWeightGrams", "rows.5.active"]);
    expect(issues[1]?.message).toBe("A-1 is on an earlier row too");
  });
});

describe("the channel's version of an order against ours", () => {
  const ours = createOrder(
    channelOrder({
      lines: [
        { sku: "TSHIRT-BLK-M", quantity: 2, unitPrice: { amount: 1999, currency: "EUR" }, channelLineId: "L1" },
        { sku: "MUG-LOGO", quantity: 1, unitPrice: { amount: 1250, currency: "EUR" }, channelLineId: "L2" },
      ],
    }),
    "01JD",
    "t0",
  );
  it("names changed quantities by our line and the channel's, a line it no longer lists as removed, new lines, and another address", () => {
    const theirs = channelOrder({
      lines: [
        { sku: "TSHIRT-BLK-M", quantity: 3, unitPrice: { amount: 1999, currency: "EUR" }, channelLineId: "L1" },
        { sku: "HOODIE-GRY-M", quantity: 1, unitPrice: { amount: 4500, currency: "EUR" }, channelLineId: "L3" },
      ],
      shippingAddress: { ...ours.shippingAddress!, line1: "Other St 2" },
    });
    const d = channelDifference(ours, theirs);
    expect(d.lines).toEqual([
      { lineId: "001", channelLineId: "L1", sku: "TSHIRT-BLK-M", ours: 2, theirs: 3 },
      { lineId: "002", channelLineId: "L2", sku: "MUG-LOGO", ours: 1, theirs: 0 },
    ]);
    expect(d.added.map((l) => l.channelLineId)).toEqual(["L3"]);
    expect(d.address?.line1).toBe("Other St 2");
  });
  it("the same order with coordinates added, or the same lines, is no difference", () => {
    const same = channelOrder({ lines: ours.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, ...(l.channelLineId ? { channelLineId: l.channelLineId } : {}) })), shippingAddress: { ...ours.shippingAddress!, lat: 1, lon: 2 } });
    expect(channelDifference(ours, same)).toEqual({ lines: [], added: [] });
  });
});

describe("a refund made on the channel", () => {
  // Payload: Shopify/shopify-api-ruby test/fixtures/refund.json (MIT), in ../shared/data/channels.
  const refund = shopifyRefundOf(parseShopifyBody(channelSample("shopify-refunds-create-1.json")))!;
  const setup = (record: Partial<PaymentRecord> = {}) => {
    let stored = { record: { orderId: "01JR", status: "CAPTURED", method: "marketplace", amount: { amount: 40994, currency: "USD" }, at: "t0", captured: { amount: 40994, currency: "USD" }, ...record } as PaymentRecord, version: 1 };
    const payments = {
      getVersioned: () => Promise.resolve(structuredClone(stored)),
      writeRefunds: (_id: string, update: Pick<PaymentRecord, "refunds" | "refunded">, v: number) => {
        if (v !== stored.version) return Promise.resolve(false);
        stored = { record: { ...stored.record, ...update }, version: v + 1 };
        return Promise.resolve(true);
      },
    };
    const orders = { findByExternalId: (_c: string, ext: string) => Promise.resolve(ext === "450789469" ? "01JR" : undefined) };
    return { deps: { place: { orders } as never, payments }, stored: () => stored.record };
  };

  it("is read from Shopify's refund: its successful refund transactions, in their currency", () => {
    expect(refund).toEqual({ externalOrderId: "450789469", refundId: "509562969", amount: { amount: 20900, currency: "USD" }, at: "2016-03-22T15:15:00.000Z" });
  });

  it("started on the channel: recorded once, added to what was refunded", async () => {
    const { deps, stored } = setup();
    expect(await recordChannelRefund(deps, "shop-eu", refund)).toEqual({ orderId: "01JR", outcome: "recorded" });
    expect(await recordChannelRefund(deps, "shop-eu", refund)).toEqual({ orderId: "01JR", outcome: "duplicate" });
    expect(stored().refunded).toEqual({ amount: 20900, currency: "USD" });
    expect(stored().refunds?.["channel:509562969"]).toMatchObject({ amount: { amount: 20900 }, channelRefundId: "509562969", manual: { by: "channel:shop-eu", reference: "509562969" } });
  });

  it("one we asked the channel for (a return's refund it owes) is matched, not counted twice", async () => {
    const { deps, stored } = setup({ refunds: { "return:R1": { amount: { amount: 20900, currency: "USD" }, owedByChannel: true, at: "t1" } }, refunded: { amount: 20900, currency: "USD" } });
    expect(await recordChannelRefund(deps, "shop-eu", refund)).toEqual({ orderId: "01JR", outcome: "matched" });
    expect(stored().refunded).toEqual({ amount: 20900, currency: "USD" });
    expect(stored().refunds?.["return:R1"]?.channelRefundId).toBe("509562969");
    expect(await recordChannelRefund(deps, "shop-eu", { ...refund, externalOrderId: "1" })).toEqual({ outcome: "unknown-order" });
  });
});
