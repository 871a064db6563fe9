// Inventory policy formulas: safety stock for a cycle service level or a fill rate, reorder point,
// order-up-to level, EOQ, the newsvendor, and rounding to what a supplier sells.
import cdf from "@stdlib/stats-base-dists-normal-cdf";
import pdf from "@stdlib/stats-base-dists-normal-pdf";
import quantile from "@stdlib/stats-base-dists-normal-quantile";

/** The standard normal's z for a probability. */
export const zFor = (p: number): number => quantile(p, 0, 1);

/** Economic order quantity √(2Kλ/h): K the cost of an order, λ demand per period, h the holding cost per unit per period. */
export function eoq(orderCost: number, demandRate: number, holdingCost: number): number {
  if (!(holdingCost > 0) || !(demandRate >= 0) || !(orderCost >= 0)) throw new RangeError("EOQ needs K ≥ 0, λ ≥ 0 and h > 0");
  return Math.sqrt((2 * orderCost * demandRate) / holdingCost);
}

/** The normal newsvendor's optimal stock: μ + σ·Φ⁻¹(p / (p + h)), p the underage (shortage) cost and h the overage (holding) cost. */
export function newsvendor(holdingCost: number, shortageCost: number, mean: number, sd: number): number {
  return mean + sd * zFor(shortageCost / (shortageCost + holdingCost));
}

/** σ of demand over a lead time: √(L·σd² + d²·σL²), per-period demand d with σd, lead time L with σL (in periods). */
export function leadTimeSigma(d: number, sigmaD: number, leadTime: number, sigmaL: number): number {
  return Math.sqrt(leadTime * sigmaD ** 2 + d ** 2 * sigmaL ** 2);
}

/** Safety stock for a cycle service level (the probability of no stockout in a replenishment cycle): z·σ_LT. */
export function safetyStockForCycleServiceLevel(csl: number, sigmaLeadTime: number): number {
  return Math.max(0, zFor(csl) * sigmaLeadTime);
}

/** The standard normal loss function G(k) = φ(k) − k(1 − Φ(k)): expected units short per unit of σ. */
export const normalLoss = (k: number): number => pdf(k, 0, 1) - k * (1 - cdf(k, 0, 1));

/**
 * Safety stock for a fill rate β (the share of demand served from stock) with order quantity Q:
 * the k with σ_LT·G(k) = (1 − β)·Q (the expected shortage per cycle), found by bisection; never below 0.
 */
export function safetyStockForFillRate(fillRate: number, orderQuantity: number, sigmaLeadTime: number): number {
  if (sigmaLeadTime <= 0) return 0;
  const target = ((1 - fillRate) * orderQuantity) / sigmaLeadTime;
  let lo = -4;
  let hi = 8;
  if (normalLoss(lo) <= target) return 0;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalLoss(mid) > target) lo = mid;
    else hi = mid;
  }
  return Math.max(0, ((lo + hi) / 2) * sigmaLeadTime);
}

/** What a supplier sells: at least `moq`, in multiples of `pack`. */
export interface PackRule {
  moq: number;
  pack: number;
}

/** The smallest quantity ≥ `wanted` (and ≥ the MOQ) that is a whole number of packs. */
export function roundToSupplier(wanted: number, rule: PackRule): number {
  if (wanted <= 0) return 0;
  const pack = Math.max(1, rule.pack);
  const atLeast = Math.max(Math.ceil(wanted), rule.moq);
  return Math.ceil(atLeast / pack) * pack;
}

/** Inventory position: on hand + incoming − reserved − backordered. */
export const inventoryPosition = (s: { onHand: number; incoming: number; reserved: number; backordered: number }): number => s.onHand + s.incoming - s.reserved - s.backordered;
