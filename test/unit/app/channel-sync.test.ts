import { describe, expect, it } from "vitest";
import { syncCancelled, syncRefund, syncShipped, type ChannelSyncDeps } from "../../../functions/app/channel-sync.js";
import type { ChannelShipment, ChannelSyncEntry } from "../../../functions/app/ports.js";
import type { Channel } from "../../../functions/domain/channel.js";
import type { Order } from "../../../functions/domain/order.js";

const order = { orderId: "O1", channel: "shop", externalOrderId: "450789469", lines: [{ lineId: "001", sku: "A", quantity: 2, channelLineId: "466157049" }, { lineId: "002", sku: "B", quantity: 1 }] } as unknown as Order;
const shop: Channel = { channelId: "shop", type: "shopify", shopDomain: "x.myshopify.com", active: true, defaultCurrency: "USD", locale: "en-US", version: 1, updatedAt: "t", updatedBy: "ops" };
const shipped = { shipmentId: "S1", orderId: "O1", carrier: "UPS", trackingNumber: "1Z", lines: [{ lineId: "001", sku: "A", quantity: 2 }, { lineId: "002", sku: "B", quantity: 1 }] };

function deps(channel: Channel | undefined, fulfill: (s: ChannelShipment) => Promise<{ call: string; remoteIds: string[] }>) {
  const log = new Map<string, ChannelSyncEntry>();
  const sent: ChannelShipment[] = [];
  const cancelled: { externalOrderId: string; reason: string }[] = [];
  const refunded: { externalOrderId: string; key: string; amount: { amount: number; currency: string } }[] = [];
  const d: ChannelSyncDeps = {
    orders: { get: (id) => Promise.resolve(id === "O1" ? order : undefined) },
    channels: { get: () => Promise.resolve(channel) },
    log: { get: (_o, k) => Promise.resolve(log.get(k)), put: (_o, e) => Promise.resolve(void log.set(e.key, e)), ofOrder: () => Promise.resolve([...log.values()]) },
    fulfillments: { shopify: { fulfill: (_c, s) => (sent.push(s), fulfill(s)) } },
    cancellations: { shopify: { cancel: (_c, o) => (cancelled.push(o), Promise.resolve({ call: "orderCancel", remoteIds: ["gid://shopify/Job/1"] })) } },
    refunds: { shopify: { refund: (_c, r) => (refunded.push(r), Promise.resolve({ call: "refundCreate", remoteIds: ["gid://shopify/Refund/1"] })) } },
    clock: { now: () => "2026-12-03T10:00:00.000Z" },
  };
  return { d, log, sent, cancelled, refunded };
}

describe("telling the marketplace what shipped", () => {
  it("sends the channel's line ids only (a line added here is not the channel's), once per shipment", async () => {
    const { d, log, sent } = deps(shop, () => Promise.resolve({ call: "fulfillmentCreate", remoteIds: ["F1"] }));
    expect(await syncShipped(d, shipped)).toMatchObject({ outcome: "sent", entry: { status: "SENT", attempts: 1, remoteIds: ["F1"] } });
    expect(sent[0]?.lines).toEqual([{ channelLineId: "466157049", sku: "A", quantity: 2 }]);
    expect(await syncShipped(d, shipped)).toEqual({ outcome: "duplicate" });
    expect(sent).toHaveLength(1);
    expect(log.get("shipped#S1")?.status).toBe("SENT");
  });

  it("a failure is logged with its attempt and thrown (the queue retries); the next attempt counts on", async () => {
    let fail = true;
    const { d, log } = deps(shop, () => (fail ? Promise.reject(new Error("HTTP 503")) : Promise.resolve({ call: "fulfillmentCreate", remoteIds: [] })));
    await expect(syncShipped(d, shipped)).rejects.toThrow("HTTP 503");
    expect(log.get("shipped#S1")).toMatchObject({ status: "FAILED", attempts: 1, error: "HTTP 503" });
    fail = false;
    expect(await syncShipped(d, shipped)).toMatchObject({ outcome: "sent", entry: { attempts: 2 } });
  });

  it("a generic channel is not called; an inactive channel or a pickup without tracking is skipped, with why", async () => {
    expect(await syncShipped(deps({ ...shop, type: "generic" }, () => Promise.reject(new Error("no"))).d, shipped)).toEqual({ outcome: "not-a-marketplace" });
    expect(await syncShipped(deps({ ...shop, active: false }, () => Promise.reject(new Error("no"))).d, shipped)).toMatchObject({ outcome: "skipped", entry: { reason: "the channel is inactive" } });
    const { trackingNumber: _t, ...pickup } = shipped;
    expect(await syncShipped(deps(shop, () => Promise.reject(new Error("no"))).d, pickup)).toMatchObject({ outcome: "skipped" });
  });
});

describe("telling the marketplace we cancelled its order", () => {
  it("sends our cancellation once, with our reason", async () => {
    const { d, log, cancelled } = deps(shop, () => Promise.reject(new Error("no")));
    expect(await syncCancelled(d, { orderId: "O1", reason: "payment failed" })).toMatchObject({ outcome: "sent", entry: { key: "cancelled", call: "orderCancel", status: "SENT" } });
    expect(cancelled).toEqual([{ externalOrderId: "450789469", reason: "payment failed" }]);
    expect(await syncCancelled(d, { orderId: "O1", reason: "payment failed" })).toEqual({ outcome: "duplicate" });
    expect(cancelled).toHaveLength(1);
    expect(log.get("cancelled")?.status).toBe("SENT");
  });

  it("a cancellation the channel made is not echoed back to it", async () => {
    for (const reason of ["cancelled on Shopify (customer)", "deleted on WooCommerce", "the buyer asked Amazon to cancel (NoLongerNeeded)"]) {
      const { d, cancelled } = deps(shop, () => Promise.reject(new Error("no")));
      expect(await syncCancelled(d, { orderId: "O1", reason })).toMatchObject({ outcome: "skipped", entry: { reason: "the channel cancelled the order itself" } });
      expect(cancelled).toHaveLength(0);
    }
  });

  it("a marketplace without a cancellation API here is logged as not sent, for an operator; a generic channel is not a marketplace", async () => {
    const amazon = deps({ ...shop, type: "amazon" }, () => Promise.reject(new Error("no")));
    expect(await syncCancelled(amazon.d, { orderId: "O1", reason: "out of stock" })).toMatchObject({ outcome: "skipped", entry: { reason: expect.stringContaining("cancel it there by hand") as unknown } });
    expect(await syncCancelled(deps({ ...shop, type: "generic" }, () => Promise.reject(new Error("no"))).d, { orderId: "O1" })).toEqual({ outcome: "not-a-marketplace" });
  });
});

describe("asking the marketplace for a return's refund it owes", () => {
  it("asks once per return, for the return's amount; a refund we made ourselves is none of the channel's", async () => {
    const { d, log, refunded } = deps(shop, () => Promise.reject(new Error("no")));
    const refund = { orderId: "O1", returnId: "R1", amount: { amount: 4560, currency: "USD" }, executedBy: "channel" };
    expect(await syncRefund(d, refund)).toMatchObject({ outcome: "sent", entry: { key: "refund#R1", call: "refundCreate", status: "SENT" } });
    expect(refunded).toEqual([expect.objectContaining({ externalOrderId: "450789469", key: "R1", amount: { amount: 4560, currency: "USD" } })]);
    expect(await syncRefund(d, refund)).toEqual({ outcome: "duplicate" });
    expect(refunded).toHaveLength(1);
    expect(log.get("refund#R1")?.status).toBe("SENT");
    expect(await syncRefund(d, { ...refund, returnId: "R2", executedBy: "provider" })).toEqual({ outcome: "not-a-marketplace" });
    expect(refunded).toHaveLength(1);
  });

  it("Amazon's refund is logged as not sent, with the amount to refund by hand", async () => {
    const { d } = deps({ ...shop, type: "amazon" }, () => Promise.reject(new Error("no")));
    expect(await syncRefund(d, { orderId: "O1", returnId: "R1", amount: { amount: 999, currency: "USD" }, executedBy: "channel" })).toMatchObject({ outcome: "skipped", entry: { reason: expect.stringContaining("999 USD") as unknown } });
  });
});
