import type { Assignment, Source } from "./candidates.js";
import type { Plan, RoutingProblem, ShipmentPlan } from "./problem.js";

/** What the search found out besides the plan: how it went, and per source the best value seen with and without it. */
export interface SearchStats {
  optimal: boolean;
  gap: number;
  nodes: number;
  elapsedMs: number;
  timedOut: boolean;
  bestWith?: Map<number, number>;
  bestWithout?: Map<number, number>;
}

/**
 * An assignment (what each source ships) as a plan: shipments with their money, what is
 * backordered, the cost in minor units, and the explanation: why each chosen location ships, and
 * why every other one does not (its rejection, or how much more the best plan with it costs).
 */
export function explainPlan(problem: RoutingProblem, sources: readonly Source[], rejected0: Plan["explanation"]["rejected"], algorithm: Plan["algorithm"], a: Assignment, objective: number, extra: SearchStats): Plan {
  const { lines, costModel: m } = problem;
  const shipments: ShipmentPlan[] = [...a.take.entries()]
    .map(([s, row]) => {
      const src = sources[s]!;
      const planLines = row.flatMap((q, i) => (q > 0 ? [{ lineId: lines[i]!.lineId, sku: lines[i]!.sku, quantity: q }] : []));
      const carriage = Math.round(row.reduce((t, q, i) => t + q * src.unitCarriage[i]!, 0));
      const weightKg = row.reduce((t, q, i) => t + q * lines[i]!.unitWeightKg, 0);
      const cost = { shipment: src.fixed.shipment, handling: src.fixed.handling, carriage, late: src.fixed.late, total: src.fixed.shipment + src.fixed.handling + carriage + src.fixed.late };
      return { locationId: src.candidate.location.locationId, lines: planLines, units: row.reduce((t, q) => t + q, 0), weightKg: Math.round(weightKg * 1000) / 1000, distanceKm: Math.round(src.distanceKm * 10) / 10, transitDays: src.transitDays, daysLate: src.daysLate, cost };
    })
    .sort((x, y) => x.locationId.localeCompare(y.locationId));
  const backordered = a.unfulfilled.flatMap((q, i) => (q > 0 ? [{ lineId: lines[i]!.lineId, sku: lines[i]!.sku, quantity: q }] : []));
  const sum = (f: (s: ShipmentPlan) => number) => shipments.reduce((t, s) => t + f(s), 0);
  const splitPenalty = Math.max(0, shipments.length - 1) * m.splitPenalty;
  const unfulfilled = backordered.reduce((t, b) => t + b.quantity, 0) * m.perUnitUnfulfilled;
  const cost = { currency: m.currency, total: 0, shipments: sum((s) => s.cost.shipment), handling: sum((s) => s.cost.handling), carriage: sum((s) => s.cost.carriage), splitPenalty, late: sum((s) => s.cost.late), unfulfilled };
  cost.total = cost.shipments + cost.handling + cost.carriage + cost.splitPenalty + cost.late + cost.unfulfilled;
      const money = (v: number) => `${(v / 100).toFixed(2)} ${m.currency}`;
  const chosenIdx = new Set(a.take.keys());
  const chosen = shipments.map((s) => {
    const src = sources.find((x) => x.candidate.location.locationId === s.locationId)!;
    const without = extra.bestWithout?.get(src.index);
    const alt = without === undefined ? "" : Number.isFinite(without) ? `; the best plan without it costs ${money(Math.round(without - objective))} more` : "; no plan without it serves the order";
    return { locationId: s.locationId, why: `ships ${s.units} unit(s) (${s.lines.map((l) => `${l.quantity}× ${l.sku}`).join(", ")}) over ${Math.round(s.distanceKm)} km in ${s.transitDays} day(s) for ${money(s.cost.total)}${alt}` };
  });
  const rejected = [...rejected0];
  for (const src of sources) {
    if (chosenIdx.has(src.index)) continue;
    const withIt = extra.bestWith?.get(src.index);
    const by = withIt === undefined ? undefined : Math.round(withIt - objective);
    rejected.push({
      locationId: src.candidate.location.locationId,
      code: "more-expensive",
      reason: by === undefined ? "not needed: the chosen locations serve the order for less" : by <= 0 ? "an equally cheap plan exists without it" : `the best plan using it costs ${money(by)} more`,
    });
  }
  return {
    algorithm,
    shipments,
    backordered,
    cost,
    objective,
    optimal: extra.optimal,
    gap: extra.gap,
    explanation: { chosen, rejected },
    stats: { candidates: problem.candidates.length, eligible: sources.length, nodes: extra.nodes, elapsedMs: extra.elapsedMs, timedOut: extra.timedOut },
  };
}
