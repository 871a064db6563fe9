import { describe, expect, it } from "vitest";
import { channelIdentity, channelView, parseChannelInput } from "../../../functions/domain/channel.js";
import { ValidationError } from "../../../functions/domain/errors.js";

const issues = (body: unknown) => {
  try {
    parseChannelInput(body);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return (error.details as { issues: { path: string; message: string }[] }).issues.map((i) => `${i.path}: ${i.message}`);
  }
};

describe("channel registry input", () => {
  it("each type needs its own shop identity and refuses another type's", () => {
    expect(issues({ type: "amazon", defaultCurrency: "EUR", locale: "de-DE", shopDomain: "x.myshopify.com" }).sort()).toEqual([
      "marketplaceIds: is required for a amazon channel (the marketplaces it sells on)",
      "sellerId: is required for a amazon channel (it picks the channel of a notification)",
      "shopDomain: does not apply to a amazon channel",
    ]);
    expect(issues({ type: "woocommerce", siteUrl: "http://shop.example", defaultCurrency: "EUR", locale: "de-DE" })).toEqual(["siteUrl: must be an https:// URL (http:// only to localhost)"]);
    expect(issues({ type: "generic", defaultCurrency: "EUR", locale: "de-DE", active: "yes" })).toEqual(["active: must be true or false"]);
  });

  it("a Shopify domain is matched case-insensitively; a WooCommerce site by host and path; an Amazon seller by id", () => {
    const shop = parseChannelInput({ type: "shopify", shopDomain: "My-Shop.myshopify.com", defaultCurrency: "EUR", locale: "de-DE" });
    expect(shop).toMatchObject({ shopDomain: "my-shop.myshopify.com", active: true });
    expect(channelIdentity(shop)).toBe("my-shop.myshopify.com");
    expect(channelIdentity({ type: "woocommerce", siteUrl: "https://Shop.Example/store/" })).toBe("shop.example/store");
    expect(channelIdentity({ type: "amazon", sellerId: "A2EUQ1WTGCTBG2" })).toBe("a2euq1wtgctbg2");
    expect(channelIdentity({ type: "generic" })).toBeUndefined();
  });

  it("the view never carries the credentials' secret reference", () => {
    const view = channelView({ ...parseChannelInput({ type: "generic", defaultCurrency: "JPY", locale: "ja-JP", credentialsSecret: "oms/prod/x" }), channelId: "g", version: 1, updatedAt: "t", updatedBy: "ops" });
    expect(view).toMatchObject({ hasCredentials: true });
    expect(view).not.toHaveProperty("credentialsSecret");
  });
});
