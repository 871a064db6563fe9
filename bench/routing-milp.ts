import * as highsModule from "highs";
import type { Highs, InitOptions } from "highs";
import type { Router } from "../functions/domain/routing.js";

// The package's types declare an ES default export on a CommonJS-typed package, which NodeNext
// resolution reads as the namespace; at run time the ESM build's default export is the loader.
const highsLoader = (highsModule as unknown as { default: (options?: InitOptions) => Promise<Highs> }).default;
let loaded: Promise<Highs> | undefined;
/** HiGHS (WebAssembly), loaded once per process. */
const highs = () => (loaded ??= highsLoader());

export interface MilpResult {
  status: string;
  /** The optimal objective, priced exactly as the router prices plans. */
  objective: number;
  shipments: { sourceIndex: number; take: number[] }[];
  elapsedMs: number;
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(15));

/**
 * The exact yardstick: the same routing problem as a mixed-integer program, solved by HiGHS.
 *   min Σ_s F_s·y_s + Σ_{s,i} c_{s,i}·x_{s,i} + Σ_i U·u_i + P·z
 *   Σ_s x_{s,i} + u_i = q_i                       every line is shipped or left unfulfilled
 *   Σ_{i ∈ sku} x_{s,i} ≤ stock_{s,sku}·y_s        a source ships only what it has, and only if used
 *   z ≥ Σ_s y_s − 1, Σ_s y_s ≤ max shipments        split penalty and the shipment limit
 *   kits: w_{s,k} ∈ {0,1}, Σ_s w_{s,k} ≤ 1, x_{s,i} = q_i·w_{s,k}, w_{s,k} ≤ y_s
 * It uses the router's own prepared sources (filters applied, prices computed), so both solve
 * the same instance and differ only in how they search.
 */
export async function solveMilp(router: Router, options: { timeLimitSeconds?: number } = {}): Promise<MilpResult> {
  const t0 = performance.now();
  const { lines, filters, costModel } = router.problem;
  const U = costModel.perUnitUnfulfilled;
  const maxShipments = filters.singleLocation === "always" ? 1 : filters.maxShipmentsPerOrder;
  const kitIds = filters.singleLocation === "never" ? [] : [...new Set(lines.flatMap((l) => (l.kitId ? [l.kitId] : [])))];
  const objective: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const general: string[] = [];
  const binary: string[] = [];
  const x = (s: number, i: number) => `x_${s}_${i}`;
  const usable = (s: number, i: number) => (router.sources[s]!.candidate.stock[lines[i]!.sku] ?? 0) > 0 && router.sources[s]!.unitCarriage[i]! < U;

  for (const src of router.sources) {
    objective.push(`${num(src.fixedObjective)} y_${src.index}`);
    binary.push(`y_${src.index}`);
    lines.forEach((l, i) => {
      if (!usable(src.index, i)) return;
      objective.push(`${num(src.unitCarriage[i]!)} ${x(src.index, i)}`);
      bounds.push(`0 <= ${x(src.index, i)} <= ${l.quantity}`);
      general.push(x(src.index, i));
    });
    for (const sku of new Set(lines.map((l) => l.sku))) {
      const terms = lines.flatMap((l, i) => (l.sku === sku && usable(src.index, i) ? [x(src.index, i)] : []));
      if (terms.length) rows.push(`stock_${src.index}_${rows.length}: ${terms.join(" + ")} - ${src.candidate.stock[sku] ?? 0} y_${src.index} <= 0`);
    }
  }
  lines.forEach((l, i) => {
    objective.push(`${num(U)} u_${i}`);
    const terms = router.sources.flatMap((s) => (usable(s.index, i) ? [x(s.index, i)] : []));
    rows.push(`demand_${i}: ${[...terms, `u_${i}`].join(" + ")} = ${l.quantity}`);
    bounds.push(`0 <= u_${i} <= ${l.quantity}`);
  });
  const ys = router.sources.map((s) => `y_${s.index}`);
  objective.push(`${num(costModel.splitPenalty)} z`);
  if (ys.length) {
    rows.push(`split: z - ${ys.join(" - ")} >= -1`);
    rows.push(`shipments: ${ys.join(" + ")} <= ${maxShipments}`);
  }
  kitIds.forEach((kit, k) => {
    const members = lines.flatMap((l, i) => (l.kitId === kit ? [i] : []));
    const ws: string[] = [];
    for (const src of router.sources) {
      const w = `w_${src.index}_${k}`;
      binary.push(w);
      ws.push(w);
      rows.push(`kituse_${src.index}_${k}: ${w} - y_${src.index} <= 0`);
      for (const i of members) {
        if (usable(src.index, i)) rows.push(`kit_${src.index}_${k}_${i}: ${x(src.index, i)} - ${lines[i]!.quantity} ${w} = 0`);
        else rows.push(`kitno_${src.index}_${k}_${i}: ${w} = 0`);
      }
    }
    if (ws.length) rows.push(`kitone_${k}: ${ws.join(" + ")} <= 1`);
    // A kit line is shipped only as part of its kit.
    for (const i of members) for (const src of router.sources) if (usable(src.index, i)) rows.push(`kitonly_${src.index}_${i}: ${x(src.index, i)} - ${lines[i]!.quantity} w_${src.index}_${k} <= 0`);
  });

  const lp = [
    "Minimize",
    ` obj: ${objective.join(" + ")}`,
    "Subject To",
    ...rows.map((r) => ` ${r}`),
    "Bounds",
    ...bounds.map((b) => ` ${b}`),
    " z >= 0",
    ...(general.length ? ["General", ` ${general.join(" ")}`] : []),
    ...(binary.length ? ["Binary", ` ${binary.join(" ")}`] : []),
    "End",
  ].join("\n");
  const solution = (await highs()).solve(lp, { time_limit: options.timeLimitSeconds ?? 60, mip_rel_gap: 0, output_flag: false });
  const value = (name: string) => (solution.Columns[name] as { Primal?: number } | undefined)?.Primal ?? 0;
  const shipments = router.sources
    .filter((s) => value(`y_${s.index}`) > 0.5)
    .map((s) => ({ sourceIndex: s.index, take: lines.map((_, i) => (usable(s.index, i) ? Math.round(value(x(s.index, i))) : 0)) }))
    .filter((s) => s.take.some((q) => q > 0));
  return { status: solution.Status, objective: solution.ObjectiveValue, shipments, elapsedMs: performance.now() - t0 };
}
