import { channelExclusion, type CostModel, type Objective } from "../routing-rules.js";
import { distanceKm, transitDaysFor } from "./geometry.js";
import type { Candidate, Plan, RejectionCode, RoutingProblem } from "./problem.js";

/** An eligible location, priced: per location: its fixed price for a shipment and the carriage price of one unit of each line. */
export interface Source {
  index: number;
  candidate: Candidate;
  distanceKm: number;
  transitDays: number;
  daysLate: number;
  fixed: { shipment: number; handling: number; late: number; days: number };
  fixedObjective: number;
  /** Per line index: carriage of one unit (minor units, unrounded). */
  unitCarriage: number[];
}

/**
 * What a day of each shipment's transit is worth to the objective: nothing when cheapest, the
 * rules' price when weighted, and a tenth of an unfulfilled unit when fastest: enough to
 * outweigh any shipping cost difference, never enough to make leaving a unit unshipped pay.
 */
const perTransitDay = (o: Objective, m: CostModel) => (o.kind === "fastest" ? m.perUnitUnfulfilled / 10 : o.kind === "weighted" ? (o.perTransitDay ?? 0) : 0);

/**
 * The candidates sorted into eligible sources, each priced for this order (fixed price per
 * shipment, carriage per unit of each line, transit days, lateness), and rejections, each with its
 * code and reason, for the plan's explanation.
 */
export function prepareCandidates(problem: RoutingProblem): { sources: Source[]; rejected: Plan["explanation"]["rejected"] } {
  const sources: Source[] = [];
  const rejected: Plan["explanation"]["rejected"] = [];
  const { lines, delivery, filters, costModel: m, objective } = problem;
  const byId = new Map(problem.candidates.map((c) => [c.location.locationId, c]));
  const destination = delivery.kind === "ship" ? delivery : byId.get(delivery.locationId)!.location;
  const dayValue = perTransitDay(objective, m);
  const skus = new Set(lines.map((l) => l.sku));
  for (const c of problem.candidates) {
    const l = c.location;
    const reject = (code: RejectionCode, reason: string) => rejected.push({ locationId: l.locationId, code, reason });
    const excluded = channelExclusion(filters, l);
    if (excluded) {
      reject("filtered", excluded);
      continue;
    }
    if (delivery.kind === "pickup" && l.locationId !== delivery.locationId) {
      reject("filtered", `pickup orders are handed over by the pickup store ${delivery.locationId}`);
      continue;
    }
    if (delivery.kind === "pickup" ? !l.capabilities.includes("pickup") : !(l.capabilities.includes("ship") || l.capabilities.includes("ship-from-store"))) {
      reject("capability", delivery.kind === "pickup" ? "cannot hand over orders (no pickup capability)" : "cannot ship (no ship or ship-from-store capability)");
      continue;
    }
    const km = delivery.kind === "pickup" ? 0 : distanceKm(l, destination);
    if (filters.maxDistanceKm !== undefined && km > filters.maxDistanceKm) {
      reject("distance", `${Math.round(km)} km away, beyond the ${filters.maxDistanceKm} km limit`);
      continue;
    }
    if (![...skus].some((s) => (c.stock[s] ?? 0) > 0)) {
      reject("no-stock", "has none of the order's SKUs available");
      continue;
    }
    if (filters.respectCapacity && c.remainingCapacity < 1) {
      reject("no-capacity", "has no order capacity left today");
      continue;
    }
    const days = delivery.kind === "pickup" ? 0 : transitDaysFor(m, km);
    const daysLate = Math.max(0, days - m.promisedDays);
    const fixed = { shipment: delivery.kind === "pickup" ? 0 : m.perShipment, handling: l.handlingCost.amount, late: daysLate * m.perLateDay, days: days * dayValue };
    sources.push({
      index: sources.length,
      candidate: c,
      distanceKm: km,
      transitDays: days,
      daysLate,
      fixed,
      fixedObjective: fixed.shipment + fixed.handling + fixed.late + fixed.days,
      unitCarriage: lines.map((line) => line.unitWeightKg * km * m.perKgKm),
    });
  }
  return { sources, rejected };
}

/** What a set of sources ships. */
export interface Assignment {
  /** Per source index used: quantity per line index. */
  take: Map<number, number[]>;
  unfulfilled: number[];
  carriage: number;
}
