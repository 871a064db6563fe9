// npm run bench:routing [-- --a 1000 --b 2000 --seed 20261122 --budget 20 --json]
// Routing quality and speed on fixed-seed instance sets: greedy and the optimizer against the
// exact MILP (HiGHS) on set A; both on a stream of orders against one depleting inventory (set B).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Router, type Candidate, type Plan, type RoutingProblem } from "../functions/domain/routing.js";
import { stopwatch } from "../functions/app/quote-route.js";
import { instanceSetA, instanceSetB } from "./routing-instances.js";
import { solveMilp } from "./routing-milp.js";
import { quantile } from "./run-pool.js";

const { values } = parseArgs({
  options: {
    a: { type: "string", default: "1000" },
    b: { type: "string", default: "2000" },
    seed: { type: "string", default: "20261122" },
    budget: { type: "string", default: "20" },
    json: { type: "boolean", default: false },
  },
});
const seed = Number(values.seed);
const budgetMs = Number(values.budget);
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Quality {
  meanGapPct: number;
  worstGapPct: number;
  optimalShare: number;
  meanShipments: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function quality(plans: Plan[], optimum: number[], ms: number[]): Quality {
  const gaps = plans.map((p, i) => (p.objective - optimum[i]!) / Math.max(1, optimum[i]!));
  return {
    meanGapPct: (100 * gaps.reduce((a, b) => a + b, 0)) / gaps.length,
    worstGapPct: 100 * Math.max(...gaps),
    optimalShare: gaps.filter((g) => g <= 1e-9).length / gaps.length,
    meanShipments: plans.reduce((t, p) => t + p.shipments.length, 0) / plans.length,
    p50Ms: quantile(ms, 0.5),
    p99Ms: quantile(ms, 0.99),
    maxMs: Math.max(...ms),
  };
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}

/** Set A: independent orders; each algorithm's gap to the proven optimum and its latency. */
async function setA(count: number) {
  const problems = instanceSetA(seed, count);
  // Warm the JIT so the first instances do not pay for compilation.
  for (const p of instanceSetA(seed + 1, 50)) new Router(p).optimize({ budgetMs, stopwatch });
  const greedy: Plan[] = [];
  const best: Plan[] = [];
  const optimum: number[] = [];
  const gMs: number[] = [];
  const oMs: number[] = [];
  let milpMs = 0;
  let worseThanGreedy = 0;
  let timedOut = 0;
  for (const [i, p] of problems.entries()) {
    const [g, gt] = timed(() => new Router(p).greedy({ stopwatch }));
    const [o, ot] = timed(() => new Router(p).optimize({ budgetMs, stopwatch }));
    const milp = await solveMilp(new Router(p));
    if (milp.status !== "Optimal") throw new Error(`MILP did not prove optimality on instance ${i}: ${milp.status}`);
    greedy.push(g);
    best.push(o);
    optimum.push(milp.objective);
    gMs.push(gt);
    oMs.push(ot);
    milpMs += milp.elapsedMs;
    if (o.objective > g.objective + 1e-6) worseThanGreedy++;
    if (o.stats.timedOut) timedOut++;
    if ((i + 1) % 100 === 0) say(`  set A: ${i + 1}/${count}`);
  }
  // The latency target's own case: 10 lines × 50 candidate locations.
  const big = instanceSetA(seed + 2, 300, { minLocations: 50, maxLocations: 50, minLines: 10, maxLines: 10 });
  const bigMs = big.map((p) => timed(() => new Router(p).optimize({ budgetMs, stopwatch }))[1]);
  return {
    instances: count,
    greedy: quality(greedy, optimum, gMs),
    optimizer: { ...quality(best, optimum, oMs), worseThanGreedy, timedOut },
    milp: { meanMs: milpMs / count },
    tenLinesFiftyLocations: { instances: big.length, p50Ms: quantile(bigMs, 0.5), p99Ms: quantile(bigMs, 0.99), maxMs: Math.max(...bigMs) },
  };
}

/** Set B: one network, one inventory that every plan depletes, the same order stream for both algorithms. */
function setB(count: number) {
  const run = (algorithm: "greedy" | "optimizer") => {
    const { locations, stock, capacity, stream, rules } = instanceSetB(seed, count);
    let cost = 0;
    let shipments = 0;
    let backordered = 0;
    let distance = 0;
    const ms: number[] = [];
    for (const o of stream) {
      const candidates: Candidate[] = locations.map((location) => ({ location, stock: stock.get(location.locationId)!, remainingCapacity: capacity.get(location.locationId)! }));
      const problem: RoutingProblem = { ...o, candidates, filters: rules.filters, objective: rules.objective, costModel: rules.costModel };
      const [plan, t] = timed(() => (algorithm === "greedy" ? new Router(problem).greedy({ stopwatch }) : new Router(problem).optimize({ budgetMs, stopwatch })));
      ms.push(t);
      cost += plan.cost.total;
      shipments += plan.shipments.length;
      backordered += plan.backordered.reduce((s, b) => s + b.quantity, 0);
      for (const s of plan.shipments) {
        distance += s.distanceKm;
        capacity.set(s.locationId, capacity.get(s.locationId)! - 1);
        const st = stock.get(s.locationId)!;
        for (const l of s.lines) st[l.sku] = (st[l.sku] ?? 0) - l.quantity;
      }
    }
    return { totalCost: cost / 100, totalShipments: shipments, backorderedUnits: backordered, totalDistanceKm: Math.round(distance), shipmentsPerOrder: shipments / count, p99Ms: quantile(ms, 0.99) };
  };
  const greedy = run("greedy");
  const optimizer = run("optimizer");
  return { orders: count, currency: "EUR", greedy, optimizer, costReductionPct: (100 * (greedy.totalCost - optimizer.totalCost)) / greedy.totalCost };
}

say(`Routing bench: seed ${seed}, optimizer budget ${budgetMs} ms`);
say(`Set A (${values.a} independent orders, each against the MILP optimum)...`);
const a = await setA(Number(values.a));
say(`Set B (${values.b} orders against one depleting inventory)...`);
const b = setB(Number(values.b));
const result = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version },
  seed,
  budgetMs,
  setA: a,
  setB: b,
};

const f = (n: number, d = 2) => n.toFixed(d);
const rows: [string, string][] = [
  ["machine", `${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGb} GiB, Node ${result.machine.node}`],
  ["set A: instances", `${a.instances} (1–10 lines, 5–50 candidate locations, seed ${seed}); MILP mean ${f(a.milp.meanMs, 1)} ms`],
  ["set A: greedy gap mean / worst", `${f(a.greedy.meanGapPct)}% / ${f(a.greedy.worstGapPct)}%; optimal ${f(100 * a.greedy.optimalShare, 1)}%; ${f(a.greedy.meanShipments)} shipments/order; p50/p99 ${f(a.greedy.p50Ms, 3)} / ${f(a.greedy.p99Ms, 3)} ms`],
  ["set A: optimizer gap mean / worst", `${f(a.optimizer.meanGapPct, 4)}% / ${f(a.optimizer.worstGapPct, 4)}%; optimal ${f(100 * a.optimizer.optimalShare, 1)}%; ${f(a.optimizer.meanShipments)} shipments/order; p50/p99 ${f(a.optimizer.p50Ms, 3)} / ${f(a.optimizer.p99Ms, 3)} ms`],
  ["set A: optimizer worse than greedy", `${a.optimizer.worseThanGreedy} orders; budget hit on ${a.optimizer.timedOut}`],
  ["10 lines × 50 locations", `optimizer p50/p99/max ${f(a.tenLinesFiftyLocations.p50Ms)} / ${f(a.tenLinesFiftyLocations.p99Ms)} / ${f(a.tenLinesFiftyLocations.maxMs)} ms over ${a.tenLinesFiftyLocations.instances} orders (target p99 ≤ 25 ms)`],
  ["set B: greedy", `${f(b.greedy.totalCost)} EUR, ${b.greedy.totalShipments} shipments, ${b.greedy.backorderedUnits} units backordered, ${b.greedy.totalDistanceKm} km`],
  ["set B: optimizer", `${f(b.optimizer.totalCost)} EUR, ${b.optimizer.totalShipments} shipments, ${b.optimizer.backorderedUnits} units backordered, ${b.optimizer.totalDistanceKm} km`],
  ["set B: cost reduction", `${f(b.costReductionPct)}% vs greedy (target ≥ 5%)`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n\nJSON:\n${JSON.stringify(result)}`);
mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
writeFileSync(path.join(import.meta.dirname, "results", `routing-${new Date().toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify(result, null, 2));
if (values.json) console.log(JSON.stringify(result, null, 2));
