import type { Location } from "../catalog.js";
import type { FieldIssue } from "../errors.js";
import type { CostModel, Objective, RoutingFilters } from "../routing-rules.js";

// What routing takes and gives: the problem (lines, delivery, candidates, rules) and the plan
// (shipments, money, the explanation), and how a request is checked.

/** One order line to route: what, how many, and how heavy one unit is. Lines sharing a `kitId` ship together, in full, from one location. */
export interface RouteLine {
  lineId: string;
  sku: string;
  quantity: number;
  unitWeightKg: number;
  kitId?: string;
}

/** Where the order goes: to an address, picked up in a store, or shipped to a store for collection. */
export type Delivery = { kind: "ship"; lat: number; lon: number } | { kind: "pickup"; locationId: string } | { kind: "ship-to-store"; locationId: string };

/** A location that might fulfill: its units per SKU it may promise and the orders it can still take today. */
export interface Candidate {
  location: Location;
  stock: Record<string, number>;
  remainingCapacity: number;
}

/** Everything the router needs; no I/O. */
export interface RoutingProblem {
  lines: RouteLine[];
  delivery: Delivery;
  candidates: Candidate[];
  filters: RoutingFilters;
  objective: Objective;
  costModel: CostModel;
}

export interface ShipmentPlan {
  locationId: string;
  lines: { lineId: string; sku: string; quantity: number }[];
  units: number;
  weightKg: number;
  distanceKm: number;
  transitDays: number;
  daysLate: number;
  /** Money, in minor units of the cost model's currency. */
  cost: { shipment: number; handling: number; carriage: number; late: number; total: number };
}

export type RejectionCode = "filtered" | "capability" | "distance" | "no-stock" | "no-capacity" | "more-expensive";

export interface Plan {
  algorithm: "greedy" | "optimizer" | "milp";
  shipments: ShipmentPlan[];
  backordered: { lineId: string; sku: string; quantity: number }[];
  /** Money only, in minor units; `objective` adds the price of transit days for fastest/weighted. */
  cost: { currency: string; total: number; shipments: number; handling: number; carriage: number; splitPenalty: number; late: number; unfulfilled: number };
  objective: number;
  /** True when the plan is proved optimal for the objective; otherwise `gap` bounds how far from optimal it may be. */
  optimal: boolean;
  gap: number;
  explanation: {
    chosen: { locationId: string; why: string }[];
    rejected: { locationId: string; code: RejectionCode; reason: string }[];
  };
  stats: { candidates: number; eligible: number; nodes: number; elapsedMs: number; timedOut: boolean };
}

/**
 * How the search keeps time: `stopwatch()` answers milliseconds on any monotonic scale (the caller
 * passes `performance.now` or a fake); `budgetMs` is how long the search may run. Without a
 * stopwatch the search has no deadline and reports 0 ms: the domain reads no clock of its own.
 */
export interface SearchOptions {
  budgetMs?: number;
  stopwatch?: () => number;
}

/** Every problem with a routing request, each with its field. */
export function routingProblems(p: Pick<RoutingProblem, "lines" | "delivery" | "candidates">): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!p.lines.length) issues.push({ path: "lines", message: "must hold at least one line" });
  const ids = new Set<string>();
  p.lines.forEach((l, i) => {
    if (!l.lineId) issues.push({ path: `lines.${i}.lineId`, message: "is required" });
    if (ids.has(l.lineId)) issues.push({ path: `lines.${i}.lineId`, message: `duplicates line ${l.lineId}` });
    ids.add(l.lineId);
    if (!l.sku) issues.push({ path: `lines.${i}.sku`, message: "is required" });
    if (!(Number.isInteger(l.quantity) && l.quantity > 0)) issues.push({ path: `lines.${i}.quantity`, message: "must be a whole number ≥ 1" });
    if (!(Number.isFinite(l.unitWeightKg) && l.unitWeightKg >= 0)) issues.push({ path: `lines.${i}.unitWeightKg`, message: "must be a number ≥ 0" });
  });
  const d = p.delivery;
  if (d.kind === "ship") {
    if (!(Number.isFinite(d.lat) && Math.abs(d.lat) <= 90)) issues.push({ path: "delivery.lat", message: "must be a latitude" });
    if (!(Number.isFinite(d.lon) && Math.abs(d.lon) <= 180)) issues.push({ path: "delivery.lon", message: "must be a longitude" });
  } else if (!p.candidates.some((c) => c.location.locationId === d.locationId)) {
    issues.push({ path: "delivery.locationId", message: `unknown location ${d.locationId}` });
  }
  return issues;
}

