import { describe, expect, it } from "vitest";
import { classify, croston, fit, holtWinters, scaledErrors, ses, tsb } from "../../../../functions/domain/replenishment/forecast.js";
import { eoq, inventoryPosition, leadTimeSigma, newsvendor, normalLoss, roundToSupplier, safetyStockForCycleServiceLevel, safetyStockForFillRate } from "../../../../functions/domain/replenishment/policy.js";
import { planSkuLocation } from "../../../../functions/domain/replenishment/plan.js";

describe("inventory policy formulas against textbook values", () => {
  it("EOQ with K=8, h=0.225, λ=1300 is ≈ 304.05", () => {
    expect(eoq(8, 1300, 0.225)).toBeCloseTo(304.05, 2);
  });

  it("the normal newsvendor with h=0.18, p=0.70, N(50, 8²) stocks ≈ 56.60", () => {
    expect(newsvendor(0.18, 0.7, 50, 8)).toBeCloseTo(56.6, 2);
  });

  it("safety stock for a cycle service level covers lead-time variability: z·√(L·σd² + d²·σL²)", () => {
    const sigma = leadTimeSigma(10, 3, 4, 1);
    expect(sigma).toBeCloseTo(Math.sqrt(136), 9);
    expect(safetyStockForCycleServiceLevel(0.95, sigma)).toBeCloseTo(1.644854 * Math.sqrt(136), 4);
    expect(safetyStockForCycleServiceLevel(0.5, sigma)).toBeCloseTo(0, 9);
  });

  it("the fill-rate form solves σ·G(k) = (1 − β)·Q: G(1) ≈ 0.0833, so β 0.99, σ 10, Q 83.32 gives k = 1", () => {
    expect(normalLoss(1)).toBeCloseTo(0.08332, 5);
    expect(normalLoss(0)).toBeCloseTo(0.398942, 5);
    expect(safetyStockForFillRate(0.99, (normalLoss(1) * 10) / 0.01, 10)).toBeCloseTo(10, 3);
    // A loose target needs no safety stock at all.
    expect(safetyStockForFillRate(0.5, 100, 10)).toBe(0);
  });

  it("rounds an order up to the supplier's MOQ, then to whole packs", () => {
    expect(roundToSupplier(37, { moq: 50, pack: 12 })).toBe(60);
    expect(roundToSupplier(73, { moq: 10, pack: 24 })).toBe(96);
    expect(roundToSupplier(72, { moq: 1, pack: 24 })).toBe(72);
    expect(roundToSupplier(0, { moq: 50, pack: 12 })).toBe(0);
  });

  it("inventory position is on hand + incoming − reserved − backordered", () => {
    expect(inventoryPosition({ onHand: 10, incoming: 20, reserved: 4, backordered: 3 })).toBe(23);
  });
});

describe("demand classes and forecasts against hand-computed series", () => {
  it("classifies by Syntetos-Boylan cut-offs (ADI 1.32, CV² 0.49)", () => {
    expect(classify([0, 0, 5, 0, 5])).toMatchObject({ class: "intermittent", adi: 2.5, cv2: 0 });
    expect(classify([1, 10, 1, 10]).class).toBe("erratic");
    expect(classify([1, 10, 1, 10]).cv2).toBeCloseTo(20.25 / 30.25, 9);
    expect(classify([0, 1, 0, 12, 0, 0]).class).toBe("lumpy");
    expect(classify([5, 6, 5, 6]).class).toBe("smooth");
    expect(classify([0, 0]).class).toBe("none");
  });

  it("simple exponential smoothing", () => {
    const f = ses([10, 12, 8], 0.5);
    expect(f.fitted.slice(1)).toEqual([10, 11]);
    expect(f.ahead(1)).toBe(9.5);
  });

  it("Croston and SBA on 0, 3, 0, 0, 6, 0 with α = 0.5", () => {
    const c = croston([0, 3, 0, 0, 6, 0], 0.5);
    // first demand: size 3 at interval 2; then 6 after 3 periods: size 4.5, interval 2.5
    expect(c.ahead(1)).toBeCloseTo(1.8, 12);
    expect(c.fitted.slice(1)).toEqual([0, 1.5, 1.5, 1.5, 1.8]);
    expect(croston([0, 3, 0, 0, 6, 0], 0.5, "sba").ahead(1)).toBeCloseTo(1.35, 12);
  });

  it("TSB on 0, 3, 0, 0, 6, 0 with α = β = 0.5", () => {
    const t = tsb([0, 3, 0, 0, 6, 0], 0.5, 0.5);
    // size 3, probability 1/2; then p .25, .125, (demand 6) .5625 and size 4.5, then .28125
    expect(t.fitted.slice(1)).toEqual([0, 1.5, 0.75, 0.375, 2.53125]);
    expect(t.ahead(1)).toBeCloseTo(0.28125 * 4.5, 12);
  });

  it("Holt-Winters follows an exact weekly season", () => {
    const week = [2, 4, 6, 8, 10, 12, 14];
    const series = [...week, ...week, ...week, ...week];
    const hw = holtWinters(series, 7, 0.2, 0.01, 0.1);
    expect(hw.ahead(1)).toBeCloseTo(2, 9);
    expect(hw.ahead(3)).toBeCloseTo(6, 9);
    expect(fit(series, "holt-winters").rmse).toBeCloseTo(0, 9);
  });

  it("MASE and RMSSE scale errors by the seasonal-naive in-sample error", () => {
    const train = [1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8];
    // seasonal-naive errors in sample are all 1
    expect(scaledErrors(train, [3, 3], [1, 5])).toEqual({ mase: 2, rmsse: 2 });
  });
});

describe("planning a SKU-location", () => {
  it("steady demand: safety stock from lead-time variability, reorder point, order to the order-up-to level rounded to packs", () => {
    const plan = planSkuLocation({
      demand: Array.from({ length: 56 }, () => 10),
      stock: { onHand: 50, reserved: 0, incoming: 0, backordered: 0 },
      supply: { supplierId: "ACME", leadTimeDays: 7, leadTimeSdDays: 2, moq: 100, pack: 12 },
      service: { kind: "cycle-service-level", target: 0.95 },
      coverDays: 14,
      holdingRate: 0.25,
      defaultLeadTimeDays: 7,
    });
    expect(plan.explanation).toMatchObject({ method: "holt-winters", demandClass: "smooth", forecastPerDay: 10, sigmaPerDay: 0, sigmaLeadTime: 20, supplierId: "ACME" });
    expect(plan.safetyStock).toBe(33); // 1.645 × 20
    expect(plan.reorderPoint).toBe(103); // 70 + 33
    expect(plan.orderUpTo).toBe(243); // + 14 days of cover
    expect(plan.orderQuantity).toBe(204); // 193 → 17 packs of 12
  });

  it("one day of history (the end-to-end test's): 45 a day, lead time 5 ± 1 → SS 75, ROP 300, up to 930; position −5 → 936 in packs of 12, MOQ 50", () => {
    const plan = planSkuLocation({
      demand: [0, 0, 45],
      stock: { onHand: 10, reserved: 0, incoming: 0, backordered: 15 },
      supply: { supplierId: "S", leadTimeDays: 5, leadTimeSdDays: 1, moq: 50, pack: 12 },
      service: { kind: "cycle-service-level", target: 0.95 },
      coverDays: 14,
      holdingRate: 0.25,
      defaultLeadTimeDays: 7,
    });
    // σ_LT = √(5·0² + 45²·1²) = 45; SS = ⌈1.6449 · 45⌉ = ⌈74.02⌉; ROP = 45·5 + 75; S = 300 + 45·14; 930 + 5 = 935 → 78 packs.
    expect(plan).toMatchObject({ safetyStock: 75, reorderPoint: 300, orderUpTo: 930, position: -5, orderQuantity: 936 });
    expect(plan.explanation).toMatchObject({ method: "ses", historyDays: 1, sigmaLeadTime: 45 });
  });

  it("orders nothing above the reorder point, and nothing without a supplier", () => {
    const base = { demand: Array.from({ length: 56 }, () => 10), service: { kind: "cycle-service-level", target: 0.95 } as const, coverDays: 14, holdingRate: 0.25, defaultLeadTimeDays: 7 };
    const supply = { supplierId: "ACME", leadTimeDays: 7, leadTimeSdDays: 2, moq: 1, pack: 1 };
    expect(planSkuLocation({ ...base, supply, stock: { onHand: 104, reserved: 0, incoming: 0, backordered: 0 } }).orderQuantity).toBe(0);
    expect(planSkuLocation({ ...base, supply, stock: { onHand: 100, reserved: 0, incoming: 10, backordered: 7 } }).orderQuantity).toBe(243 - 103);
    expect(planSkuLocation({ ...base, stock: { onHand: 0, reserved: 0, incoming: 0, backordered: 0 } }).orderQuantity).toBe(0);
  });

  it("uses EOQ when the supplier's order cost and the unit price are known", () => {
    const plan = planSkuLocation({
      demand: Array.from({ length: 56 }, () => 10),
      stock: { onHand: 0, reserved: 0, incoming: 0, backordered: 0 },
      supply: { supplierId: "ACME", leadTimeDays: 7, leadTimeSdDays: 0, moq: 1, pack: 1, unitPrice: 1000, orderCost: 5000 },
      service: { kind: "cycle-service-level", target: 0.95 },
      coverDays: 14,
      holdingRate: 0.25,
      defaultLeadTimeDays: 7,
    });
    const q = eoq(5000, 10, (1000 * 0.25) / 365);
    expect(plan.explanation.orderQuantity).toEqual({ basis: "eoq", units: Math.round(q * 100) / 100 });
    expect(plan.orderUpTo).toBe(Math.ceil(70 + q));
  });

  it("intermittent demand is forecast with SBA, lumpy with TSB", () => {
    const service = { kind: "fill-rate", target: 0.9 } as const;
    const stock = { onHand: 0, reserved: 0, incoming: 0, backordered: 0 };
    const common = { stock, service, coverDays: 14, holdingRate: 0.25, defaultLeadTimeDays: 7 };
    expect(planSkuLocation({ ...common, demand: [0, 0, 4, 0, 0, 4, 0, 0, 5, 0, 0, 4] }).explanation.method).toBe("sba");
    expect(planSkuLocation({ ...common, demand: [0, 0, 1, 0, 0, 14, 0, 0, 2, 0, 0, 30] }).explanation.method).toBe("tsb");
    expect(planSkuLocation({ ...common, demand: [0, 0, 0] }).explanation.method).toBe("none");
  });
});
