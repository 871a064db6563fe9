import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Location } from "../../../functions/domain/catalog.js";
import { ValidationError } from "../../../functions/domain/errors.js";
import { distanceKm, reroute, route, Router, type Candidate, type Plan, type RoutingProblem } from "../../../functions/domain/routing.js";
import { costModelSchema, defaultRoutingRules, routingFiltersSchema } from "../../../functions/domain/routing-rules.js";
import { instanceSetA } from "../../../bench/routing-instances.js";
import { solveMilp } from "../../../bench/routing-milp.js";

const loc = (id: string, lat: number, lon: number, extra: Partial<Location> = {}): Location => ({
  locationId: id,
  name: id,
  kind: "warehouse",
  country: "DE",
  lat,
  lon,
  capabilities: ["ship"],
  dailyCapacity: 100,
  handlingCost: { amount: 100, currency: "EUR" },
  priority: 1,
  active: true,
  groups: ["wh"],
  ...extra,
});
const cand = (location: Location, stock: Record<string, number>, remainingCapacity = 10): Candidate => ({ location, stock, remainingCapacity });
// One kilogram over one kilometre costs one cent; nothing is late; a missing unit costs 100 EUR.
const model = costModelSchema.parse({ perShipment: 500, perKgKm: 1, splitPenalty: 300, perUnitUnfulfilled: 10_000, promisedDays: 10, perLateDay: 0 });
const problem = (p: Partial<RoutingProblem> & Pick<RoutingProblem, "lines" | "candidates">): RoutingProblem => ({
  delivery: { kind: "ship", lat: 50, lon: 10 },
  filters: routingFiltersSchema.parse({}),
  objective: { kind: "cheapest" },
  costModel: model,
  ...p,
});
const shipped = (plan: Plan) => plan.shipments.map((s) => [s.locationId, s.lines.map((l) => `${l.quantity}×${l.sku}`).join(",")]);
const DEG = distanceKm({ lat: 50, lon: 10 }, { lat: 51, lon: 10 }); // ≈ 111.19 km

// A far warehouse with both SKUs; two near ones with one SKU each.
const far = loc("FAR", 51, 10);
const nearX = loc("NEAR-X", 50.1, 10);
const nearY = loc("NEAR-Y", 49.9, 10);
const threeWarehouses = [cand(far, { X: 5, Y: 5 }), cand(nearX, { X: 5 }), cand(nearY, { Y: 5 })];

describe("routing: hand-checked instances", () => {
  it("light items: one shipment from the far warehouse beats a split from the near ones (greedy splits)", () => {
    const p = problem({ lines: [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 1 }, { lineId: "2", sku: "Y", quantity: 1, unitWeightKg: 1 }], candidates: threeWarehouses });
    const plan = route(p);
    expect(shipped(plan)).toEqual([["FAR", "1×X,1×Y"]]);
    // 500 per shipment + 100 handling + 2 kg × 111.19 km × 1 ct.
    expect(plan.cost).toMatchObject({ shipments: 500, handling: 100, carriage: Math.round(2 * DEG), splitPenalty: 0, unfulfilled: 0 });
    expect(plan.optimal).toBe(true);
    const greedy = new Router(p).greedy();
    expect(shipped(greedy)).toEqual([["NEAR-X", "1×X"], ["NEAR-Y", "1×Y"]]);
    // 2 × (500 + 100) + 300 split + 2 × 1 kg × 11.12 km.
    expect(greedy.cost.total).toBe(1200 + 300 + 2 * Math.round(DEG / 10));
    expect(plan.explanation.rejected).toEqual(
      expect.arrayContaining([{ locationId: "NEAR-X", code: "more-expensive", reason: expect.stringMatching(/^the best plan using it costs \d+\.\d\d EUR more$/) as unknown }]),
    );
  });

  it("heavy items: the split from the near warehouses is cheaper, and the plan says why", () => {
    const plan = route(problem({ lines: [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 10 }, { lineId: "2", sku: "Y", quantity: 1, unitWeightKg: 10 }], candidates: threeWarehouses }));
    expect(shipped(plan)).toEqual([["NEAR-X", "1×X"], ["NEAR-Y", "1×Y"]]);
    expect(plan.cost).toMatchObject({ shipments: 1000, handling: 200, splitPenalty: 300, carriage: 2 * Math.round(10 * DEG / 10) });
    // The far warehouse alone would cost 600 + 2 × 10 kg × 111.19 km ≈ 2824 against ≈ 1722.
    expect(plan.explanation.rejected.find((r) => r.locationId === "FAR")?.reason).toMatch(/costs 11\.\d\d EUR more/);
    expect(plan.explanation.chosen[0]?.why).toMatch(/^ships 1 unit\(s\) \(1× X\) over 11 km in 1 day\(s\) for \d+\.\d\d EUR; the best plan without it costs \d+\.\d\d EUR more$/);
  });

  it("pickup in store: only the pickup store may serve, even when a warehouse has everything", () => {
    const store = loc("ST-1", 50.05, 10, { kind: "store", capabilities: ["pickup", "ship-from-store"] });
    const plan = route(problem({ delivery: { kind: "pickup", locationId: "ST-1" }, lines: [{ lineId: "1", sku: "X", quantity: 2, unitWeightKg: 1 }], candidates: [cand(far, { X: 9 }), cand(store, { X: 1 })] }));
    expect(shipped(plan)).toEqual([["ST-1", "1×X"]]);
    expect(plan.backordered).toEqual([{ lineId: "1", sku: "X", quantity: 1 }]);
    expect(plan.shipments[0]).toMatchObject({ distanceKm: 0, transitDays: 0, cost: { shipment: 0, carriage: 0, handling: 100 } });
    expect(plan.explanation.rejected).toContainEqual({ locationId: "FAR", code: "filtered", reason: "pickup orders are handed over by the pickup store ST-1" });
  });

  it("a location without capacity left is passed over; with respectCapacity off it is used", () => {
    const lines = [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 1 }];
    const candidates = [cand(nearX, { X: 3 }, 0), cand(far, { X: 3 })];
    const plan = route(problem({ lines, candidates }));
    expect(shipped(plan)).toEqual([["FAR", "1×X"]]);
    expect(plan.explanation.rejected).toContainEqual({ locationId: "NEAR-X", code: "no-capacity", reason: "has no order capacity left today" });
    expect(shipped(route(problem({ lines, candidates, filters: routingFiltersSchema.parse({ respectCapacity: false }) })))).toEqual([["NEAR-X", "1×X"]]);
  });

  it("nothing available anywhere: everything is backordered and priced as such", () => {
    const plan = route(problem({ lines: [{ lineId: "1", sku: "Z", quantity: 3, unitWeightKg: 1 }], candidates: threeWarehouses }));
    expect(plan.shipments).toEqual([]);
    expect(plan.backordered).toEqual([{ lineId: "1", sku: "Z", quantity: 3 }]);
    expect(plan.cost.total).toBe(30_000);
    expect(plan.explanation.rejected.map((r) => r.code)).toEqual(["no-stock", "no-stock", "no-stock"]);
  });

  it("a kit ships whole from one location, even if its parts are cheaper apart", () => {
    const lines = [
      { lineId: "1", sku: "X", quantity: 1, unitWeightKg: 10, kitId: "bundle" },
      { lineId: "2", sku: "Y", quantity: 1, unitWeightKg: 10, kitId: "bundle" },
    ];
    expect(shipped(route(problem({ lines, candidates: threeWarehouses })))).toEqual([["FAR", "1×X,1×Y"]]);
    // Without the kit rule, the heavy parts split (see above).
    expect(shipped(route(problem({ lines, candidates: threeWarehouses, filters: routingFiltersSchema.parse({ singleLocation: "never" }) })))).toHaveLength(2);
    // No location holds the whole kit: it is backordered, not split.
    const plan = route(problem({ lines, candidates: threeWarehouses.slice(1) }));
    expect(plan.shipments).toEqual([]);
    expect(plan.backordered.map((b) => b.lineId)).toEqual(["1", "2"]);
  });

  it("filters: groups, excluded locations, distance, inactive, one location only, the shipment limit", () => {
    const lines = [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 10 }, { lineId: "2", sku: "Y", quantity: 1, unitWeightKg: 10 }];
    const f = (x: object) => routingFiltersSchema.parse(x);
    const rejected = (p: Plan, id: string) => p.explanation.rejected.find((r) => r.locationId === id);
    const byDistance = route(problem({ lines, candidates: threeWarehouses, filters: f({ maxDistanceKm: 50 }) }));
    expect(rejected(byDistance, "FAR")).toEqual({ locationId: "FAR", code: "distance", reason: "111 km away, beyond the 50 km limit" });
    const excluded = route(problem({ lines, candidates: threeWarehouses, filters: f({ excludeLocations: ["NEAR-Y"] }) }));
    // Without NEAR-Y, the heavy Y comes from FAR (1 kg·km costs 1 ct: 2 × 600 + 300 + 111 + 1112 < 600 + 2224).
    expect(shipped(excluded)).toEqual([["FAR", "1×Y"], ["NEAR-X", "1×X"]]);
    expect(rejected(route(problem({ lines, candidates: [...threeWarehouses, cand(loc("OFF", 50, 10, { active: false }), { X: 9 })] })), "OFF")?.reason).toBe("inactive");
    expect(rejected(route(problem({ lines, candidates: threeWarehouses, filters: f({ locationGroups: ["stores"] }) })), "FAR")?.reason).toBe("not in groups stores");
    expect(shipped(route(problem({ lines, candidates: threeWarehouses, filters: f({ singleLocation: "always" }) })))).toEqual([["FAR", "1×X,1×Y"]]);
    expect(route(problem({ lines, candidates: threeWarehouses, filters: f({ maxShipmentsPerOrder: 1 }) })).shipments).toHaveLength(1);
  });

  it("fastest: pays for one more shipment to arrive sooner; cheapest does not", () => {
    // Cheapest: SLOW alone 600 + 2 × 0.2 kg × 778 km ≈ 911 < split 2 × 600 + 300 + 4 ≈ 1504.
    // Fastest adds 1,000 a day per shipment (a tenth of an unfulfilled unit): 911 + 3 × 1,000 > 1504 + 2 × 1,000.
    const lines = [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 0.2 }, { lineId: "2", sku: "Y", quantity: 1, unitWeightKg: 0.2 }];
    const slow = loc("SLOW", 57, 10); // ≈ 778 km: 3 days
    const plan = route(problem({ lines, candidates: [cand(slow, { X: 1, Y: 1 }), cand(nearX, { X: 1 }), cand(nearY, { Y: 1 })], objective: { kind: "fastest" } }));
    expect(shipped(plan)).toEqual([["NEAR-X", "1×X"], ["NEAR-Y", "1×Y"]]);
    expect(shipped(route(problem({ lines, candidates: [cand(slow, { X: 1, Y: 1 }), cand(nearX, { X: 1 }), cand(nearY, { Y: 1 })] })))).toEqual([["SLOW", "1×X,1×Y"]]);
  });
});

describe("reroute", () => {
  it("keeps the accepted shipments and re-plans only what the rejecting location carried, without it", () => {
    const lines = [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 10 }, { lineId: "2", sku: "Y", quantity: 1, unitWeightKg: 10 }];
    const p = problem({ lines, candidates: [...threeWarehouses, cand(loc("MID-Y", 50.5, 10), { Y: 2 })] });
    const plan = route(p);
    expect(shipped(plan)).toEqual([["NEAR-X", "1×X"], ["NEAR-Y", "1×Y"]]);
    const { kept, replacement } = reroute(p, plan, "NEAR-Y");
    expect(kept.map((s) => s.locationId)).toEqual(["NEAR-X"]);
    expect(shipped(replacement)).toEqual([["MID-Y", "1×Y"]]);
    expect(replacement.explanation.rejected).toContainEqual({ locationId: "NEAR-Y", code: "filtered", reason: "excluded by the channel's rules" });
    expect(() => reroute(p, plan, "FAR")).toThrow(ValidationError);
  });
});

describe("bad input", () => {
  it("names each problem: no lines, negative weight, bad quantity, unknown delivery location", () => {
    const attempt = (p: RoutingProblem) => {
      try {
        new Router(p);
        return [];
      } catch (e) {
        return (e as ValidationError).issues.map((i) => i.path);
      }
    };
    expect(attempt(problem({ lines: [], candidates: threeWarehouses }))).toEqual(["lines"]);
    expect(attempt(problem({ lines: [{ lineId: "1", sku: "X", quantity: 0, unitWeightKg: -1 }], candidates: threeWarehouses }))).toEqual(["lines.0.quantity", "lines.0.unitWeightKg"]);
    expect(attempt(problem({ lines: [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 1 }], candidates: threeWarehouses, delivery: { kind: "pickup", locationId: "NOPE" } }))).toEqual(["delivery.locationId"]);
    expect(attempt(problem({ lines: [{ lineId: "1", sku: "X", quantity: 1, unitWeightKg: 1 }], candidates: threeWarehouses, delivery: { kind: "ship", lat: 91, lon: 0 } }))).toEqual(["delivery.lat"]);
  });
});

/** Checks a plan against the problem's hard rules; returns what it breaks. */
function violations(p: RoutingProblem, plan: Plan): string[] {
  const out: string[] = [];
  const byId = new Map(p.candidates.map((c) => [c.location.locationId, c]));
  const perLine = new Map<string, number>();
  for (const s of plan.shipments) {
    const c = byId.get(s.locationId)!;
    const used = new Map<string, number>();
    for (const l of s.lines) {
      used.set(l.sku, (used.get(l.sku) ?? 0) + l.quantity);
      perLine.set(l.lineId, (perLine.get(l.lineId) ?? 0) + l.quantity);
    }
    for (const [sku, q] of used) if (q > (c.stock[sku] ?? 0)) out.push(`${s.locationId} ships ${q} ${sku}, has ${c.stock[sku] ?? 0}`);
    if (p.filters.respectCapacity && c.remainingCapacity < 1) out.push(`${s.locationId} has no capacity`);
    if (!c.location.active) out.push(`${s.locationId} inactive`);
    if (p.delivery.kind === "pickup" && s.locationId !== p.delivery.locationId) out.push(`pickup from ${s.locationId}`);
    if (p.delivery.kind !== "pickup" && !c.location.capabilities.some((x) => x === "ship" || x === "ship-from-store")) out.push(`${s.locationId} cannot ship`);
  }
  if (plan.shipments.length > p.filters.maxShipmentsPerOrder) out.push("too many shipments");
  for (const l of p.lines) {
    const back = plan.backordered.filter((b) => b.lineId === l.lineId).reduce((t, b) => t + b.quantity, 0);
    if ((perLine.get(l.lineId) ?? 0) + back !== l.quantity) out.push(`line ${l.lineId} not accounted for`);
  }
  const kitLines = p.lines.filter((l) => l.kitId);
  if (kitLines.length) {
    const homes = new Set(plan.shipments.filter((s) => s.lines.some((x) => kitLines.some((k) => k.lineId === x.lineId))).map((s) => s.locationId));
    const partial = kitLines.some((k) => (perLine.get(k.lineId) ?? 0) !== 0 && (perLine.get(k.lineId) ?? 0) !== k.quantity);
    if (homes.size > 1 || partial) out.push("kit split");
  }
  return out;
}

describe("routing: properties over generated instances", () => {
  it("greedy and optimizer plans respect stock, capacity, capabilities, filters and kits; the optimizer is never worse than greedy", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        for (const p of instanceSetA(seed, 3)) {
          const router = new Router(p);
          const greedy = router.greedy();
          const best = router.optimize({ budgetMs: 1000, stopwatch: () => performance.now() });
          expect(violations(p, greedy)).toEqual([]);
          expect(violations(p, best)).toEqual([]);
          expect(best.objective).toBeLessThanOrEqual(greedy.objective + 1e-6);
          expect(best.cost.total).toBe(best.cost.shipments + best.cost.handling + best.cost.carriage + best.cost.splitPenalty + best.cost.late + best.cost.unfulfilled);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the optimizer and the exact MILP (HiGHS) agree on small instances", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        for (const p of instanceSetA(seed, 2, { minLocations: 3, maxLocations: 9, maxLines: 5 })) {
          const router = new Router(p);
          const milp = await solveMilp(router);
          expect(milp.status).toBe("Optimal");
          const best = router.optimize({ budgetMs: 5000, stopwatch: () => performance.now() });
          expect(best.optimal).toBe(true);
          expect(Math.abs(best.objective - milp.objective)).toBeLessThanOrEqual(1e-6 * Math.max(1, milp.objective));
        }
      }),
      { numRuns: 40 },
    );
  });

  it("keeps the time budget it is given, on the caller's stopwatch: out of time, the best plan so far with its proven gap", () => {
    // Big enough that the search needs far more than 32 nodes; the fake stopwatch moves 1 ms per look.
    const p = instanceSetA(7, 1, { minLocations: 40, maxLocations: 40, maxLines: 8 })[0]!;
    let ms = 0;
    const tick = () => ms++;
    const rushed = new Router(p).optimize({ budgetMs: 3, stopwatch: tick });
    expect(rushed).toMatchObject({ optimal: false, stats: { timedOut: true } });
    expect(rushed.gap).toBeGreaterThanOrEqual(0);
    expect(rushed.stats.elapsedMs).toBeGreaterThan(3);
    expect(rushed.objective).toBeLessThanOrEqual(new Router(p).greedy().objective + 1e-6);
    // The same search with time to spare (no stopwatch: no deadline, and no clock read) finishes and proves its plan.
    const patient = new Router(p).optimize({ budgetMs: 3 });
    expect(patient).toMatchObject({ optimal: true, gap: 0, stats: { timedOut: false, elapsedMs: 0 } });
    expect(patient.stats.nodes).toBeGreaterThan(rushed.stats.nodes);
    expect(patient.objective).toBeLessThanOrEqual(rushed.objective + 1e-6);
  });

  it("uses the channel's default rules when none are configured", () => {
    const rules = defaultRoutingRules("web");
    expect(rules.filters).toMatchObject({ maxShipmentsPerOrder: 3, singleLocation: "kits", keepSafetyStock: true, respectCapacity: true });
    expect(rules.costModel.transitDays.at(-1)).toEqual({ upToKm: 20000, days: 7 });
  });
});
