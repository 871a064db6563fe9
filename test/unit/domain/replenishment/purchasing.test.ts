import { describe, expect, it } from "vitest";
import { backtest, parseDemandRows } from "../../../../functions/domain/replenishment/backtest.js";
import { demandOfAllocation } from "../../../../functions/app/replenishment.js";
import { homeOf, lineComplete, moveTo, parseSupplier, patchPurchaseOrder, PurchaseOrderTransitionError, receive, setDraftLine, sourceFor, stillExpected, supplyOf, type PurchaseOrder } from "../../../../functions/domain/purchasing.js";
import { ValidationError } from "../../../../functions/domain/errors.js";
import { purchaseOrderEvents } from "../../../../functions/domain/purchasing-events.js";

const at = "2026-12-03T10:00:00.000Z";
const po = (over: Partial<PurchaseOrder> = {}): PurchaseOrder => ({
  poId: "PO-1",
  supplierId: "S1",
  locationId: "W1",
  status: "SENT",
  currency: "EUR",
  lines: [{ sku: "A", quantity: 100, unitPrice: 250, received: 0, damaged: 0 }],
  total: 25_000,
  expectedAt: "2026-12-10T00:00:00.000Z",
  createdAt: at,
  updatedAt: at,
  history: [{ status: "DRAFT", at, actor: "planner" }],
  version: 3,
  ...over,
});

describe("purchase orders", () => {
  it("moves only along the lifecycle's edges", () => {
    expect(moveTo(po({ status: "DRAFT" }), "APPROVED", at, "op").status).toBe("APPROVED");
    expect(() => moveTo(po({ status: "DRAFT" }), "SENT", at, "op")).toThrow(PurchaseOrderTransitionError);
    expect(() => moveTo(po({ status: "RECEIVED" }), "CANCELLED", at, "op")).toThrow(PurchaseOrderTransitionError);
    expect(() => moveTo(po({ status: "CANCELLED" }), "APPROVED", at, "op")).toThrow(PurchaseOrderTransitionError);
  });

  it("receives within the tolerance, counts damaged units as arrived, and refuses over-receipts naming the line", () => {
    const part = receive(po(), { locationId: "W1", lines: [{ sku: "A", quantity: 60, damaged: 2 }] }, 0.05, at, "dock");
    expect(part.status).toBe("PARTIALLY_RECEIVED");
    expect(stillExpected(part, part.lines[0]!, 0.05)).toBe(38);
    // 96 of 100 is within 5%: the line is complete, nothing more expected.
    const rest = receive(part, { locationId: "W1", lines: [{ sku: "A", quantity: 34, damaged: 0 }] }, 0.05, at, "dock");
    expect(rest.status).toBe("RECEIVED");
    expect(lineComplete(rest.lines[0]!, 0.05)).toBe(true);
    expect(stillExpected(rest, rest.lines[0]!, 0.05)).toBe(0);
    const over = () => receive(po(), { locationId: "W1", lines: [{ sku: "A", quantity: 106, damaged: 0 }] }, 0.05, at, "dock");
    expect(over).toThrow(ValidationError);
    try {
      over();
    } catch (e) {
      expect((e as ValidationError).issues).toEqual([{ path: "lines.0.quantity", message: expect.stringContaining("at most 105") as unknown }]);
    }
    expect(() => receive(po(), { locationId: "W2", lines: [{ sku: "B", quantity: 1, damaged: 0 }] }, 0.05, at, "dock")).toThrow(ValidationError);
    expect(() => receive(po({ status: "DRAFT" }), { locationId: "W1", lines: [{ sku: "A", quantity: 1, damaged: 0 }] }, 0.05, at, "dock")).toThrow(PurchaseOrderTransitionError);
  });

  it("a planner's line is set on the draft, never added twice; an operator may change a draft only", () => {
    const draft = po({ status: "DRAFT" });
    const again = setDraftLine(setDraftLine(draft, { sku: "A", quantity: 120, unitPrice: 250, received: 0, damaged: 0 }, at), { sku: "A", quantity: 120, unitPrice: 250, received: 0, damaged: 0 }, at);
    expect(again.lines).toHaveLength(1);
    expect(again.total).toBe(120 * 250);
    const patched = patchPurchaseOrder(draft, { lines: [{ sku: "B", quantity: 7, unitPrice: 99 }] }, at);
    expect(patched.total).toBe(25_000 + 7 * 99);
    expect(() => patchPurchaseOrder(draft, { lines: [{ sku: "A", quantity: 0 }] }, at)).toThrow(ValidationError);
    expect(() => patchPurchaseOrder(po(), { lines: [{ sku: "A", quantity: 5 }] }, at)).toThrow(/only a draft/);
  });

  it("announces each history entry once, with ids stable across redeliveries", () => {
    const before = po({ status: "DRAFT" });
    const after = moveTo(moveTo(before, "APPROVED", at, "op"), "SENT", at, "op");
    expect(purchaseOrderEvents(before, after).map((e) => e.eventId)).toEqual(["PO-1.2.PurchaseOrderApproved", "PO-1.3.PurchaseOrderSent"]);
    expect(purchaseOrderEvents(after, after)).toEqual([]);
  });
});

describe("suppliers", () => {
  it("parses a supplier with defaults and picks the preferred source that delivers to a location", () => {
    const input = parseSupplier({ name: "Acme", contact: { email: "buy@acme.example" }, currency: "EUR", leadTime: { meanDays: 5 }, skus: [{ sku: "A", price: 100, moq: 10, pack: 6, locations: ["W1"] }] });
    expect(input).toMatchObject({ autoApproveBelow: 0, receiptTolerance: 0.05, leadTime: { meanDays: 5, sdDays: 0 }, orderDays: ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] });
    const a = supplyOf({ ...input, supplierId: "ACME", updatedAt: at, version: 1 });
    const b = supplyOf({ ...input, supplierId: "BETA", skus: [{ ...input.skus[0]!, preference: 2, locations: undefined }], updatedAt: at, version: 1 });
    const terms = [...b, ...a];
    expect(sourceFor(terms, "W1")?.supplierId).toBe("ACME");
    expect(sourceFor(terms, "W2")?.supplierId).toBe("BETA");
    expect(homeOf(terms)).toBe("W1");
    expect(() => parseSupplier({ name: "x", contact: {}, currency: "EUR", leadTime: { meanDays: 1 }, skus: [{ sku: "A", price: 1 }, { sku: "A", price: 2 }] })).toThrow(ValidationError);
  });
});

describe("demand at allocation", () => {
  it("counts served lines at their location and across the network, unplaced lines as unserved demand of the network", () => {
    const points = demandOfAllocation({ orderId: "O1", planId: "p", round: 1, outcome: "ALLOCATED", shipments: [{ shipmentId: "O1-S1", locationId: "W1", round: 1, lines: [{ lineId: "001", sku: "A", quantity: 3 }] }], backordered: [{ lineId: "002", sku: "B", quantity: 2 }], cost: { total: 0, carriage: 0, late: 0, splitPenalty: 0, currency: "EUR", handling: 0, shipments: 0, unfulfilled: 0 }, algorithm: "optimizer", rulesVersion: 1, shortagePolicy: "backorder", approximateDestination: false, createdAt: at });
    expect(points).toEqual([
      { sku: "A", scope: "W1", day: "2026-12-03", demand: 3 },
      { sku: "A", scope: "*", day: "2026-12-03", demand: 3 },
      { sku: "B", scope: "*", day: "2026-12-03", demand: 2, unserved: 2 },
    ]);
  });
});

describe("backtest", () => {
  it("reads wide and long demand files alike", () => {
    const wide = parseDemandRows([["sku", "2026-01-01", "2026-01-02", "2026-01-03"], ["A", "1", "0", "2"]]);
    const long = parseDemandRows([["sku", "date", "quantity"], ["A", "2026-01-01", "1"], ["A", "2026-01-03", "2"]]);
    expect(wide.get("A")).toEqual([1, 0, 2]);
    expect(long.get("A")).toEqual([1, 0, 2]);
    expect(() => parseDemandRows([["sku", "2026-01-01"], ["A", "-1"]])).toThrow(/not a quantity/);
  });

  it("the planner's policy serves steady seasonal demand near its target, above the naive policy without safety stock", () => {
    const week = [3, 5, 8, 12, 9, 4, 2];
    const noisy = Array.from({ length: 280 }, (_x, i) => Math.max(0, (week[i % 7] ?? 0) + ((i * 7919) % 5) - 2));
    const report = backtest(new Map([["A", noisy]]), { warmUp: 84, step: 28, horizon: 28, leadTimeDays: 7, serviceLevel: 0.95 });
    const [planner, naive] = report.policies;
    expect(planner!.fillRate).toBeGreaterThan(0.95);
    expect(planner!.fillRate).toBeGreaterThan(naive!.fillRate);
    expect(report.methods.find((m) => m.method === "holt-winters")!.mase).toBeLessThan(report.methods.find((m) => m.method === "seasonal-naive")!.mase + 0.5);
  });
});
