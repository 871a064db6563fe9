import { DomainError, ValidationError, type FieldIssue } from "./errors.js";

/** One line of an allocation: reserve `quantity` of `sku` at `locationId` for an order line. */
export interface AllocationLine {
  lineId: string;
  sku: string;
  locationId: string;
  quantity: number;
}

export interface Allocation {
  orderId: string;
  lines: AllocationLine[];
  /** Soft hold: released by the sweeper at this time (ISO) unless consumed or released first. */
  holdUntil?: string;
}

export const RESERVATION_STATUSES = ["ACTIVE", "RELEASED", "CONSUMED", "EXPIRED", "MOVED"] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** The item every reservation operation leaves behind, one per (orderId, lineId, locationId). */
export interface Reservation extends AllocationLine {
  orderId: string;
  status: ReservationStatus;
  createdAt: string;
  updatedAt: string;
  holdUntil?: string;
}

/** Why stock changed outside orders. */
export const ADJUSTMENT_REASONS = ["cycle-count", "receipt", "damage", "correction", "return"] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/**
 * Reasons that record physical reality and so may take available below zero: the stock is
 * gone whatever was promised; the negative available is a shortfall that blocks new reservations.
 */
export const SHORTFALL_REASONS: readonly AdjustmentReason[] = ["cycle-count", "damage"];

export interface Adjustment {
  sku: string;
  locationId: string;
  set?: number;
  delta?: number;
  reason: AdjustmentReason;
  /** A receipt against incoming stock (purchase order or transfer): the received quantity settles it. */
  reference?: string;
}

/** An allocation line that cannot be reserved: not enough available stock. */
export class InsufficientStockError extends DomainError {
  readonly code = "INSUFFICIENT_STOCK";
  constructor(readonly shortages: { lineId: string; sku: string; locationId: string; requested: number; available: number }[]) {
    super(`Not enough stock for ${shortages.map((s) => `${s.sku} at ${s.locationId}`).join(", ")}`, { shortages });
  }
}

/** An adjustment that would take available stock below zero for a reason that does not allow it. */
export class NegativeAvailableError extends DomainError {
  readonly code = "NEGATIVE_AVAILABLE";
  constructor(readonly refusals: { sku: string; locationId: string; available: number; change: number }[]) {
    super("The adjustment would make available stock negative", { refusals });
  }
}

/** Unknown SKU/location pairs (no stock record). */
export class UnknownStockError extends ValidationError {}

const positiveInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n > 0;

/** Every problem with an allocation's shape, by field path (nothing is written when any exists). */
export function allocationProblems(a: Allocation): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!a.orderId) issues.push({ path: "orderId", message: "is required" });
  if (!Array.isArray(a.lines) || a.lines.length === 0) issues.push({ path: "lines", message: "must hold at least one line" });
  const seen = new Set<string>();
  (a.lines ?? []).forEach((l, i) => {
    if (!l.lineId) issues.push({ path: `lines.${i}.lineId`, message: "is required" });
    if (!l.sku) issues.push({ path: `lines.${i}.sku`, message: "is required" });
    if (!l.locationId) issues.push({ path: `lines.${i}.locationId`, message: "is required" });
    if (!positiveInt(l.quantity)) issues.push({ path: `lines.${i}.quantity`, message: "must be a whole number of at least 1" });
    const key = `${l.lineId}|${l.locationId}`;
    if (seen.has(key)) issues.push({ path: `lines.${i}`, message: `duplicates line ${l.lineId} at ${l.locationId}` });
    seen.add(key);
  });
  if (a.holdUntil !== undefined && Number.isNaN(Date.parse(a.holdUntil))) issues.push({ path: "holdUntil", message: "must be an ISO-8601 time" });
  return issues;
}

/** Throws ValidationError listing every problem. */
export function assertValidAllocation(a: Allocation): void {
  const issues = allocationProblems(a);
  if (issues.length) throw new ValidationError("Invalid allocation", issues);
}

/** Every problem with an adjustment batch. */
export function adjustmentProblems(batch: Adjustment[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!Array.isArray(batch) || batch.length === 0) return [{ path: "adjustments", message: "must hold at least one adjustment" }];
  const seen = new Set<string>();
  batch.forEach((a, i) => {
    if (!a.sku) issues.push({ path: `${i}.sku`, message: "is required" });
    if (!a.locationId) issues.push({ path: `${i}.locationId`, message: "is required" });
    if ((a.set === undefined) === (a.delta === undefined)) issues.push({ path: `${i}`, message: "needs exactly one of set or delta" });
    if (a.set !== undefined && !(Number.isInteger(a.set) && a.set >= 0)) issues.push({ path: `${i}.set`, message: "must be a whole number ≥ 0" });
    if (a.delta !== undefined && !(Number.isInteger(a.delta) && a.delta !== 0)) issues.push({ path: `${i}.delta`, message: "must be a non-zero whole number" });
    if (!ADJUSTMENT_REASONS.includes(a.reason)) issues.push({ path: `${i}.reason`, message: `must be one of ${ADJUSTMENT_REASONS.join(", ")}` });
    if (a.reference !== undefined && !(a.reason === "receipt" && a.delta !== undefined && a.delta > 0)) issues.push({ path: `${i}.reference`, message: "settles incoming stock, so it needs reason receipt and a positive delta" });
    const key = `${a.sku}|${a.locationId}`;
    if (seen.has(key)) issues.push({ path: `${i}`, message: `adjusts ${a.sku} at ${a.locationId} twice in one batch` });
    seen.add(key);
  });
  return issues;
}
