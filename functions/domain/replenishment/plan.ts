// Planning one SKU at one location: forecast its demand, size its safety stock for the class's
// service target, set its reorder point and order-up-to level, and say what to order. Pure.
import { forecast, type DemandClass, type ForecastMethod } from "./forecast.js";
import { eoq, inventoryPosition, leadTimeSigma, roundToSupplier, safetyStockForCycleServiceLevel, safetyStockForFillRate, zFor, type PackRule } from "./policy.js";

/** A service target: a cycle service level (no stockout in a cycle) or a fill rate (share of demand served). */
export interface ServiceTarget {
  kind: "cycle-service-level" | "fill-rate";
  target: number;
}

export const SERVICE_CLASSES = ["A", "B", "C"] as const;
export type ServiceClass = (typeof SERVICE_CLASSES)[number];

/** The default targets per SKU class (A: the few that matter most). */
export const DEFAULT_SERVICE_TARGETS: Record<ServiceClass, ServiceTarget> = {
  A: { kind: "cycle-service-level", target: 0.98 },
  B: { kind: "cycle-service-level", target: 0.95 },
  C: { kind: "fill-rate", target: 0.9 },
};

/** Where the next units come from: a supplier's lead time, pack rule and costs. */
export interface SupplyTerms extends PackRule {
  supplierId: string;
  leadTimeDays: number;
  leadTimeSdDays: number;
  /** Unit price in minor units (for EOQ's holding cost). */
  unitPrice?: number;
  /** Cost of placing one order, minor units (EOQ's K). */
  orderCost?: number;
}

export interface PlanInput {
  /** Daily demand (served + unserved), oldest first, ending the day before planning. */
  demand: readonly number[];
  stock: { onHand: number; reserved: number; incoming: number; backordered: number };
  supply?: SupplyTerms;
  service: ServiceTarget;
  /** Days of demand an order covers when EOQ's costs are unknown. */
  coverDays: number;
  /** Annual holding cost as a share of the unit price (EOQ's h = price × rate / 365 per day). */
  holdingRate: number;
  /** Lead time assumed when there is no supplier (for the figures only: nothing is ordered). */
  defaultLeadTimeDays: number;
}

export interface PlanExplanation {
  method: ForecastMethod | "none";
  demandClass: DemandClass;
  adi: number | null;
  cv2: number;
  historyDays: number;
  forecastPerDay: number;
  sigmaPerDay: number;
  maePerDay: number;
  parameters: Record<string, number>;
  leadTimeDays: number;
  leadTimeSdDays: number;
  sigmaLeadTime: number;
  leadTimeDemand: number;
  service: ServiceTarget;
  /** z for a cycle service level; the safety factor k solved for a fill rate. */
  safetyFactor: number;
  orderQuantity: { basis: "eoq" | "cover-days"; units: number };
  supplierId: string | null;
}

export interface PlanResult {
  safetyStock: number;
  reorderPoint: number;
  orderUpTo: number;
  position: number;
  /** Units to order now (rounded to the supplier's MOQ and packs), or 0. */
  orderQuantity: number;
  explanation: PlanExplanation;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Plans one SKU-location: safety stock, reorder point, order-up-to, and the order to place when the position is at or below the reorder point. */
export function planSkuLocation(input: PlanInput): PlanResult {
  const first = input.demand.findIndex((q) => q > 0);
  const history = first < 0 ? [] : input.demand.slice(first);
  const leadTime = input.supply?.leadTimeDays ?? input.defaultLeadTimeDays;
  const leadSd = input.supply?.leadTimeSdDays ?? 0;
  const position = inventoryPosition(input.stock);
  const explanationBase = { leadTimeDays: leadTime, leadTimeSdDays: leadSd, service: input.service, supplierId: input.supply?.supplierId ?? null, historyDays: history.length };
  if (history.length === 0) {
    const explanation: PlanExplanation = { ...explanationBase, method: "none", demandClass: "none", adi: null, cv2: 0, forecastPerDay: 0, sigmaPerDay: 0, maePerDay: 0, parameters: {}, sigmaLeadTime: 0, leadTimeDemand: 0, safetyFactor: 0, orderQuantity: { basis: "cover-days", units: 0 } };
    const orderQuantity = input.supply && position < 0 ? roundToSupplier(-position, input.supply) : 0;
    return { safetyStock: 0, reorderPoint: 0, orderUpTo: 0, position, orderQuantity, explanation };
  }
  const { classification, forecast: f } = forecast(history, Math.max(1, Math.round(leadTime)));
  const d = f.perPeriod;
  const sigmaLT = leadTimeSigma(d, f.rmse, leadTime, leadSd);
  const supply = input.supply;
  const hPerDay = supply?.unitPrice ? (supply.unitPrice * input.holdingRate) / 365 : 0;
  const eoqUnits = supply?.orderCost !== undefined && hPerDay > 0 ? eoq(supply.orderCost, d, hPerDay) : undefined;
  const q = eoqUnits ?? d * input.coverDays;
  const safety = input.service.kind === "cycle-service-level" ? safetyStockForCycleServiceLevel(input.service.target, sigmaLT) : safetyStockForFillRate(input.service.target, Math.max(q, 1), sigmaLT);
  const safetyFactor = input.service.kind === "cycle-service-level" ? zFor(input.service.target) : sigmaLT > 0 ? safety / sigmaLT : 0;
  const safetyStock = Math.ceil(safety - 1e-9);
  const leadTimeDemand = d * leadTime;
  const reorderPoint = Math.ceil(leadTimeDemand + safetyStock - 1e-9);
  const orderUpTo = Math.ceil(reorderPoint + q - 1e-9);
  const orderQuantity = supply && position <= reorderPoint ? roundToSupplier(orderUpTo - position, supply) : 0;
  return {
    safetyStock,
    reorderPoint,
    orderUpTo,
    position,
    orderQuantity,
    explanation: {
      ...explanationBase,
      method: f.method,
      demandClass: classification.class,
      adi: round2(classification.adi),
      cv2: round2(classification.cv2),
      forecastPerDay: round2(d),
      sigmaPerDay: round2(f.rmse),
      maePerDay: round2(f.mae),
      parameters: f.parameters,
      sigmaLeadTime: round2(sigmaLT),
      leadTimeDemand: round2(leadTimeDemand),
      safetyFactor: round2(safetyFactor),
      orderQuantity: { basis: eoqUnits !== undefined ? "eoq" : "cover-days", units: round2(q) },
    },
  };
}
