import { ValidationError } from "../errors.js";
import { prepareCandidates, type Assignment, type Source } from "./candidates.js";
import { explainPlan, type SearchStats } from "./explain.js";
import { routingProblems, type Plan, type RoutingProblem, type SearchOptions, type ShipmentPlan } from "./problem.js";

/** The search's time budget when the caller names none. */
const DEFAULT_BUDGET_MS = 20;
/** Time that never passes: a search without a stopwatch has no deadline. */
const noClock = () => 0;

/** The routing problem prepared once: eligible sources with their prices, rejections with reasons. */
export class Router {
  readonly sources: Source[];
  readonly rejected: Plan["explanation"]["rejected"];
  private readonly unitUnfulfilled: number;
  private readonly kits: number[][];
  private readonly looseLines: number[];
  private readonly single: boolean;
  private readonly maxShipments: number;
  /** Per line index: source indexes, cheapest carriage first. */
  private readonly byCarriage: number[][];
  // Flat arrays for the search's hot loop: stock per (source, SKU), carriage per (source, line).
  private readonly skuOfLine: Int32Array;
  private readonly skuCount: number;
  private readonly stockMatrix: Int32Array;
  private readonly stockLeft: Int32Array;
  private readonly carriage: Float64Array;
  private readonly fixedOf: Float64Array;
  private readonly usedFlags: Uint8Array;
  private readonly amortized: Float64Array;
  private readonly byAmortized: number[][];

  constructor(readonly problem: RoutingProblem) {
    const issues = routingProblems(problem);
    if (issues.length) throw new ValidationError("Invalid routing request", issues);
    const prepared = prepareCandidates(problem);
    this.sources = prepared.sources;
    this.rejected = prepared.rejected;
    const { lines, filters, costModel: m } = problem;
    const skus = new Set(lines.map((l) => l.sku));
    this.unitUnfulfilled = m.perUnitUnfulfilled;
    this.single = filters.singleLocation === "always";
    this.maxShipments = this.single ? 1 : filters.maxShipmentsPerOrder;
    const kitIds = filters.singleLocation === "never" ? [] : [...new Set(lines.flatMap((l) => (l.kitId ? [l.kitId] : [])))];
    this.kits = kitIds.map((k) => lines.flatMap((l, i) => (l.kitId === k ? [i] : [])));
    const inKit = new Set(this.kits.flat());
    this.looseLines = lines.map((_, i) => i).filter((i) => !inKit.has(i));
    this.byCarriage = lines.map((_, i) => this.sources.map((s) => s.index).sort((a, b) => this.sources[a]!.unitCarriage[i]! - this.sources[b]!.unitCarriage[i]!));
    const skuIndex = new Map([...skus].map((sku, k) => [sku, k]));
    this.skuCount = skuIndex.size;
    this.skuOfLine = Int32Array.from(lines, (l) => skuIndex.get(l.sku)!);
    const n = this.sources.length;
    this.stockMatrix = new Int32Array(n * this.skuCount);
    this.carriage = new Float64Array(n * lines.length);
    for (const src of this.sources) {
      for (const [sku, k] of skuIndex) this.stockMatrix[src.index * this.skuCount + k] = Math.max(0, Math.floor(src.candidate.stock[sku] ?? 0));
      src.unitCarriage.forEach((c, i) => (this.carriage[src.index * lines.length + i] = c));
    }
    this.stockLeft = new Int32Array(this.stockMatrix.length);
    this.fixedOf = Float64Array.from(this.sources, (src) => src.fixedObjective);
    this.usedFlags = new Uint8Array(n);
    // For the search's bound: a location's fixed price (and the split penalty it brings) spread
    // over the most units it could ship in this order, added to its carriage per unit.
    const demand = new Map<number, number>();
    lines.forEach((l, i) => demand.set(this.skuOfLine[i]!, (demand.get(this.skuOfLine[i]!) ?? 0) + l.quantity));
    this.amortized = new Float64Array(n * lines.length);
    for (const src of this.sources) {
      let cap = 0;
      for (const [k, q] of demand) cap += Math.min(q, this.stockMatrix[src.index * this.skuCount + k]!);
      const perUnit = cap > 0 ? (src.fixedObjective + m.splitPenalty) / cap : Infinity;
      lines.forEach((_, i) => (this.amortized[src.index * lines.length + i] = this.carriage[src.index * lines.length + i]! + perUnit));
    }
    this.byAmortized = lines.map((_, i) => this.sources.map((s) => s.index).sort((a, b) => this.amortized[a * lines.length + i]! - this.amortized[b * lines.length + i]!));
  }

  /**
   * How a set of sources (a membership array) serves the order: kits whole from the cheapest
   * source holding all of them, then each line from the cheapest sources with stock left. The
   * search's inner loop: returns the variable part (carriage + shortfall) and the fixed part of
   * the sources it used (with split penalties), leaves which sources it used in `usedFlags`, and
   * records the quantities per source in `take` when given one.
   */
  private evaluate(member: Uint8Array, take?: Map<number, number[]>): { variable: number; fixed: number } {
    const { lines } = this.problem;
    const L = lines.length;
    const K = this.skuCount;
    const U = this.unitUnfulfilled;
    const left = this.stockLeft;
    left.set(this.stockMatrix);
    const used = this.usedFlags;
    used.fill(0);
    const record = (src: number, line: number, q: number) => {
      let row = take?.get(src);
      if (take && !row) take.set(src, (row = new Array<number>(L).fill(0)));
      if (row) row[line] = (row[line] ?? 0) + q;
    };
    let variable = 0;
    for (const kit of this.kits) {
      let best = -1;
      let bestCost = Infinity;
      for (let s = 0; s < member.length; s++) {
        if (!member[s]) continue;
        let ok = true;
        let cost = 0;
        for (const i of kit) {
          // Kit lines of the same SKU draw on the same stock.
          let need = 0;
          for (const j of kit) if (this.skuOfLine[j] === this.skuOfLine[i]) need += lines[j]!.quantity;
          if (left[s * K + this.skuOfLine[i]!]! < need) ok = false;
          cost += this.carriage[s * L + i]! * lines[i]!.quantity;
        }
        if (ok && cost < bestCost) [best, bestCost] = [s, cost];
      }
      const shortfall = kit.reduce((t, i) => t + U * lines[i]!.quantity, 0);
      if (best < 0 || bestCost >= shortfall) {
        variable += shortfall;
        continue;
      }
      for (const i of kit) {
        left[best * K + this.skuOfLine[i]!]! -= lines[i]!.quantity;
        record(best, i, lines[i]!.quantity);
      }
      used[best] = 1;
      variable += bestCost;
    }
    for (const i of this.looseLines) {
      let need = lines[i]!.quantity;
      const k = this.skuOfLine[i]!;
      for (const s of this.byCarriage[i]!) {
        if (need === 0) break;
        if (!member[s]) continue;
        const unit = this.carriage[s * L + i]!;
        if (unit >= U) break;
        const q = Math.min(need, left[s * K + k]!);
        if (q <= 0) continue;
        left[s * K + k]! -= q;
        used[s] = 1;
        record(s, i, q);
        variable += unit * q;
        need -= q;
      }
      variable += need * U;
    }
    let fixed = 0;
    let count = 0;
    for (let s = 0; s < used.length; s++)
      if (used[s]) {
        fixed += this.fixedOf[s]!;
        count++;
      }
    return { variable, fixed: fixed + Math.max(0, count - 1) * this.problem.costModel.splitPenalty };
  }

  /**
   * A lower bound on carriage + shortfall + the fixed prices (and split penalties) of any
   * locations added from `open` to `chosen`: every line (kits relaxed to loose lines) is filled
   * at the cheapest per-unit price, where chosen locations cost their carriage and open ones
   * their carriage plus their amortized fixed price. No plan in the subtree can cost less.
   */
  private relaxedBound(chosen: Uint8Array, open: Uint8Array): number {
    const { lines } = this.problem;
    const L = lines.length;
    const K = this.skuCount;
    const U = this.unitUnfulfilled;
    const left = this.stockLeft;
    left.set(this.stockMatrix);
    let total = 0;
    for (let i = 0; i < L; i++) {
      let need = lines[i]!.quantity;
      const k = this.skuOfLine[i]!;
      const a = this.byCarriage[i]!;
      const b = this.byAmortized[i]!;
      let p = 0;
      let q = 0;
      while (need > 0) {
        while (p < a.length && !chosen[a[p]!]) p++;
        while (q < b.length && (!open[b[q]!] || chosen[b[q]!])) q++;
        const ca = p < a.length ? this.carriage[a[p]! * L + i]! : Infinity;
        const cb = q < b.length ? this.amortized[b[q]! * L + i]! : Infinity;
        const price = Math.min(ca, cb);
        if (price >= U) break;
        const s = ca <= cb ? a[p++]! : b[q++]!;
        const take = Math.min(need, left[s * K + k]!);
        if (take <= 0) continue;
        left[s * K + k]! -= take;
        total += price * take;
        need -= take;
      }
      total += need * U;
    }
    return total;
  }

  /** Best use of a set of sources (the rule in `evaluate`), with what each ships. */
  private assign(set: readonly number[]): Assignment {
    const { lines } = this.problem;
    const member = new Uint8Array(this.sources.length);
    for (const s of set) member[s] = 1;
    const take = new Map<number, number[]>();
    this.evaluate(member, take);
    const unfulfilled = lines.map((l, i) => l.quantity - [...take.values()].reduce((t, row) => t + (row[i] ?? 0), 0));
    let carriage = 0;
    for (const [s, row] of take) row.forEach((q, i) => (carriage += q * this.sources[s]!.unitCarriage[i]!));
    return { take, unfulfilled, carriage };
  }

  /** Objective value of shipping from exactly the sources `assign` used (unused ones cost nothing). */
  value(a: Assignment): number {
    let v = a.carriage;
    for (const s of a.take.keys()) v += this.sources[s]!.fixedObjective;
    v += Math.max(0, a.take.size - 1) * this.problem.costModel.splitPenalty;
    v += a.unfulfilled.reduce((t, u) => t + u * this.unitUnfulfilled, 0);
    return v;
  }

  /** Turns an assignment into a plan with money, shipments and the explanation. */
  plan(algorithm: Plan["algorithm"], a: Assignment, extra: SearchStats): Plan {
    return explainPlan(this.problem, this.sources, this.rejected, algorithm, a, this.value(a), extra);
  }

  /**
   * The greedy baseline (Magento-style source selection): eligible locations nearest first
   * (priority breaks ties), each line takes what each location has until it is filled; kits
   * from the first location holding them whole. Stops at the shipment limit.
   */
  greedy(options: Pick<SearchOptions, "stopwatch"> = {}): Plan {
    const clock = options.stopwatch ?? noClock;
    const t0 = clock();
    const order = [...this.sources].sort((a, b) => a.distanceKm - b.distanceKm || a.candidate.location.priority - b.candidate.location.priority).map((s) => s.index);
    const { lines } = this.problem;
    const remaining = lines.map((l) => l.quantity);
    const left = new Map(order.map((s) => [s, { ...this.sources[s]!.candidate.stock }]));
    const take = new Map<number, number[]>();
    const give = (s: number, i: number, q: number) => {
      let row = take.get(s);
      if (!row) take.set(s, (row = lines.map(() => 0)));
      row[i] = (row[i] ?? 0) + q;
      const st = left.get(s)!;
      st[lines[i]!.sku] = (st[lines[i]!.sku] ?? 0) - q;
      remaining[i] = (remaining[i] ?? 0) - q;
    };
    const mayUse = (s: number) => take.has(s) || take.size < this.maxShipments;
    for (const kit of this.kits) {
      const s = order.find((x) => mayUse(x) && kit.every((i) => (left.get(x)![lines[i]!.sku] ?? 0) >= lines[i]!.quantity));
      if (s !== undefined) for (const i of kit) give(s, i, lines[i]!.quantity);
    }
    for (const s of order) {
      if (!mayUse(s)) continue;
      for (const i of this.looseLines) {
        const q = Math.min(remaining[i]!, left.get(s)![lines[i]!.sku] ?? 0);
        if (q > 0) give(s, i, q);
      }
    }
    let carriage = 0;
    for (const [s, row] of take) row.forEach((q, i) => (carriage += q * this.sources[s]!.unitCarriage[i]!));
    return this.plan("greedy", { take, unfulfilled: remaining, carriage }, { optimal: false, gap: Number.NaN, nodes: order.length, elapsedMs: clock() - t0, timedOut: false });
  }

  /**
   * The production optimizer: depth-first branch and bound over which locations ship, each
   * set priced by its best assignment (`evaluate`). The greedy plan and every single-location
   * plan seed the incumbent, so the result is never worse than greedy. A subtree is cut when even
   * shipping from all of its remaining locations for free could not beat the incumbent. Exact
   * within the time budget; if the budget runs out, the best plan so far with its proven gap.
   */
  optimize(options: SearchOptions = {}): Plan {
    const budget = options.budgetMs ?? DEFAULT_BUDGET_MS;
    const clock = options.stopwatch ?? noClock;
    const t0 = clock();
    const n = this.sources.length;
    const bestWith = new Float64Array(n).fill(Infinity);
    const bestWithout = new Float64Array(n).fill(Infinity);
    let nodes = 0;
    let timedOut = false;
    let bestValue = Infinity;
    let bestMember = new Uint8Array(n);
    const member = new Uint8Array(n);
    const consider = (m: Uint8Array) => {
      nodes++;
      const { variable, fixed } = this.evaluate(m);
      const v = variable + fixed;
      const used = this.usedFlags;
      for (let s = 0; s < n; s++) {
        if (used[s]) {
          if (v < bestWith[s]!) bestWith[s] = v;
        } else if (v < bestWithout[s]!) bestWithout[s] = v;
      }
      if (v < bestValue - 1e-9) {
        bestValue = v;
        bestMember = Uint8Array.from(used);
      }
      return v;
    };
    consider(member);
    const greedy = this.greedy(options);
    for (const sh of greedy.shipments) member[this.sources.find((x) => x.candidate.location.locationId === sh.locationId)!.index] = 1;
    consider(member);
    member.fill(0);
    const solo = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      member[s] = 1;
      solo[s] = consider(member);
      member[s] = 0;
    }

    // Most promising first: the best a location does on its own.
    const order = Int32Array.from(this.sources.keys()).sort((a, b) => solo[a]! - solo[b]!);
    const split = this.problem.costModel.splitPenalty;
    const open = new Uint8Array(n);
    // Bound on every plan under a node: the fixed prices and split penalties already committed,
    // plus the relaxed price of filling the order from the chosen and the remaining locations.
    const bound = (k: number, chosen: number, fixedSum: number) => {
      open.fill(0);
      for (let j = k; j < n; j++) open[order[j]!] = 1;
      return fixedSum + (chosen >= 1 ? (chosen - 1) * split : -split) + this.relaxedBound(member, open);
    };
    const rootBound = n === 0 ? bestValue : Math.min(bestValue, bound(0, 0, 0));

    const dfs = (k: number, chosen: number, fixedSum: number): void => {
      if (timedOut) return;
      if ((nodes & 31) === 0 && clock() - t0 > budget) {
        timedOut = true;
        return;
      }
      if (chosen >= this.maxShipments || k >= n) return;
      if (bound(k, chosen, fixedSum) >= bestValue - 1e-9) return;
      const s = order[k]!;
      member[s] = 1;
      consider(member);
      // A location the best assignment does not use adds nothing, and adding more locations
      // only takes work from it: everything under "with s" is priced as under "without s".
      if (this.usedFlags[s]) dfs(k + 1, chosen + 1, fixedSum + this.fixedOf[s]!);
      member[s] = 0;
      dfs(k + 1, chosen, fixedSum);
    };
    dfs(0, 0, 0);
    const gap = timedOut ? Math.max(0, (bestValue - rootBound) / Math.max(1, bestValue)) : 0;
    const bestSet = [...bestMember.keys()].filter((s) => bestMember[s]);
    // A location never seen in a plan has no "best with it"; "without it" may be Infinity (no plan serves the order without it).
    const bestWithMap = new Map([...bestWith.entries()].filter(([, v]) => Number.isFinite(v)));
    return this.plan("optimizer", this.assign(bestSet), { optimal: !timedOut, gap, nodes, elapsedMs: clock() - t0, timedOut, bestWith: bestWithMap, bestWithout: new Map(bestWithout.entries()) });
  }
}

/** Routes with the optimizer (the production default). */
export const route = (problem: RoutingProblem, options?: SearchOptions): Plan => new Router(problem).optimize(options);

/**
 * Reroute: the best plan for what a rejected shipment carried, from every other location, keeping
 * the shipments that were accepted. Their stock is already spoken for, so only the rejected
 * lines are routed; the candidate that refused is excluded.
 */
export function reroute(problem: RoutingProblem, plan: Pick<Plan, "shipments">, rejectedLocationId: string, options?: SearchOptions): { kept: ShipmentPlan[]; replacement: Plan } {
  const rejected = plan.shipments.find((s) => s.locationId === rejectedLocationId);
  if (!rejected) throw new ValidationError("Invalid reroute", [{ path: "rejectedLocationId", message: `${rejectedLocationId} ships nothing in this plan` }]);
  const kept = plan.shipments.filter((s) => s !== rejected);
  const byLine = new Map(problem.lines.map((l) => [l.lineId, l]));
  const lines = rejected.lines.map((l) => ({ ...byLine.get(l.lineId)!, quantity: l.quantity }));
  const replacement = route({ ...problem, lines, filters: { ...problem.filters, excludeLocations: [...problem.filters.excludeLocations, rejectedLocationId], maxShipmentsPerOrder: Math.max(1, problem.filters.maxShipmentsPerOrder - kept.length) } }, options);
  return { kept, replacement };
}
