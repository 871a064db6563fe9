import { describe, expect, it } from "vitest";
import { orderChangeEvents, type OrderHeaderImage } from "../../../functions/domain/order-events.js";

const header = (history: [string, string, string?][], extra: Partial<OrderHeaderImage> = {}): OrderHeaderImage => ({
  orderId: "01JA",
  channel: "generic",
  externalOrderId: "X-1",
  placedAt: "t0",
  createdAt: "t1",
  status: history.at(-1)![0] as OrderHeaderImage["status"],
  customer: { email: "a@b.c", name: "Ada" },
  grandTotal: { amount: 100, currency: "EUR" },
  itemCount: 2,
  lineCount: 1,
  statusHistory: history.map(([status, at, reason]) => ({ status: status as OrderHeaderImage["status"], at, ...(reason ? { reason } : {}) })),
  ...extra,
});

describe("order change events", () => {
  it("announce creation, then each status entered, under ids a redelivery repeats", () => {
    const created = header([["RECEIVED", "t1"]]);
    expect(orderChangeEvents(undefined, created).map((e) => [e.detailType, e.eventId, e.occurredAt])).toEqual([["OrderCreated", "01JA.OrderCreated", "t1"]]);
    const confirmed = header([["RECEIVED", "t1"], ["CONFIRMED", "t2"]]);
    expect(orderChangeEvents(created, confirmed)).toEqual([
      { detailType: "OrderConfirmed", eventId: "01JA.OrderConfirmed", occurredAt: "t2", data: expect.objectContaining({ orderId: "01JA", status: "CONFIRMED", grandTotal: { amount: 100, currency: "EUR" }, itemCount: 2 }) as unknown },
    ]);
    // Two changes folded into one record: both statuses are announced, in order.
    const allocated = header([["RECEIVED", "t1"], ["CONFIRMED", "t2"], ["ALLOCATED", "t3", "1 unit(s) backordered"]]);
    expect(orderChangeEvents(created, allocated).map((e) => [e.detailType, (e.data as { reason?: string }).reason])).toEqual([
      ["OrderConfirmed", undefined],
      ["OrderAllocated", "1 unit(s) backordered"],
    ]);
    // A write that changed no status announces nothing.
    expect(orderChangeEvents(confirmed, confirmed)).toEqual([]);
  });

  it("carry the problems of a rejection", () => {
    const problems = [{ path: "lines.0.sku", message: "X is not in the catalog" }];
    const [e] = orderChangeEvents(header([["RECEIVED", "t1"]]), header([["RECEIVED", "t1"], ["REJECTED", "t2", "lines.0.sku: X is not in the catalog"]], { problems }));
    expect(e).toMatchObject({ detailType: "OrderRejected", data: { problems } });
  });
});
