import { describe, expect, it } from "vitest";
import { normalizeAmazonOrder, parseOrderChange } from "../../../functions/adapters/channels/amazon.js";
import { parseLossless, type Json } from "../../../functions/adapters/channels/payload.js";
import { computeTotals } from "../../../functions/domain/order.js";
import { channelSample } from "../../fixtures/channel-samples.js";

// Payloads: amzn/selling-partner-api-models (Apache-2.0), in ../shared/data/channels (sources in its README).
const payload = (file: string) => parseLossless(channelSample(file)).payload as Json;
const items = (file: string) => (payload(file).OrderItems as Json[]) ?? [];

describe("Amazon ORDER_CHANGE notification", () => {
  it("names the order, the seller, the change and the items the buyer asked to cancel; the NotificationId dedupes it", () => {
    expect(parseOrderChange(parseLossless(channelSample("amazon-order-change-1.json")))).toEqual({
      notificationId: "d0e9e693-c3ad-4373-979f-ed4ec98dd746",
      sellerId: "A3TH9S8BH6GOGM",
      amazonOrderId: "903-8868176-2219830",
      changeType: "BuyerRequestedChange",
      reason: "Buyer Requested Cancel",
      orderStatus: "Unshipped",
      buyerCancelled: ["OIID34853450"],
    });
    expect(() => parseOrderChange({ NotificationType: "ANY_OFFER_CHANGED" })).toThrow(/Not an ORDER_CHANGE/);
  });
});

describe("Amazon order to our order", () => {
  it("the sandbox's Unshipped MFN order: item price is for the whole quantity, tax added, the total equals Amazon's; no buyer data without an RDT holds it", () => {
    const o = normalizeAmazonOrder(payload("amazon-getorder-1.json"), items("amazon-getorderitems-1.json"), "amazon-us");
    expect(o).toMatchObject({ channel: "amazon-us", externalOrderId: "902-1845936-5435065", currency: "USD", placedAt: "1970-01-19T03:58:30.000Z" });
    expect(o.lines).toEqual([{ sku: "NABetaASINB00551Q3CS", quantity: 1, unitPrice: { amount: 1000, currency: "USD" }, listingKey: "seller-sku:NABetaASINB00551Q3CS", channelLineId: "05015851154158" }]);
    expect(computeTotals(o).grandTotal.amount).toBe(1101);
    expect(o.channelData?.amazon).toMatchObject({ marketplaceId: "ATVPDKIKX0DER", fulfillmentChannel: "MFN", lines: { "001": { asin: "B00551Q3CS", buyerRequestedCancel: "Found cheaper somewhere else." } } });
    expect(o.intakeHolds).toEqual(["the order has no buyer email (Amazon gives it with a Restricted Data Token)", "the order has no shipping address (Amazon gives it with a Restricted Data Token)"]);
  });

  it("what does not add up is held, not dropped: JPY amounts with decimals, a gift wrap in another currency, an AFN order", () => {
    const jpy = normalizeAmazonOrder({ ...payload("amazon-getorder-1.json"), OrderTotal: { CurrencyCode: "JPY", Amount: "100" } }, items("amazon-getorderitems-2-examples.json"), "amazon-jp");
    expect(jpy.intakeHolds).toEqual(expect.arrayContaining([expect.stringMatching(/^line 1 price: "25.99" has more decimals than JPY has \(0\)/), "line 1 has a CODFee, which orders do not carry", expect.stringMatching(/GiftWrapPrice is in GBP, not the order's JPY/)]));
    const afn = normalizeAmazonOrder(payload("amazon-getorder-2-eur-afn.json"), [], "amazon-de");
    expect(afn.intakeHolds).toEqual(expect.arrayContaining(["the order has no items", "the order is fulfilled by Amazon (AFN): there is nothing for our locations to ship"]));
  });
});
